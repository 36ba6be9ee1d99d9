"""The fallback ladder shared by every page kind: JSON-LD, then meta, then DOM."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import cssselect
from lxml import etree
from parsel import Selector
from cssselect.xpath import XPathExpr, is_safe_name
from parsel.csstranslator import HTMLTranslator
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html, repair_faulty_html

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "OpinionNewsArticle",
     "AnalysisNewsArticle", "BlogPosting"}
)


# lxml's plain element classes: lxml.html's HtmlElement costs a Python class lookup on every element the
# readers touch (a third of the extraction time on real pages); none of its methods is needed.
_HTML_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False,
                                default_doctype=False)


def parse_html(text: str) -> Selector:
    """A page parsed once, for every reader: trafilatura's repair of faulty markup, comments dropped.

    A text that is not HTML (no ``html`` in its first 50 characters and under two top elements, trafilatura's
    test) is parsed by parsel as before.
    """
    root = None
    if text and not text.isspace():  # text.strip(), without copying the page
        beginning = text[:50].lower()
        root = etree.fromstring(_repaired(text, beginning), _HTML_PARSER)
        if root is not None and is_dubious_html(beginning) and len(root) < 2:
            root = None
    return Selector(root=root, type="html") if root is not None else Selector(text=text or "<html></html>")


# The bytes of trafilatura's INVALID_XML_CHARS in UTF-8: ASCII controls (U+FFFE and U+FFFF are asked of the text).
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _repaired(text: str, beginning: str) -> bytes:
    """``repair_faulty_html(text, beginning)`` in UTF-8, its whole-page regex run only when it removes something.

    Its first step deletes INVALID_XML_CHARS from the whole page with a regex over every character (a third
    of libxml2's parse time on a replica page). Whether the page holds any is asked in C instead: of the
    UTF-8 bytes the parser needs anyway (``bytes.translate``), and of the text for the two non-characters
    (no search at all in an ASCII text). Its other steps read the first line and the first 4096 characters
    and run as they are, with the page's bytes extended rather than encoded again.
    """
    data: bytes | None = text.encode("utf-8", "surrogatepass")
    if (len(data.translate(None, _CONTROL_BYTES)) != len(data)
            or not text.isascii() and ("\ufffe" in text or "\uffff" in text)):
        return repair_faulty_html(text, beginning).encode("utf-8", "surrogatepass")
    if "doctype" in beginning:  # a DOCTYPE with a slash on the first line; a newline after that line
        first_line, newline, rest = text.partition("\n")
        fixed = DOCTYPE_TAG.sub("", first_line, count=1)
        if fixed != first_line:
            text, data = fixed + "\n" + rest, None
        elif not newline:
            text, data = text + "\n", data + b"\n"
    head = text[:4096]
    if "<html" in head and "/>" in head:  # a self-closing <html/> in the first four lines
        for line in head.splitlines()[:4]:
            if "<html" in line and line.endswith("/>"):
                text, data = FAULTY_HTML.sub(r"\1>", text, count=1), None
                break
    return text.encode("utf-8", "surrogatepass") if data is None else data


def ld_objects(sel: Selector, scripts: list[Any] | None = None) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` members flattened (``scripts``: its ``<script>`` elements,
    when known)."""
    objects: list[dict[str, Any]] = []
    scripts = tagged(sel, "script") if scripts is None else scripts
    for raw in (script.text for script in scripts if script.get("type") == "application/ld+json"):
        if raw is None:  # an empty script has no text node
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        objects.extend(_flatten(data))
    return objects


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _flatten(entry)
    elif isinstance(data, dict):
        yield data
        yield from _flatten(data.get("@graph", []))


def ld_types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", ())
    return {kind} if isinstance(kind, str) else set(kind)


def ld_article(sel: Selector, objects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The first NewsArticle-like JSON-LD object, or ``{}`` (``objects``: ``ld_objects(sel)`` if known)."""
    return next((o for o in (ld_objects(sel) if objects is None else objects) if ld_types(o) & ARTICLE_TYPES), {})


def meta_map(sel: Selector, metas: list[Any] | None = None) -> dict[str, list[str]]:
    """Every ``<meta property|name=… content=…>`` of the page in one pass: name -> contents, in page order
    (``metas``: its ``<meta>`` elements, when known)."""
    found: dict[str, list[str]] = {}
    for node in tagged(sel, "meta") if metas is None else metas:
        if content := clean_text(node.get("content")):
            prop, name = node.get("property"), node.get("name")
            if prop is not None:
                found.setdefault(prop, []).append(content)
            if name is not None and name != prop:
                found.setdefault(name, []).append(content)
    return found


def clean_text(value: str | None) -> str | None:
    """Collapse white space; empty becomes ``None``."""
    if value is None:
        return None
    return collapse(value) or None


def collapse(text: str) -> str:
    """``" ".join(text.split())``, without splitting a text that is collapsed already (most of a page's).

    A text holding no white space but the plain space, without two spaces in a row or at either end, is its
    own collapsed form. A printable text holds no other white space (``str.split`` splits on characters of the
    categories Cc, Zs, Zl and Zp only, all of them unprintable except " "), but ``isprintable`` looks each
    character up in the Unicode tables (~1.7 µs for a paragraph of 280 characters): a longer ASCII text (known
    without reading it) is asked for each of its other white-space characters instead, a ``memchr`` each
    (~0.3 µs). All the tests are C loops over the text, no list of words.
    """
    if len(text) < 40 or not text.isascii():
        plain = text.isprintable()
    else:
        plain = ("\n" not in text and "\t" not in text and "\r" not in text and "\x0b" not in text
                 and "\x0c" not in text and "\x1c" not in text and "\x1d" not in text and "\x1e" not in text
                 and "\x1f" not in text)
    if plain and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


# Compiled once and run on the lxml element itself: no Selector per text node (the hot path of extraction).
_visible_text = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]", smart_strings=False)


def text_of(sel: Selector | None) -> str | None:
    """The visible text of one element, white space collapsed."""
    return None if sel is None else node_text(sel.root)


# Compiled CSS: the same XPath that ``Selector.css`` evaluates, compiled once and run
# on the lxml tree, without a Selector per match. Used on the hot path of extraction.
_css_translator = HTMLTranslator()


@lru_cache(maxsize=256)
def compiled(query: str, css: bool = True) -> etree.XPath:
    return etree.XPath(css_to_xpath(query) if css else query, smart_strings=False)


def css_to_xpath(query: str) -> str:
    """``Selector.css``'s XPath, a selector of one tag and one attribute test written from the attribute's side.

    ``//*[@class and …]`` makes libxml2 evaluate a predicate on every element of the page, ``//@class[…]/..``
    only on the elements that have the attribute: the same elements in the same order, 2-4× faster
    (most of a known-layout page's queries are one class or one ``[itemprop=…]``). Such selectors of one
    union on the same tag and attribute share one walk (``.a, .b``: ``//@class[a or b]/..``).
    """
    paths: list[str] = []
    tests: dict[str, list[str]] = {}  # "TAG/@NAME" -> the tests of its selectors
    for selector in cssselect.parse(query):
        if by_attribute := _by_attribute(selector):
            step, test = by_attribute
            if step not in tests:
                tests[step] = []
                paths.append(step)
            tests[step].append(test)
        else:
            paths.append(_css_translator.selector_to_xpath(selector, translate_pseudo_elements=True))
    return " | ".join(
        f"descendant-or-self::{path}[{' or '.join(f'({test})' for test in tests[path])}]/.." if path in tests
        else path for path in paths)


def _by_attribute(selector: cssselect.Selector) -> tuple[str, str] | None:
    """(``TAG/@NAME``, the test of the attribute node) for ``TAG.class``, ``TAG#id``, ``TAG[NAME=value]``…;
    ``None`` for any other selector."""
    tree, translator = selector.parsed_tree, _css_translator
    if selector.pseudo_element or not isinstance(tree, (cssselect.parser.Class, cssselect.parser.Hash,
                                                         cssselect.parser.Attrib)):
        return None
    if not isinstance(tree.selector, cssselect.parser.Element) or tree.selector.namespace:
        return None
    if isinstance(tree, cssselect.parser.Class):
        name, test = "class", translator.xpath_attrib_includes(XPathExpr(), ".", tree.class_name)
    elif isinstance(tree, cssselect.parser.Hash):
        name, test = "id", translator.xpath_attrib_equals(XPathExpr(), ".", tree.id)
    else:
        name = tree.attrib.lower()
        if tree.namespace or tree.flag or not is_safe_name(name):
            return None
        value = tree.value.value if tree.value is not None else None
        operator = translator.attribute_operator_mapping[tree.operator]
        test = getattr(translator, f"xpath_attrib_{operator}")(XPathExpr(), ".", value)
    if test.condition == "0":  # an empty class or value never matches: the translator's own form says so
        return None
    return f"{translator.xpath(tree.selector)}/@{name}", test.condition


def elements(sel: Selector, query: str, css: bool = True) -> list[Any]:
    """The lxml nodes of ``sel.css(query)`` (``sel.xpath(query)`` with ``css=False``)."""
    if sel_is_html(sel):
        return compiled(query, css)(sel.root)
    found = sel.css(query) if css else sel.xpath(query)
    return [s.root for s in found]


# The elements every article page's readers look for by tag: JSON-LD scripts, meta tags, the canonical link, the
# headline (``PageQueries.tagged``).
PAGE_TAGS = ("script", "meta", "link", "h1")


def tagged(sel: Selector, tag: str) -> list[Any]:
    """The elements of ``//TAG`` in ``sel``'s document, in document order.

    lxml's ``iter(TAG)`` walks the tree in C without an XPath context: ~1 µs on a replica page where
    each whole-page XPath costs ~2 µs before it reads a node (the JSON-LD scripts, the meta tags, the
    canonical link, the headline). libxml2's HTML parser lower-cases tag names and keeps every element
    under the one ``<html>`` element, so the walk from the document's root element is ``//TAG``.
    """
    if not sel_is_html(sel):
        return elements(sel, f"//{tag}", css=False)
    return list(sel.root.getroottree().getroot().iter(tag))


@lru_cache(maxsize=256)
def class_selectors(query: str) -> tuple[tuple[str | None, str], ...] | None:
    """(tag or ``None``, class) of each selector of a union of ``TAG.class``/``.class`` selectors, else ``None``."""
    found = []
    for selector in cssselect.parse(query):
        tree, by_attribute = selector.parsed_tree, _by_attribute(selector)
        if by_attribute is None or not isinstance(tree, cssselect.parser.Class):
            return None
        tag = by_attribute[0].partition("/@")[0]  # the translator's own name test: lower-cased, "*" for any
        found.append((None if tag == "*" else tag, tree.class_name))
    return tuple(found)


@lru_cache(maxsize=256)
def tag_selector(query: str) -> tuple[str, str | None, str, str | None] | None:
    """(tag, attribute, operator, value) of a selector ``TAG``, ``TAG[NAME]`` or ``TAG[NAME OP value]`` with ``OP``
    one of ``=``, ``^=``, ``$=``, ``*=`` (attribute and value ``None`` where it has none, operator ``exists``), else
    ``None``: lxml's ``iter(TAG)`` answers it in C, without an XPath context (~2 µs a query on a replica page:
    ``html[amp]``, ``article``). Names lower-cased as the HTML translator does."""
    selectors = cssselect.parse(query)
    if len(selectors) != 1 or selectors[0].pseudo_element:
        return None
    tree, name, operator, value = selectors[0].parsed_tree, None, "exists", None
    if isinstance(tree, cssselect.parser.Attrib):
        if tree.namespace or tree.flag or tree.operator not in _ATTRIBUTE_TESTS:
            return None
        name, operator = tree.attrib.lower(), tree.operator
        value = tree.value.value if tree.value is not None else None
        tree = tree.selector
    if not isinstance(tree, cssselect.parser.Element) or tree.namespace or tree.element in (None, "*"):
        return None
    return tree.element.lower(), name, operator, value


# CSS attribute operators as the translator's XPath reads them: an empty value begins, ends or is in no value.
_ATTRIBUTE_TESTS: dict[str, Callable[[str, str], bool]] = {
    "exists": lambda got, value: True,
    "=": lambda got, value: got == value,
    "^=": lambda got, value: bool(value) and got.startswith(value),
    "$=": lambda got, value: bool(value) and got.endswith(value),
    "*=": lambda got, value: bool(value) and value in got,
}


_CLASS_VALUES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
_WITH_CLASS = etree.XPath("descendant-or-self::*/@class/..", smart_strings=False)
_XML_SPACE = re.compile(r"[ \t\n\r]+")  # what XPath's normalize-space() collapses


class ClassIndex:
    """Class selectors answered from the class attributes of one element's subtree, read once.

    libxml2 evaluates the CSS translator's ``contains(concat(' ', normalize-space(@class), ' '), ' x ')`` on
    every class attribute for every query (~10 µs on a replica page, up to ~150 on a real one). Here the
    attributes' values are read once (one walk in libxml2, no predicate); a class that no value contains is
    answered by one substring test, and only the values that contain it are split into tokens as
    normalize-space() does. Same elements, same (document) order; valid while the tree is unchanged.
    """

    def __init__(self, root: Any):
        self.root = root
        self.values: list[str] = _CLASS_VALUES(root)
        # NUL (never in a libxml2 string) between values: the value at an offset is the count of NULs before it
        self.text = "\0".join(self.values)
        self._elements: list[Any] | None = None

    def select(self, selectors: tuple[tuple[str | None, str], ...]) -> list[Any] | None:
        """The elements of ``class_selectors``' result, ``None`` when the index cannot answer."""
        hits: set[int] = set()
        for tag, name in selectors:
            offset = self.text.find(name)
            if offset < 0:
                continue
            if self._elements is None:
                self._elements = _WITH_CLASS(self.root)
            if len(self._elements) != len(self.values):  # one class attribute per element, always in HTML
                return None
            while offset >= 0:
                i = self.text.count("\0", 0, offset)
                if name in _XML_SPACE.split(self.values[i]) and (tag is None or self._elements[i].tag == tag):
                    hits.add(i)
                end = self.text.find("\0", offset)  # the next value's beginning: one test per value
                offset = self.text.find(name, end) if end >= 0 else -1
        return [self._elements[i] for i in sorted(hits)]


class PageQueries:
    """The elements of each query on one page, asked once (CSS, or XPath with ``css=False``); class
    selectors of the whole page answered by a ``ClassIndex``. Ask before anything changes the tree."""

    def __init__(self, sel: Selector):
        self.sel = sel
        self._found: dict[tuple[str, bool], list[Any]] = {}
        self._classes: ClassIndex | None = None
        self._tagged: dict[str, list[Any]] = {}

    def tagged(self, tag: str) -> list[Any]:
        """``tagged(sel, tag)``; the page's ``PAGE_TAGS`` elements all found in one walk (~1 µs a walk saved
        per tag on a replica page)."""
        if tag not in self._tagged:
            if tag in PAGE_TAGS and sel_is_html(self.sel):
                found: dict[str, list[Any]] = {name: [] for name in PAGE_TAGS}
                for element in self.sel.root.getroottree().getroot().iter(*PAGE_TAGS):
                    found[element.tag].append(element)
                self._tagged.update(found)
            else:
                self._tagged[tag] = tagged(self.sel, tag)
        return self._tagged[tag]

    def class_values_hold(self, text: str) -> bool:
        """Does any class attribute of the page hold ``text`` (True: it cannot tell, not an HTML page)?"""
        if not sel_is_html(self.sel):
            return True
        if self._classes is None:
            self._classes = ClassIndex(self.sel.root)
        return text in self._classes.text

    def __call__(self, query: str, css: bool = True) -> list[Any]:
        key = (query, css)
        if key not in self._found:
            found = None
            if css and sel_is_html(self.sel) and (selectors := class_selectors(query)) is not None:
                if self._classes is None:
                    self._classes = ClassIndex(self.sel.root)
                found = self._classes.select(selectors)
            elif css and sel_is_html(self.sel) and (selector := tag_selector(query)) is not None:
                found = _having(self.sel.root.iter(selector[0]), *selector[1:])
            elif css and sel_is_html(self.sel) and (combined := descendant_selector(query)) is not None:
                found = self._descendants(*combined)
            self._found[key] = elements(self.sel, query, css) if found is None else found
        return self._found[key]

    def _descendants(self, ancestor: str, selector: tuple[str, str | None, str, str | None]) -> list[Any]:
        """``ANCESTOR TAG[…]``: the matches under each element of ``ancestor``, in document order, each once (an
        element inside one already read is skipped)."""
        found: list[Any] = []
        last = None
        for top in self(ancestor):
            if last is None or last not in top.iterancestors():
                found += _having(top.iterdescendants(selector[0]), *selector[1:])
                last = top
        return found


def _having(candidates: Iterator[Any], name: str | None, operator: str, value: str | None) -> list[Any]:
    """The candidates whose attribute ``name`` passes ``operator`` with ``value`` (``tag_selector``); all of them
    when ``name`` is ``None``."""
    if name is None:
        return list(candidates)
    test = _ATTRIBUTE_TESTS[operator]
    return [e for e in candidates if (got := e.get(name)) is not None and test(got, value)]


@lru_cache(maxsize=256)
def descendant_selector(query: str) -> tuple[str, tuple[str, str | None, str, str | None]] | None:
    """(ancestor, ``tag_selector`` of the descendant) of a selector ``A B`` whose ``A`` ``PageQueries`` answers
    without XPath (a union of class selectors, a ``tag_selector``) and whose ``B`` is a ``tag_selector``
    (``div.detail article``: ~12 µs as XPath on a replica page, the translator's class test on every div)."""
    selectors = cssselect.parse(query)
    if len(selectors) != 1 or selectors[0].pseudo_element:
        return None
    tree = selectors[0].parsed_tree
    if (not isinstance(tree, cssselect.parser.CombinedSelector) or tree.combinator != " "
            or isinstance(tree.selector, cssselect.parser.CombinedSelector)):
        return None
    ancestor, descendant = tree.selector.canonical(), tag_selector(tree.subselector.canonical())
    if descendant is None or class_selectors(ancestor) is None and tag_selector(ancestor) is None:
        return None
    return ancestor, descendant


def sel_is_html(sel: Selector) -> bool:
    """Is ``sel`` an HTML element that ``elements`` queries through compiled XPath?"""
    return sel.type == "html" and isinstance(sel.root, etree._Element)


Test = Callable[[Any], bool]


def css_test(tree: Any) -> Test | None:
    """A Python test of one element for a simple CSS selector (tag, ``.class``, ``#id``, ``[attr op value]``);
    ``None`` for anything else (combinators, pseudo-classes)."""
    if isinstance(tree, cssselect.parser.Element):
        tag = tree.element
        return (lambda e: True) if tag in (None, "*") else (lambda e: e.tag == tag)
    inner = css_test(tree.selector) if hasattr(tree, "selector") else None
    if inner is None:
        return None
    if isinstance(tree, cssselect.parser.Class):
        name = tree.class_name
        return lambda e: name in (e.get("class") or "").split() and inner(e)
    if isinstance(tree, cssselect.parser.Hash):
        ident = tree.id
        return lambda e: e.get("id") == ident and inner(e)
    if isinstance(tree, cssselect.parser.Attrib) and tree.namespace is None:
        attrib, value = tree.attrib, tree.value.value if tree.value else None
        compare = _ATTRIBUTE_TESTS.get(tree.operator)
        if compare is None:
            return None
        return lambda e: (v := e.get(attrib)) is not None and compare(v, value) and inner(e)
    return None


def wrap(sel: Selector, node: Any) -> Selector:
    """A node found under ``sel`` as a Selector, as ``Selector.xpath`` makes it."""
    return sel.__class__(root=node, namespaces=sel.namespaces, type="xml" if sel.type == "xml" else "html")


def node_text(node: Any) -> str | None:
    """``text_of`` an lxml element."""
    return clean_text(" ".join(_visible_text(node)))


def strings_of(value: Any) -> list[str]:
    """The strings in a JSON-LD value of any shape: a string, a list (of lists), objects with a name or value
    (authors as Person objects, keywords as DefinedTerms), white space collapsed, empty ones left out."""
    if isinstance(value, str):
        return [text] if (text := clean_text(value)) else []
    if isinstance(value, dict):
        return strings_of(value.get("name", value.get("@value")))
    if isinstance(value, (list, tuple)):
        return [text for entry in value for text in strings_of(entry)]
    return []
