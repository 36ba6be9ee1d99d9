"""The fallback ladder shared by every page kind: JSON-LD, then meta, then DOM."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from parsel import Selector

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "OpinionNewsArticle",
     "AnalysisNewsArticle", "BlogPosting"}
)


def ld_objects(sel: Selector) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` members flattened."""
    objects: list[dict[str, Any]] = []
    for raw in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
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


def ld_article(sel: Selector) -> dict[str, Any]:
    """The first NewsArticle-like JSON-LD object, or ``{}``."""
    return next((o for o in ld_objects(sel) if ld_types(o) & ARTICLE_TYPES), {})


def meta(sel: Selector, name: str) -> str | None:
    """``<meta property=name>`` or ``<meta name=name>`` content, stripped."""
    value = sel.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content').get()
    return clean_text(value)


def meta_all(sel: Selector, name: str) -> list[str]:
    values = sel.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content').getall()
    return [v for v in map(clean_text, values) if v]


def clean_text(value: str | None) -> str | None:
    """Collapse white space; empty becomes ``None``."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def text_of(sel: Selector | None) -> str | None:
    """The visible text of one element, white space collapsed."""
    if sel is None:
        return None
    return clean_text(" ".join(sel.xpath(".//text()[not(ancestor::script or ancestor::style)]").getall()))


def first(*candidates: Any) -> Any:
    """The first candidate that is not empty: the ladder in one call."""
    return next((c for c in candidates if c), None)


def first_css(sel: Selector, queries: Iterable[str]) -> Selector | None:
    """The first element matched by the first query that matches."""
    for query in queries:
        found = sel.css(query)
        if found:
            return found[0]
    return None


def names_of(value: Any) -> list[str]:
    """Names from a JSON-LD person/list/string value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return names_of(value.get("name"))
    if isinstance(value, list):
        return [name for entry in value for name in names_of(entry)]
    return []
