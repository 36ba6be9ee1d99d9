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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import cssselect

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
    # embedded posts and their captions: the markup each network's embed code writes
    "social_embed": ".instagram-media, .twitter-tweet, .twitter-timeline, .tiktok-embed, .fb-post, .fb-video,"
                    " [data-instgrm-permalink], [class*='embed-instagram'], [class*='instagram-embed'],"
                    " [class*='twitter-embed'], [class*='embed-twitter'], [class*='tiktok-embed'],"
                    " [class*='youtube-embed'], [class*='embed-youtube'], [class*='social-embed'],"
                    " [class*='embed-social']",
    "newsletter": "[class*='newsletter'], [id*='newsletter'], [class*='subscribe'], [id*='subscribe']",
    "comments": "#comments, .comments, [class*='comments-'], [class*='-comments'], [id*='comments'], #disqus_thread,"
                " .fb-comments, .comment-list, .commentlist, [class*='komentar'], [id*='komentar']",
    "pager": ".pagination, .pager, [class*='pagination'], .page-numbers, .page-links, [class*='paging']",
    "related_box": ".related-posts, .related-articles, .related-news, [class*='berita-terkait'],"
                   " [class*='artikel-terkait'], .terkait",
}
# A block that starts with this label and is otherwise links is a "Baca juga" box, whatever its markup.
BACA_JUGA_LABEL = re.compile(r"^\W*baca\s+juga\b\W*", re.I)
# The same shape under a "Berita Terkait" / "Artikel Terkait" / "Lihat juga" label: dropped, its links not followed.
RELATED_LABEL = re.compile(r"^\W*(?:(?:berita|artikel|bacaan)\s+(?:terkait|lainnya|pilihan)|lihat\s+juga)\b\W*", re.I)
BACA_JUGA_MAX_OWN_CHARS = 12  # text of such a box outside its links and label (bullets, separators)
_BOX_TAGS = frozenset({"p", "div", "section", "aside", "ul", "ol", "li", "blockquote", "table", "span", "nav"})
_MENTIONS_BACA_JUGA = etree.XPath(
    ".//text()[contains(., 'uga') or contains(., 'UGA')][contains(translate(., 'BACJUG', 'bacjug'), 'baca juga')]"
)
_MENTIONS_RELATED = etree.XPath(
    ".//text()[contains(translate(., 'TERKAIPLNYHJUG', 'terkaiplnyhjug'), 'terkait')"
    " or contains(translate(., 'LIHATJUG', 'lihatjug'), 'lihat juga')"
    " or contains(translate(., 'BERITALNY', 'beritalny'), 'lainnya')"
    " or contains(translate(., 'PILHN', 'pilhn'), 'pilihan')]"
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
    "related_heading_other": re.compile(r"(?:berita|artikel) (?:terkait|pilihan)|lihat juga|baca juga"),
    # "Simak berita lainnya di Google News", "Ikuti saluran WhatsApp kami", "Simak juga video berikut:":
    # a short line that opens with an invitation and names a channel (a sentence about one does not open so)
    "call_to_action": re.compile(
        r"\W*(?:simak|ikuti|follow|gabung|bergabung(?:lah)?|join|dapatkan|klik|subscribe|(?:ber)?langganan|unduh|"
        r"download|tonton|saksikan|kunjungi|jangan lewatkan|cek|pantau|baca berita)\b[^.!?]{0,100}?"
        r"\b(?:google news|whatsapp|whats app|telegram|instagram|tiktok|tik tok|youtube|twitter|facebook|threads|"
        r"line today|channel|saluran|newsletter|video|podcast|aplikasi)\b.{0,80}"),
    # "Halaman 1 2 Selanjutnya", "Page 2 of 3", "1 2 3 Berikutnya »", "« Sebelumnya": an article pager
    "pager": re.compile(
        r"(?:halaman|page|hal\.?)\s*:?\s*(?:\d+\s*(?:dari|of|/)\s*\d+|(?:[«‹<]\s*)?(?:(?:sebelumnya|prev(?:ious)?)\s*)?"
        r"(?:\d+\s*)+(?:(?:selanjutnya|berikutnya|next)\s*)?(?:[»›>]\s*)?)"
        r"|(?:[«‹<]\s*)?(?:(?:sebelumnya|prev(?:ious)?)\s*)?\d+(?:\s+\d+)+\s*(?:selanjutnya|berikutnya|next)\s*[»›>]?"
        r"|(?:[«‹<]\s*)?(?:selanjutnya|berikutnya|sebelumnya|halaman (?:selanjutnya|berikutnya|sebelumnya))\s*[»›>]?"),
    # "Komentar", "3 Komentar", "Tulis komentar…", "Leave a comment": a comment section's heading or form
    "comments_heading": re.compile(r"(?:\d+\s+)?(?:komentar|comments?)(?:\s*\(\d+\))?|(?:tulis|beri|kirim|lihat|"
                                   r"tampilkan)(?: semua)? komentar.{0,60}|leave a (?:comment|reply).{0,40}"),
    # "Editor: Dewi Anggraini", "Penyunting: …": a whole short line naming one person
    "editor_line": re.compile(r"(editor|penyunting|redaktur)\s*:\s*[^.!?:]{2,60}"),
}


Test = Callable[[Any], bool]


def _css_test(tree: Any) -> Test | None:
    """A Python test of one element for a compound CSS selector (tag, ``.class``, ``#id``, ``[attr op value]``);
    ``None`` for anything else (combinators, pseudo-classes): that rule stays an XPath."""
    if isinstance(tree, cssselect.parser.Element):
        tag = tree.element
        return (lambda e: True) if tag in (None, "*") else (lambda e: e.tag == tag)
    inner = _css_test(getattr(tree, "selector", None)) if hasattr(tree, "selector") else None
    if inner is None:
        return None
    if isinstance(tree, cssselect.parser.Class):
        name = tree.class_name
        return lambda e: name in (e.get("class") or "").split() and inner(e)
    if isinstance(tree, cssselect.parser.Hash):
        ident = tree.id
        return lambda e: e.get("id") == ident and inner(e)
    if isinstance(tree, cssselect.parser.Attrib) and tree.namespace is None:
        attrib, op, value = tree.attrib, tree.operator, tree.value.value if tree.value else None
        compare = {"exists": lambda v: True, "=": lambda v: v == value, "^=": lambda v: v.startswith(value),
                   "*=": lambda v: value in v, "$=": lambda v: v.endswith(value)}.get(op)
        if compare is None:
            return None
        return lambda e: (v := e.get(attrib)) is not None and compare(v) and inner(e)
    return None


def _rule_test(query: str) -> Test | None:
    """One Python test for a rule's whole selector group, or ``None`` when some part needs XPath."""
    if query.startswith(".//"):
        return None
    tests = [_css_test(selector.parsed_tree) for selector in cssselect.parse(query)]
    if any(test is None or selector.pseudo_element for test, selector in zip(tests, cssselect.parse(query))):
        return None
    return lambda e: any(test(e) for test in tests)


# Rules of tags, classes, ids and attributes are tested in Python during one walk over the container
# (libxml2 walks it once per selector of a union: ~25 µs each on a small page); the rest are XPath.
_PYTHON_RULES = {rule: test for rule, query in ELEMENT_RULES.items() if (test := _rule_test(query))}
_XPATH_RULES = {rule: etree.XPath(_css_to_xpath(q, prefix=".//") if not q.startswith(".//") else q)
                for rule, q in ELEMENT_RULES.items() if rule not in _PYTHON_RULES}


def _rule_matches(root: Any) -> Iterator[tuple[Any, str]]:
    """(element, first rule it matches) under ``root``: the Python-tested rules in document order, then the
    XPath ones."""
    for element in root.iterdescendants(etree.Element):
        rule = next((rule for rule, test in _PYTHON_RULES.items() if test(element)), None)
        if rule:
            yield element, rule
    for rule, xpath in _XPATH_RULES.items():
        for element in xpath(root):
            yield element, rule


def drop_boilerplate_elements(container: Selector) -> Counter[str]:
    """Remove every ELEMENT_RULES match inside ``container`` (in place, on its lxml tree)."""
    removed: Counter[str] = Counter()
    root = container.root
    for element, rule in list(_rule_matches(root)):
        if root in element.iterancestors():  # not inside one dropped already
            drop_element(element)
            removed[rule] += 1
    for rule, boxes in (("baca_juga_box", baca_juga_boxes(root)), ("related_box", related_boxes(root))):
        for box in boxes:
            drop_element(box)
            removed[rule] += 1
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
    return _link_boxes(root, _MENTIONS_BACA_JUGA, BACA_JUGA_LABEL)


def related_boxes(root) -> list:
    """Blocks that begin with "Berita Terkait", "Artikel Terkait", "Lihat juga"… and are otherwise links."""
    return _link_boxes(root, _MENTIONS_RELATED, RELATED_LABEL)


def _link_boxes(root, mentions: etree.XPath, label: re.Pattern[str]) -> list:
    # libxml2's plain text of the whole block first (no Python walk): most pages hold no such label
    if not re.search(label.pattern.removeprefix("^\\W*").removesuffix("\\b\\W*"), _plain_text(root), re.I):
        return []
    boxes = []
    for text in mentions(root):
        box = None
        for element in _ancestors_from(text.getparent(), root):
            if element.tag in _BOX_TAGS and _is_link_box(element, label):
                box = element
        if box is not None and not any(box is b or b in box.iterancestors() for b in boxes):
            boxes.append(box)
    return boxes


def _plain_text(root) -> str:
    return " ".join(etree.tostring(root, method="text", encoding="unicode", with_tail=False).split())


def _ancestors_from(element, root):
    """``element`` and its ancestors up to, not including, ``root``."""
    while element is not None and element is not root:
        yield element
        element = element.getparent()


def _is_link_box(element, label_pattern: re.Pattern[str]) -> bool:
    text = _words(element)
    label = label_pattern.match(text)
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
