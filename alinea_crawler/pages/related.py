"""Related-article links of an article page: inline "Baca juga" and "Berita Lainnya"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from parsel import Selector

from ..urls import absolute, article_id, canonical_url, same_site
from ..cleaning import baca_juga_boxes
from .common import PageQueries, compiled, elements, wrap

# The CSS translator's test for a class, asked of the class attribute itself (``//*/@class[…]/..``: libxml2
# then tests only the elements that have one, see ``common.css_to_xpath``); the cheap contains() first.
_HAS_CLASS = "contains(., '{0}') and contains(concat(' ', normalize-space(.), ' '), ' {0} ')"
# Inline "Baca juga:" paragraphs: by class, or by their bold "Baca juga" label (in a paragraph, or a line of
# <br>-separated text: the link right after the label). Boxes of any markup: ``cleaning.baca_juga_boxes``.
BACA_JUGA_CLASS_LINKS = f".//*/@class[{_HAS_CLASS.format('baca-juga')}]/..//a/@href"
BACA_JUGA_BOLD_LINKS = (
    ".//p[(strong|b)[starts-with(normalize-space(translate(., 'BACJUG', 'bacjug')), 'baca juga')]]//a/@href"
    " | (.//strong | .//b)[starts-with(normalize-space(translate(., 'BACJUG', 'bacjug')), 'baca juga')]"
    "/following-sibling::*[1][self::a]/@href"
)
BACA_JUGA_LINKS = f"{BACA_JUGA_CLASS_LINKS} | {BACA_JUGA_BOLD_LINKS}"
# The "Berita Lainnya" block: its known class (CSS), else the parent of a heading saying so (XPath). With each,
# the words one of which every text node it accepts holds: a page whose plain text holds none is not asked
# (libxml2's plain text of a page costs a fraction of testing each text node, ~0.5 ms on a real page).
RELATED_BLOCKS = (
    (".berita-lainnya", ()),
    (("//text()[contains(., 'ainnya') or contains(., 'AINNYA')][normalize-space(translate(., 'BL', 'bl'))='berita lainnya']"
      "/parent::*[self::h2 or self::h3 or self::h4 or self::div or self::span]/.."), ("ainnya", "AINNYA")),
)
# A list the page marks as still loading (a spinner, a skeleton, aria-busy) is not filled yet.
LOADING = (
    "descendant-or-self::*/@aria-busy[. = 'true']/.. | descendant-or-self::*/@class["
    f"{_HAS_CLASS.format('loading')} or {_HAS_CLASS.format('is-loading')} or {_HAS_CLASS.format('skeleton')}]/.."
)


@dataclass
class RelatedLinks:
    urls: list[str]
    # The block is there but holds no same-site article link, or says it is loading: JavaScript fills it.
    pending: bool


def related_list(sel: Selector, base_url: str, exclude: str | None = None,
                 body: Selector | None = None, queries: PageQueries | None = None) -> RelatedLinks:
    """Canonical same-site article URLs, in page order, each once; ``exclude`` is the page's own id.

    "Baca juga" links are looked for in ``body`` (the article text) when it is known, else in the page.
    ``queries``: the page's own, when its reader has one.
    """
    queries = queries or PageQueries(sel)
    block = _related_block(sel, queries)
    scope = sel if body is None else body
    hrefs = elements(scope, query, css=False) if (query := _baca_juga_query(scope, queries)) else []
    hrefs += [href for box in baca_juga_boxes(scope.root) for href in compiled(".//a/@href", css=False)(box)]
    listed = elements(block, ".//a/@href", css=False) if block is not None else []
    urls = article_urls(base_url, hrefs + listed, exclude)
    pending = block is not None and (bool(elements(block, LOADING, css=False))
                                     or not article_urls(base_url, listed, exclude))
    return RelatedLinks(urls, pending)


def article_urls(base_url: str, hrefs: list[str], exclude: str | None = None) -> list[str]:
    """Absolute canonical article URLs on ``base_url``'s host among ``hrefs``, one per article id."""
    seen = {exclude}
    urls = []
    for href in hrefs:
        code, url = _article_url(base_url, href)
        if code and code not in seen:
            seen.add(code)
            urls.append(url)
    return urls


@lru_cache(maxsize=1024)  # each listed href is read twice per page; URL parsing is most of this module's cost
def _article_url(base_url: str, href: str) -> tuple[str | None, str | None]:
    """(article id, canonical URL) of one href, or (None, None) when it is no article of this site."""
    url = absolute(base_url, href)
    code = article_id(url) if url and same_site(url, base_url) else None
    return (code, canonical_url(url)) if code else (None, None)


def _baca_juga_query(scope: Selector, queries: PageQueries) -> str | None:
    """``BACA_JUGA_LINKS`` without the branches that cannot find anything in ``scope``, part of ``queries``' page:
    the bold-label ones where it holds no bold element (most bodies: ~4 µs of XPath on a replica page), the class
    one where no class attribute of the page holds "baca-juga" (known from its ``ClassIndex``); None: neither."""
    branches = []
    if queries.class_values_hold("baca-juga"):
        branches.append(BACA_JUGA_CLASS_LINKS)
    if not isinstance(scope.root, etree._Element) or next(scope.root.iterdescendants("strong", "b"), None) is not None:
        branches.append(BACA_JUGA_BOLD_LINKS)
    return " | ".join(branches) or None


def _related_block(sel: Selector, queries: PageQueries) -> Selector | None:
    for query, words in RELATED_BLOCKS:
        if words and not _holds_any(sel, words):
            continue
        found = queries(query, css=not query.startswith("/"))
        if found:
            return wrap(sel, found[0])
    return None


def _holds_any(sel: Selector, words: tuple[str, ...]) -> bool:
    """Does the plain text of ``sel``'s whole document hold one of these words?"""
    if not isinstance(sel.root, etree._Element):
        return True
    text = etree.tostring(sel.root.getroottree(), method="text", encoding="unicode")
    return any(word in text for word in words)


def endpoint_links(text: str, base_url: str, exclude: str | None = None) -> list[str] | None:
    """Article URLs in the answer of a list endpoint (JSON or an HTML fragment); ``None`` if it is neither."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except ValueError:
            return None
        # text values (titles, summaries) hold spaces, an article's URL never does: not parsed as URLs
        return article_urls(base_url, [value for value in _strings(data) if len(value.split()) == 1], exclude)
    if stripped.startswith("<"):
        return article_urls(base_url, Selector(text=text).xpath("//a/@href").getall(), exclude)
    return None


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
