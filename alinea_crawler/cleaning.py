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

from lxml import etree
from parsel import Selector

from .pages.common import collapse, css_test


# rule name -> CSS selector of elements that are never article text.
ELEMENT_RULES: dict[str, str] = {
    # .ads-billboard, .ads-popup, .flying_carpet_div: the classes public filter lists block on alinea.id
    "ad_slot": ".ads-slot, .ads, .advertisement, ins.adsbygoogle, [id^='div-gpt-ad'], [class^='ads-'],"
               " [class*=' ads-'], .flying_carpet_div",
    "baca_juga": ".baca-juga, .related-inline",
    # "Baca juga:" paragraph without a class: <p><strong>Baca juga:</strong> <a>…</a></p>
    "baca_juga_label": ".//p[(strong|b)[starts-with(normalize-space(translate(., 'BACJUG', 'bacjug')), 'baca juga')]]",
    # a figure is an image and its caption; one holding a table, a quote or paragraphs is article text
    "figure": ".//figure[not(.//table or .//blockquote or .//p[string-length(normalize-space()) > 80])]",
    "caption": "figcaption, .caption, .wp-caption-text",
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
# plain contains() (no translate() per text node), both cases; the label itself is then checked in Python
_MENTIONS_RELATED = etree.XPath(
    ".//text()[contains(., 'erkait') or contains(., 'ERKAIT') or contains(., 'ainnya') or contains(., 'AINNYA')"
    " or contains(., 'ilihan') or contains(., 'ILIHAN') or contains(., 'uga') or contains(., 'UGA')]"
)

_PREVIOUS = r"(?:[«‹<]\s*)?(?:(?:sebelumnya|prev(?:ious)?)\s*)?"  # a pager's "« Sebelumnya"
_NEXT = r"(?:selanjutnya|berikutnya|next)"
# rule name -> pattern a whole (lower-cased, white-space-collapsed) line must match.
LINE_RULES: dict[str, re.Pattern[str]] = {
    "ad_label": re.compile(r"(sponsored|advertisement|iklan|scroll to continue with content)"),
    "theme_toggle": re.compile(r"(sun|moon)"),
    "logo_text": re.compile(r"(a l i n e a dot id|logo alinea\.id|alinea\.id)"),
    "tagline": re.compile(r"fakta data kata"),
    "popup_close": re.compile(r"[×✕x]"),
    "widget": re.compile(r"tekid"),
    "related_heading": re.compile(r"berita lainnya"),
    # "Baca juga: …", and its English forms "Read more: …", "Related: …", "See also: …"
    "baca_juga": re.compile(r"baca juga\s*:.*|(?:read more|related(?: (?:post|article|story|coverage|reading))?|"
                            r"see also|also read)\s*:\s*.{0,140}"),
    # a related box's heading alone: "Berita Terkait", "You may also like…", "Popular on IndieWire"
    "related_heading_other": re.compile(
        r"(?:berita|artikel) (?:terkait|pilihan)|lihat juga|baca juga|"
        r"(?:you (?:may|might) also like|related (?:posts?|articles?|stories|content|coverage|reading)|read more|"
        r"more|explore further|don'?t miss|popular on [\w.]+|recommended(?: for you)?|more from [\w. ]{1,40}|"
        r"trending(?: now| news)?|latest news)\W*"),
    # a widget's label alone: "Tags", "Topics", "Share on Facebook", "Text size", "Thanks for watching!"
    "widget_label": re.compile(r"(?:tags|topics|text size|share (?:on|via) (?:facebook|twitter|email|linkedin|"
                               r"pinterest|whatsapp|messenger|reddit|x)|reuse this content|thanks for watching)\W*"),
    # "Simak berita lainnya di Google News", "Ikuti saluran WhatsApp kami", "Simak juga video berikut:":
    # a short line that opens with an invitation and names a channel (a sentence about one does not open so)
    "call_to_action": re.compile(
        r"\W*(?:simak|ikuti|follow|gabung|bergabung(?:lah)?|join|dapatkan|klik|click here to|sign up|subscribe|"
        r"(?:ber)?langganan|unduh|"
        r"download|tonton|saksikan|kunjungi|jangan lewatkan|cek|pantau|baca berita)\b[^.!?]{0,100}?"
        r"\b(?:google news|whatsapp|whats app|telegram|instagram|tiktok|tik tok|youtube|twitter|facebook|threads|"
        r"line today|channel|saluran|newsletter|video|podcast|aplikasi)\b.{0,80}"),
    # "Halaman 1 2 Selanjutnya", "Page 2 of 3", "1 2 3 Berikutnya »", "« Sebelumnya": an article pager
    "pager": re.compile(
        rf"(?:halaman|page|hal\.?)\s*:?\s*(?:\d+\s*(?:dari|of|/)\s*\d+|{_PREVIOUS}(?:\d+\s*)+(?:{_NEXT}\s*)?[»›>]?\s*)"
        rf"|{_PREVIOUS}\d+(?:\s+\d+)+\s*{_NEXT}\s*[»›>]?"
        r"|(?:[«‹<]\s*)?(?:halaman )?(?:selanjutnya|berikutnya|sebelumnya)\s*[»›>]?"),
    # "Komentar", "3 Komentar", "Tulis komentar…", "Leave a comment": a comment section's heading or form
    "comments_heading": re.compile(r"(?:\d+\s+)?(?:komentar|comments?)(?:\s*\(\d+\))?|(?:tulis|beri|kirim|lihat|"
                                   r"tampilkan)(?: semua)? komentar.{0,60}|leave a (?:comment|reply).{0,40}"),
    # "Editor: Dewi Anggraini", "Penyunting: …": a whole short line naming one person
    "editor_line": re.compile(r"(editor|penyunting|redaktur)\s*:\s*[^.!?:]{2,60}"),
}


class _RuleMatcher:
    """ELEMENT_RULES compiled for one Python walk: lookups by tag, class token and id, substring searches for
    the ``^=``/``*=`` tests, a Python test for the few other simple selectors, XPath for the rest.

    libxml2 walks the container once per selector of a union (~25 µs each even on a small page), and a Python
    test per selector per element costs as much; a dictionary lookup per class token does not. What the
    selectors find depends only on an element's tag, class, id and the few attributes the tests read: the
    answer is kept per such markup (a template repeats its markup on every page).
    """

    def __init__(self, rules: dict[str, str]):
        self.order = {rule: i for i, rule in enumerate(rules)}
        self.by_tag: dict[str, str] = {}
        self.by_class: dict[str, str] = {}
        self.by_id: dict[str, str] = {}
        patterns: dict[str, list[tuple[str, bool, str]]] = {"class": [], "id": []}
        self.tests: list[tuple[Callable[[Any], bool], str]] = []
        self.test_attributes: set[str] = set()  # the attributes the tests read besides class and id
        self.xpaths: dict[str, etree.XPath] = {}
        for rule, query in rules.items():
            if query.startswith(".//"):
                self.xpaths[rule] = etree.XPath(query)
                continue
            for selector in cssselect.parse(query):
                self._add(selector.parsed_tree, rule, patterns)
        # attribute -> (value, prefix only, rule) of its ``^=``/``*=`` selectors, in rule order
        self.patterns = {attr: alternatives for attr, alternatives in patterns.items() if alternatives}
        self.markup_attributes = ("class", "id", *sorted(self.test_attributes - {"class", "id"}))
        self._by_markup: dict[tuple[str | None, ...], str | None] = {}

    def _add(self, tree: Any, rule: str, patterns: dict[str, list[tuple[str, bool, str]]]) -> None:
        inner = getattr(tree, "selector", None)
        plain = isinstance(inner, cssselect.parser.Element) and inner.element in (None, "*")
        if isinstance(tree, cssselect.parser.Element) and tree.element not in (None, "*"):
            self.by_tag.setdefault(tree.element, rule)
        elif plain and isinstance(tree, cssselect.parser.Class):
            self.by_class.setdefault(tree.class_name, rule)
        elif plain and isinstance(tree, cssselect.parser.Hash):
            self.by_id.setdefault(tree.id, rule)
        elif (plain and isinstance(tree, cssselect.parser.Attrib) and tree.attrib in patterns
              and tree.operator in ("^=", "*=")):
            patterns[tree.attrib].append((tree.value.value, tree.operator == "^=", rule))
        elif (test := css_test(tree)) is not None:
            self.tests.append((test, rule))
            self.test_attributes.update(_attributes_read(tree))
        else:
            raise ValueError(f"boilerplate rule {rule!r}: selector {tree!r} is neither simple nor XPath")

    def rule_of(self, element: Any, by_xpath: dict[Any, str]) -> str | None:
        """The first rule (in ELEMENT_RULES order) this element matches, else ``None``."""
        get = element.get
        markup = (element.tag, *map(get, self.markup_attributes))
        if (rule := self._by_markup.get(markup, _UNKNOWN)) is _UNKNOWN:
            if len(self._by_markup) >= MARKUP_CACHE:
                self._by_markup.clear()
            rule = self._by_markup[markup] = self._selector_rule(element)
        if (by_path := by_xpath.get(element)) and (rule is None or self.order[by_path] < self.order[rule]):
            return by_path
        return rule

    def _selector_rule(self, element: Any) -> str | None:
        """The first rule of a CSS selector this element matches, else ``None``."""
        hits = []
        if rule := self.by_tag.get(element.tag):
            hits.append(rule)
        for attr, value in element.items():
            if attr == "class":
                hits.extend(rule for token in value.split() if (rule := self.by_class.get(token)))
            elif attr == "id" and (rule := self.by_id.get(value)):
                hits.append(rule)
            if (alternatives := self.patterns.get(attr)) and (rule := _first_substring(value, alternatives)):
                hits.append(rule)
        hits.extend(rule for test, rule in self.tests if test(element))
        return min(hits, key=self.order.__getitem__) if hits else None

    def matches(self, root: Any) -> Iterator[tuple[Any, str]]:
        """(element, rule) under ``root``, in document order (an element before the ones inside it)."""
        by_xpath: dict[Any, str] = {}
        for rule, xpath in self.xpaths.items():
            if (gate := _XPATH_RULE_GATES.get(rule)) and not gate(root):
                continue
            for element in xpath(root):
                by_xpath.setdefault(element, rule)
        for element in root.iterdescendants(etree.Element):
            if rule := self.rule_of(element, by_xpath):
                yield element, rule


_UNKNOWN = object()
MARKUP_CACHE = 4096  # kinds of markup kept (replica bodies: 8; 181 pages of as many sites: ~3,900)


def _attributes_read(tree: Any) -> Iterator[str]:
    """The attributes a simple selector tests (``[NAME…]``)."""
    while tree is not None:
        if isinstance(tree, cssselect.parser.Attrib):
            yield tree.attrib
        tree = getattr(tree, "selector", None)


# What a block holds when an XPath rule can match in it, asked first: libxml2 finds no <figure> (no bold label)
# faster by tag than by XPath (the label's words are not: serialising a block's text costs more than the rule's XPath).
_XPATH_RULE_GATES: dict[str, Callable[[Any], bool]] = {
    "baca_juga_label": lambda root: next(root.iterdescendants("strong", "b"), None) is not None,
    "figure": lambda root: next(root.iterdescendants("figure"), None) is not None,
}


def _first_substring(value: str, alternatives: list[tuple[str, bool, str]]) -> str | None:
    """The rule a regex search for the alternatives (``^value`` or ``value``, in order) would report: the one
    found first in ``value``, the earlier alternative at the same place. A ``find`` per alternative: a search
    of twenty-odd alternatives tries each of them at every character (~5 µs per class attribute)."""
    best = None
    for wanted, prefix, rule in alternatives:
        at = (0 if value.startswith(wanted) else -1) if prefix else value.find(wanted)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, rule)
    return best[1] if best else None


_MATCHER = _RuleMatcher(ELEMENT_RULES)


def drop_boilerplate_elements(container: Selector) -> Counter[str]:
    """Remove every ELEMENT_RULES match inside ``container`` (in place, on its lxml tree)."""
    removed: Counter[str] = Counter()
    root = container.root
    for element, rule in list(_MATCHER.matches(root)):
        if root in element.iterancestors():  # not inside one dropped already
            drop_element(element)
            removed[rule] += 1
    plain = plain_text(root)  # both searches read the same tree: the boxes are dropped after
    for rule, boxes in (("baca_juga_box", baca_juga_boxes(root, plain)), ("related_box", related_boxes(root, plain))):
        for box in boxes:
            drop_element(box)
            removed[rule] += 1
    return removed


def drop_element(element, write: Callable[[Any, str, str], None] = setattr) -> None:
    """Remove an element and its content, keeping the text after it (lxml.html's ``drop_tree``); ``write``
    sets that text where it goes (a recorder of changes to undo passes its own)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            write(parent, "text", (parent.text or "") + element.tail)
        else:
            write(previous, "tail", (previous.tail or "") + element.tail)
    parent.remove(element)


def baca_juga_boxes(root, plain: str | None = None) -> list:
    """Blocks that begin with a "Baca juga" label and are otherwise links: a box, a list, a paragraph.

    From each mention of the label, the largest block ancestor that still begins
    with it and holds almost no text besides its links is the box. A label
    inside a paragraph of prose ("… baca juga laporan kami …") is no box.
    ``plain``: ``plain_text(root)``, when the caller has it.
    """
    return _link_boxes(root, _MENTIONS_BACA_JUGA, BACA_JUGA_LABEL, ("baca juga",), plain)


def related_boxes(root, plain: str | None = None) -> list:
    """Blocks that begin with "Berita Terkait", "Artikel Terkait", "Lihat juga"… and are otherwise links."""
    return _link_boxes(root, _MENTIONS_RELATED, RELATED_LABEL, ("terkait", "lainnya", "pilihan", "lihat juga"), plain)


def _link_boxes(root, mentions: etree.XPath, label: re.Pattern[str], words: tuple[str, ...],
                plain: str | None) -> list:
    if not _mentions(plain_text(root) if plain is None else plain, words):
        return []
    boxes = []
    for text in mentions(root):
        if not label.match(collapse(text)):  # the label opens its box: a word in prose opens nothing
            continue
        box = None
        for element in _ancestors_from(text.getparent(), root):
            if element.tag in _BOX_TAGS and _is_link_box(element, label):
                box = element
        if box is not None and not any(box is b or b in box.iterancestors() for b in boxes):
            boxes.append(box)
    return boxes


def plain_text(root) -> str:
    """libxml2's plain text of a whole block (no Python walk), lower-cased: ~6 µs for an article body."""
    return etree.tostring(root, method="text", encoding="unicode", with_tail=False).lower()


def _mentions(raw: str, words: tuple[str, ...]) -> bool:
    """Does a block's ``plain_text``, white space collapsed, hold one of these words? Most blocks hold no part
    of any: asked of the raw text first, collapsed only when one might."""
    if not any(all(part in raw for part in word.split()) for word in words):
        return False
    text = collapse(raw)
    return any(word in text for word in words)


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
    return _line_rule(collapse(line))


def _line_rule(collapsed: str) -> str | None:
    """``boilerplate_rule`` of a line whose white space is collapsed already."""
    match = _ANY_LINE_RULE.fullmatch(collapsed.lower())
    return match.lastgroup if match else None


@dataclass
class CleanText:
    text: str  # paragraphs collapsed (``collapse``), joined by a blank line
    removed: Counter[str]

    @property
    def words(self) -> int:
        """``len(self.text.split())``, counted off the text's shape (words one space apart, paragraphs one
        blank line apart) without a list of its words."""
        return self.text.count(" ") + self.text.count("\n\n") + 1 if self.text else 0


def clean_paragraphs(paragraphs: list[str]) -> CleanText:
    """Join kept paragraphs with a blank line; count the lines dropped."""
    removed: Counter[str] = Counter()
    kept = []
    for paragraph in paragraphs:
        paragraph = collapse(paragraph)
        if not paragraph:
            continue
        rule = _line_rule(paragraph)
        if rule:
            removed[rule] += 1
        else:
            kept.append(paragraph)
    return CleanText("\n\n".join(kept), removed)
