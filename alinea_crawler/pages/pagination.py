"""Pagers: the next page of a listing, and the other pages (or single-page view) of an article.

A next page is found the way a reader finds it, in this order: the page's own
``rel="next"`` (``<link>`` or ``<a>``), a link saying "next" ("Selanjutnya",
"Berikutnya", "Next", "»", "Muat lebih banyak"), the numbered link one past the
current page (``?page=N``, ``?p=N``, ``?halaman=N``, ``/page/N``), or a
"load more" button's ``data-next-url``/``data-url``/``data-href``. A listing's next page
stays on the listing (same path once the page part is removed); an article's
next page is the same article (same article id). Pure: Selector + URL in, URLs out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from parsel import Selector

from ..urls import absolute, article_id, same_site
from .article import ArticlePage, extract_article
from .common import clean_text, compiled, elements, sel_is_html

PAGE_PARAMS = ("page", "p", "halaman", "hal")
_PATH_PAGE = re.compile(r"/(?:page|halaman|hal)/(\d+)/?$")
_NEXT_WORDS = re.compile(r"^(selanjutnya|berikutnya|lanjut|next|next page|halaman berikutnya|older posts"
                         r"|(muat|lihat|tampilkan|load) (lebih banyak|lainnya|more)|more|»|›|>|>>|→)\s*(»|›|>|→)?$")
# A "load more" button may carry its next page in an attribute rather than an href.
_NEXT_ATTRIBUTES = ("data-next-url", "data-next-page-url", "data-next", "data-url", "data-href")
# The elements carrying any of those attributes, found from the attribute's side (``//*/@NAME/..``): libxml2
# tests only the elements that have one, not every element of the page; a union is in document order.
_BUTTONS = " | ".join(f"//*/@{name}/.." for name in _NEXT_ATTRIBUTES)
# ``rel="next"`` on a <link> or <a>, tested on the rel attributes only (the same nodes as a test on every element)
_REL_NEXT = " | ".join(f"//{tag}/@rel[contains(concat(' ', normalize-space(.), ' '), ' next ')]/../@href"
                       for tag in ("link", "a"))
_SINGLE_WORDS = re.compile(r"^(tampilkan|lihat|baca) (semua|seluruh|dalam satu halaman)|^(show|view) all"
                           r"|satu halaman$|single page$")
_SINGLE_VALUES = {"all", "semua", "full", "single", "1"}  # ?page=all, ?showall=1, ?single=1 …
_SINGLE_PARAMS = ("page", "showall", "show_all", "single", "all", "view")
_LINKS = "//a[@href]"
_TEXT = ".//text()"
# A URL beginning so names its own path: it leads to an article only if its href spells the article's id.
_ROOTED = ("/", "http://", "https://")
_XML_SPACES = str.maketrans("\t\n\r", "   ")  # the white space normalize-space() collapses, besides " "


@dataclass(frozen=True)
class ArticlePager:
    next_url: str | None  # the page after this one
    single_url: str | None  # the whole article on one page, when offered


def page_number(url: str) -> int:
    """1 for a first page; N for ``?page=N``, ``/page/N`` and their Indonesian spellings."""
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if name in PAGE_PARAMS and value.isdigit():
            return int(value)
    match = _PATH_PAGE.search(parts.path)
    return int(match[1]) if match else 1


def listing_key(url: str) -> tuple[str, str]:
    """What stays the same on every page of one listing: the path and query without the page part."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in PAGE_PARAMS])
    return _PATH_PAGE.sub("", parts.path).rstrip("/") or "/", query


def next_listing_url(sel: Selector, url: str) -> str | None:
    """The listing's next page, or ``None`` on its last page (or when it has no pager)."""
    key, current = listing_key(url), page_number(url)

    def same_listing(candidate: str) -> bool:
        return listing_key(candidate) == key and page_number(candidate) > current and not article_id(candidate)

    anchors, rel_next = _anchors(sel)
    return _next_url(url, current, same_listing, _site_links(url, anchors), rel_next, sel)


def article_pager(sel: Selector, url: str) -> ArticlePager:
    """An article's pager: its next page, and its single-page view when the page offers one."""
    code, current = article_id(url), page_number(url)

    def same_article(candidate: str) -> bool:
        return article_id(candidate) == code and page_number(candidate) > current

    if not code:
        return ArticlePager(None, None)
    anchors, rel_next = _anchors(sel)
    links = _site_links(url, anchors, lambda href: _may_lead_to(href, code))
    return ArticlePager(_next_url(url, current, same_article, links, rel_next, sel), _single_view(url, code, links))


def _may_lead_to(href: str, code: str) -> bool:
    """False only for an href that cannot resolve to a URL of article ``code``: most of a page's links, ruled
    out without resolving them. A URL or an absolute path keeps its own path when resolved, so it must spell
    the id (urlsplit drops tabs and newlines inside a URL: such an href is resolved); any other href (a query,
    a relative path) takes part of the page's own path and is resolved."""
    return code in href or not href.lstrip().startswith(_ROOTED) or "\t" in href or "\n" in href or "\r" in href


def _anchors(sel: Selector) -> tuple[list[Any], list[str]]:
    """The page's ``<a href>`` elements, and the hrefs of its ``rel="next"`` ``<a>`` and ``<link>`` elements,
    each in document order: one walk of those elements in C (as ``common.tagged``), not two XPath searches."""
    if not sel_is_html(sel):
        return elements(sel, _LINKS, css=False), elements(sel, _REL_NEXT, css=False)
    anchors, rel_next = [], []
    for element in sel.root.getroottree().getroot().iter("a", "link"):
        if (href := element.get("href")) is None:
            continue
        if element.tag == "a":
            anchors.append(element)
        # a "next" token: what contains(concat(' ', normalize-space(@rel), ' '), ' next ') finds
        if (rel := element.get("rel")) is not None and "next" in rel and " next " in f" {rel.translate(_XML_SPACES)} ":
            rel_next.append(href)
    return anchors, rel_next


def _site_links(url: str, anchors: list[Any], may_accept: Callable[[str], bool] | None = None) \
        -> list[tuple[str, Any]]:
    """The links to other pages of this site (absolute, without fragment) among ``anchors``, with their ``<a>``
    element; ``may_accept``: a test of the raw href, false only for links the caller would never accept."""
    return [(href, a) for a in anchors if (may_accept is None or may_accept(a.get("href")))
            and (href := _same_site(url, a.get("href"))) and href != url]


def _next_url(url: str, current: int, accept, site_links: list[tuple[str, Any]], rel_next: list[str],
              sel: Selector) -> str | None:
    """rel=next first, then a link saying "next", then the numbered link one past ``current``, then a
    "load more" button's attribute (of ``sel``'s page): each looked for only when the ones before found nothing."""
    # only links to a later page of this listing or article are worth reading (most of a page's links are not)
    links = [(href, a) for href, a in site_links if accept(href)]
    candidates = itertools.chain(
        (_same_site(url, href) for href in rel_next),
        (href for href, a in links if _NEXT_WORDS.match(_words(a))),
        (href for href, _ in links if page_number(href) == current + 1),
        (_same_site(url, value) for value in _button_urls(sel)),
    )
    return next((href for href in candidates if href and href != url and accept(href)), None)


def _button_urls(sel: Selector) -> Iterator[str]:
    """Values of the "load more" attributes, in ``_NEXT_ATTRIBUTES``' order of preference, then page order.
    A generator: the page is searched only when the first value is wanted (not when an earlier candidate
    is accepted)."""
    buttons = [button.attrib for button in elements(sel, _BUTTONS, css=False)]
    yield from (attrib[name] for name in _NEXT_ATTRIBUTES for attrib in buttons if name in attrib)


def _single_view(url: str, code: str, site_links: list[tuple[str, Any]]) -> str | None:
    if _is_single_view(url):
        return None
    return next((href for href, a in site_links if article_id(href) == code and (
        _SINGLE_WORDS.search(_words(a)) or _is_single_view(href))), None)


def _is_single_view(url: str) -> bool:
    return any(name in _SINGLE_PARAMS and value.lower() in _SINGLE_VALUES and not (name == "page" and value == "1")
               for name, value in parse_qsl(urlsplit(url).query))


def _same_site(url: str, href: str | None) -> str | None:
    found = absolute(url, href)
    return found.split("#")[0] if found and same_site(found, url) else None


def _words(a: Any) -> str:
    """What a link says: its text, else its title, else its aria-label; lower case."""
    text = clean_text(" ".join(compiled(_TEXT, css=False)(a))) or clean_text(a.get("title")) \
        or clean_text(a.get("aria-label")) or ""
    return text.lower()


def read_article_page(sel: Selector, url: str) -> tuple[ArticlePage | None, ArticlePager]:
    """An article page's reading and its own pager. The pager is read first: extraction drops it from the tree
    as boilerplate. One function for the crawl and the replay's worker processes, so both read alike."""
    pager = article_pager(sel, url)
    return extract_article(sel, url), pager
