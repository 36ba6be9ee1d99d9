"""The article body, chosen by content.

Known containers (a layout's body selectors, ``[itemprop=articleBody]``,
``<article>``) are only *candidates*. Next to them stands the *region* a
readability-style score finds: every paragraph-like block adds its text (less
its link text) to its parent and, half, to its grandparent; the element with
the highest score is where the article text is. The body is the smallest
candidate that still holds nearly all the article text the best one holds, so
that a wrapper (``<article>`` around headline, byline and body) loses to the
body inside it, an empty or tiny match (``div.artikelend`` used as an end
marker) is no body at all, and paragraphs sitting in a ``<div>`` before an
unrelated ``<article>`` are found where they are.

Text is read block by block: block-level elements and ``<br>`` end a paragraph,
so ``<p>`` bodies, ``<div>``-of-text bodies and ``<br><br>`` bodies read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .common import clean_text, collapse

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul",
    "caption", "summary", "center",
})
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "button", "select", "textarea",
                          "input", "head", "title", "meta", "link", "object", "embed", "canvas", "video", "audio"})
_NOT_INLINE_TAGS = BLOCK_TAGS | SKIPPED_TAGS
_BLOCK_OR_BR = BLOCK_TAGS | {"br"}  # what ends a paragraph
MIN_BODY_CHARS = 150  # less article text than this is no body (a marker, a teaser, an empty box)
MIN_PARAGRAPH_CHARS = 25  # shorter blocks add nothing to a region's score
NEARLY_ALL = 0.85  # the smallest candidate holding this share of the best one's text wins
_CONTAINER_TAGS = frozenset({"div", "td", "section", "article"})  # a paragraph-like block that also scores itself
PARAGRAPH_TAGS = ("p", "pre", "blockquote", "div", "td", "li", "section", "article", "font", "center")


def text_blocks(node: Any) -> list[str]:
    """The paragraphs of an element: text between block boundaries and ``<br>``, white space collapsed."""
    blocks: list[str] = []
    buffer: list[str] = []  # the current paragraph's pieces of text
    _read_blocks(node, blocks, buffer)
    _flush(blocks, buffer)
    return blocks


def _read_blocks(element: Any, blocks: list[str], buffer: list[str]) -> None:
    tag = element.tag  # lxml builds it anew on each access
    if not isinstance(tag, str) or tag in SKIPPED_TAGS:  # comments, processing instructions, scripts
        return
    block = tag in _BLOCK_OR_BR
    if block:
        _flush(blocks, buffer)
    if text := element.text:
        buffer.append(text)
    for child in element:
        _read_blocks(child, blocks, buffer)
        if tail := child.tail:
            buffer.append(tail)
    if block:
        _flush(blocks, buffer)


def _flush(blocks: list[str], buffer: list[str]) -> None:
    """The pieces read so far end a paragraph (nothing when they are white space)."""
    if buffer:
        if text := collapse("".join(buffer)):
            blocks.append(text)
        buffer.clear()


def paragraph_scores(root: Any) -> dict[Any, int]:
    """Every paragraph-like element under ``root`` (itself included) with the text directly in it (not in its
    block children), less twice its link text. Below ``MIN_PARAGRAPH_CHARS`` a block is a label, a button, a
    caption: left out."""
    scores = {}
    for element in root.iter(*PARAGRAPH_TAGS):
        if len(element):
            chars = _mixed_chars(element)
        else:  # text only, most paragraphs: no walk, no links
            text = element.text
            chars = len(collapse(text)) if text and len(text) >= MIN_PARAGRAPH_CHARS else 0
            chars = chars if chars >= MIN_PARAGRAPH_CHARS else 0
        if chars:
            scores[element] = chars
    return scores


def _mixed_chars(element: Any) -> int:
    """``paragraph_scores``' count for an element with children: its inline text (block children left out),
    less twice the part inside links."""
    parts, links = [element.text or ""], []
    for child in element:
        tag = child.tag  # lxml builds it anew on each access
        if isinstance(tag, str) and tag not in _NOT_INLINE_TAGS:
            if not len(child):  # most inline children: a link, a bold word
                inner = child.text or ""
                if tag == "a":
                    links.append(inner)
            else:
                inner = "".join(child.itertext())
                links.extend([inner] if tag == "a" else ("".join(a.itertext()) for a in child.iter("a")))
            parts.append(inner)
        if tail := child.tail:
            parts.append(tail)
    text = "".join(parts)
    if len(text) < MIN_PARAGRAPH_CHARS:  # collapsing only shortens it
        return 0
    chars = len(collapse(text))
    if chars < MIN_PARAGRAPH_CHARS:
        return 0
    return max(0, chars - 2 * len(collapse(" ".join(links)))) if links else chars


@dataclass(frozen=True)
class Candidate:
    node: Any
    source: str  # "layout" (a known layout's body selector) or "generic"
    text_chars: int  # article text in it (paragraph text less link text)


def best_region(paragraphs: dict[Any, int]) -> Any | None:
    """Readability's idea: each paragraph's text counts for its parent, half for its grandparent."""
    scores: dict[Any, float] = {}
    for paragraph, chars in paragraphs.items():
        scores[paragraph] = scores.get(paragraph, 0) + (chars if paragraph.tag in _CONTAINER_TAGS else 0)
        parent = paragraph.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + chars
            if (grandparent := parent.getparent()) is not None:
                scores[grandparent] = scores.get(grandparent, 0) + chars / 2
    return max(scores, key=scores.__getitem__) if scores else None


def _text_inside(node: Any, paragraphs: dict[Any, int]) -> int:
    return sum(paragraphs.get(element, 0) for element in node.iter(*PARAGRAPH_TAGS))


def choose_body(root: Any, known: list[tuple[Any, str]], excluded: Any = None) -> Candidate | None:
    """The body: where the article text is, read through the known container that frames it.

    The best-scored region says where the text is. A known container inside it
    that holds ``NEARLY_ALL`` of its text is the body (the region was a wrapper);
    else the smallest known container around it (the region was one part of
    the body); else the region itself (rung "generic"). Less than
    ``MIN_BODY_CHARS`` of article text is no body. The text of ``excluded``
    (a readers' comment section) does not count.
    """
    paragraphs = paragraph_scores(root)
    if excluded is not None:
        paragraphs = {p: chars for p, chars in paragraphs.items()
                      if p is not excluded and excluded not in p.iterancestors()}
    region = best_region(paragraphs)
    if region is None:
        return None
    region_chars = _text_inside(region, paragraphs)
    inside = [(node, source) for node, source in known if region in node.iterancestors()
              and _text_inside(node, paragraphs) >= NEARLY_ALL * region_chars]
    around = [(node, source) for node, source in known if node is region or node in region.iterancestors()]
    node, source = min(inside or around or [(region, "generic")], key=lambda c: (_size(c[0]), c[1] != "layout"))
    if source == "generic":
        node = _with_twins(node, paragraphs)
    chars = _text_inside(node, paragraphs)
    return Candidate(node, source, chars) if chars >= MIN_BODY_CHARS else None


def _with_twins(node: Any, paragraphs: dict[Any, int]) -> Any:
    """A body split over repeated sibling blocks (same tag and class, each holding article text: a listicle's
    items, a CMS's chunks, tabs) is their parent; the score peaks on one of them."""
    parent = node.getparent()
    if parent is None or not node.get("class") and node.tag != "article":
        return node
    key = (node.tag, node.get("class"))
    twins = [s for s in parent if s is not node and (s.tag, s.get("class")) == key
             and _text_inside(s, paragraphs) >= MIN_BODY_CHARS]
    return parent if twins else node


def _size(node: Any) -> int:
    return sum(1 for _ in node.iter())
