"""Boilerplate rules: remove whole elements or whole lines, never substrings.

Two layers, both named so that every removal can be counted under
``alinea/boilerplate/<rule>``:

* ``ELEMENT_RULES`` drop elements from an article body by structure (class,
  tag) before its text is read — used by the page objects;
* ``LINE_RULES`` drop a body line only when the *entire* line is a known piece
  of chrome ("Sponsored", "sun", "×") — the fallback for layouts whose markup
  we do not know, applied by the cleaning pipeline.

"layanan 5×24 jam" or a sentence about "sponsored content" is never touched:
no rule looks inside a line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from parsel import Selector

from lxml import etree
from parsel.csstranslator import HTMLTranslator

_css_to_xpath = HTMLTranslator().css_to_xpath

# rule name -> CSS selector of elements that are never article text.
ELEMENT_RULES: dict[str, str] = {
    # .ads-billboard, .ads-popup, .flying_carpet_div: the classes public filter lists block on alinea.id
    "ad_slot": ".ads-slot, .ads, .advertisement, ins.adsbygoogle, [id^='div-gpt-ad'], [class^='ads-'],"
               " [class*=' ads-'], .flying_carpet_div",
    "baca_juga": ".baca-juga, .related-inline",
    # "Baca juga:" paragraph without a class: <p><strong>Baca juga:</strong> <a>…</a></p>
    "baca_juga_label": ".//p[(strong|b)[starts-with(normalize-space(translate(., 'BACJUG', 'bacjug')), 'baca juga')]]",
    "figure": "figure, figcaption, .caption, .wp-caption-text",
    "editor_line": ".article__editor, .editor",
    "author_bio": ".author-bio, .author-box, .about-author, .bio-penulis, [class*='author-bio'], [class*='authorbio']",
    "disclaimer": ".disclaimer, [class*='disclaimer']",
    "related_list": ".berita-lainnya",
    "script": "script, style, noscript, iframe",
    "share_widget": ".share, .social-share",
}
# A block that starts with this label and is otherwise links is a "Baca juga" box, whatever its markup.
BACA_JUGA_LABEL = re.compile(r"^\W*baca\s+juga\b\W*", re.I)
BACA_JUGA_MAX_OWN_CHARS = 12  # text of such a box outside its links and label (bullets, separators)
_BOX_TAGS = frozenset({"p", "div", "section", "aside", "ul", "ol", "li", "blockquote", "table", "span"})
_MENTIONS_BACA_JUGA = etree.XPath(
    ".//text()[contains(., 'uga') or contains(., 'UGA')][contains(translate(., 'BACJUG', 'bacjug'), 'baca juga')]"
)

# rule name -> pattern a whole (lower-cased, white-space-collapsed) line must match.
LINE_RULES: dict[str, re.Pattern[str]] = {
    "ad_label": re.compile(r"(sponsored|advertisement|iklan|scroll to continue with content)"),
    "theme_toggle": re.compile(r"(sun|moon)"),
    "logo_text": re.compile(r"(a l i n e a dot id|logo alinea\.id|alinea\.id)"),
    "tagline": re.compile(r"fakta data kata"),
    "popup_close": re.compile(r"[×✕x]"),
    "widget": re.compile(r"tekid"),
    "related_heading": re.compile(r"berita lainnya"),
    "baca_juga": re.compile(r"baca juga\s*:.*"),
    # "Editor: Dewi Anggraini", "Penyunting: …": a whole short line naming one person
    "editor_line": re.compile(r"(editor|penyunting|redaktur)\s*:\s*[^.!?:]{2,60}"),
}


def _rule_xpath(query: str) -> str:
    return query if query.startswith(".//") else _css_to_xpath(query, prefix=".//")


def _self_test(query: str) -> etree.XPath:
    """Does this very element match the rule? (the rule's XPath on the ``self`` axis)"""
    if query.startswith(".//"):
        return etree.XPath("self::" + query[3:])
    return etree.XPath(_css_to_xpath(query, prefix="self::"))


# One pass finds every candidate in document order; each is then named by the first rule it matches.
_ANY_RULE = etree.XPath(" | ".join(_rule_xpath(q) for q in ELEMENT_RULES.values()))
_RULE_TESTS = {rule: _self_test(query) for rule, query in ELEMENT_RULES.items()}


def drop_boilerplate_elements(container: Selector) -> Counter[str]:
    """Remove every ELEMENT_RULES match inside ``container`` (in place, on its lxml tree)."""
    removed: Counter[str] = Counter()
    root = container.root
    for element in _ANY_RULE(root):
        if root in element.iterancestors():  # not inside one dropped already
            rule = next(rule for rule, matches in _RULE_TESTS.items() if matches(element))
            drop_element(element)
            removed[rule] += 1
    for box in baca_juga_boxes(root):
        drop_element(box)
        removed["baca_juga_box"] += 1
    return removed


def drop_element(element) -> None:
    """Remove an element and its content, keeping the text after it (lxml.html's ``drop_tree``)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)


def baca_juga_boxes(root) -> list:
    """Blocks that begin with a "Baca juga" label and are otherwise links: a box, a list, a paragraph.

    From each mention of the label, the largest block ancestor that still begins
    with it and holds almost no text besides its links is the box. A label
    inside a paragraph of prose ("… baca juga laporan kami …") is no box.
    """
    boxes = []
    for text in _MENTIONS_BACA_JUGA(root):
        box = None
        for element in _ancestors_from(text.getparent(), root):
            if element.tag in _BOX_TAGS and _is_baca_juga_box(element):
                box = element
        if box is not None and not any(box is b or b in box.iterancestors() for b in boxes):
            boxes.append(box)
    return boxes


def _ancestors_from(element, root):
    """``element`` and its ancestors up to, not including, ``root``."""
    while element is not None and element is not root:
        yield element
        element = element.getparent()


def _is_baca_juga_box(element) -> bool:
    text = _words(element)
    label = BACA_JUGA_LABEL.match(text)
    if not label:
        return False
    links = sum(len(_words(a)) for a in element.iter("a"))
    return links > 0 and len(text) - label.end() - links <= BACA_JUGA_MAX_OWN_CHARS


def _words(element) -> str:
    """An element's text, its text nodes kept apart ("<span>Baca Juga</span><ul>…" is two words, not one)."""
    return " ".join(" ".join(element.itertext()).split())


# All LINE_RULES as one pattern of named alternatives: one match per line, whatever the number of rules.
_ANY_LINE_RULE = re.compile("|".join(f"(?P<{rule}>{pattern.pattern})" for rule, pattern in LINE_RULES.items()))


def boilerplate_rule(line: str) -> str | None:
    """The LINE_RULES name that the whole line matches, else ``None``."""
    match = _ANY_LINE_RULE.fullmatch(" ".join(line.split()).lower())
    return match.lastgroup if match else None


@dataclass
class CleanText:
    text: str
    removed: Counter[str]


def clean_paragraphs(paragraphs: list[str]) -> CleanText:
    """Join kept paragraphs with a blank line; count the lines dropped."""
    removed: Counter[str] = Counter()
    kept = []
    for paragraph in paragraphs:
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        rule = boilerplate_rule(paragraph)
        if rule:
            removed[rule] += 1
        else:
            kept.append(paragraph)
    return CleanText("\n\n".join(kept), removed)
