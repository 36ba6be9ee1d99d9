"""The fallback ladder shared by every page kind: JSON-LD, then meta, then DOM."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

import cssselect
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from trafilatura.utils import is_dubious_html, repair_faulty_html

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
    if text.strip():
        beginning = text[:50].lower()
        root = etree.fromstring(repair_faulty_html(text, beginning).encode("utf-8", "surrogatepass"), _HTML_PARSER)
        if root is not None and is_dubious_html(beginning) and len(root) < 2:
            root = None
    return Selector(root=root, type="html") if root is not None else Selector(text=text or "<html></html>")


def ld_objects(sel: Selector) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` members flattened."""
    objects: list[dict[str, Any]] = []
    for raw in elements(sel, '//script[@type="application/ld+json"]/text()', css=False):
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


_META = etree.XPath("//meta[@content]", smart_strings=False)


def meta_map(sel: Selector) -> dict[str, list[str]]:
    """Every ``<meta property|name=… content=…>`` of the page in one pass: name -> contents, in page order."""
    found: dict[str, list[str]] = {}
    for node in _META(sel.root):
        content = clean_text(node.get("content"))
        for key in {node.get("property"), node.get("name")} - {None}:
            if content:
                found.setdefault(key, []).append(content)
    return found


def clean_text(value: str | None) -> str | None:
    """Collapse white space; empty becomes ``None``."""
    if value is None:
        return None
    return " ".join(value.split()) or None


# Compiled once and run on the lxml element itself: no Selector per text node (the hot path of extraction).
_visible_text = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]", smart_strings=False)


def text_of(sel: Selector | None) -> str | None:
    """The visible text of one element, white space collapsed."""
    return None if sel is None else node_text(sel.root)


def first_css(sel: Selector, queries: Iterable[str]) -> Selector | None:
    """The first element matched by the first query that matches."""
    for query in queries:
        found = elements(sel, query)
        if found:
            return wrap(sel, found[0])
    return None


# Compiled CSS: the same XPath that ``Selector.css`` evaluates, compiled once and run
# on the lxml tree, without a Selector per match. Used on the hot path of extraction.
_css_translator = HTMLTranslator()


@lru_cache(maxsize=256)
def compiled(query: str, css: bool = True) -> etree.XPath:
    return etree.XPath(_css_translator.css_to_xpath(query) if css else query, smart_strings=False)


def elements(sel: Selector, query: str, css: bool = True) -> list[Any]:
    """The lxml nodes of ``sel.css(query)`` (``sel.xpath(query)`` with ``css=False``)."""
    if sel.type == "html" and isinstance(sel.root, etree._Element):
        return compiled(query, css)(sel.root)
    found = sel.css(query) if css else sel.xpath(query)
    return [s.root for s in found]


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
        compare = {"exists": lambda v: True, "=": lambda v: v == value, "^=": lambda v: v.startswith(value),
                   "*=": lambda v: value in v, "$=": lambda v: v.endswith(value)}.get(tree.operator)
        if compare is None:
            return None
        return lambda e: (v := e.get(attrib)) is not None and compare(v) and inner(e)
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
