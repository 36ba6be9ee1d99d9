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
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from parsel import Selector

from ..urls import absolute, article_id, same_site
from .article import ArticlePage, extract_article
from .common import clean_text

PAGE_PARAMS = ("page", "p", "halaman", "hal")
_PATH_PAGE = re.compile(r"/(?:page|halaman|hal)/(\d+)/?$")
_NEXT_WORDS = re.compile(r"^(selanjutnya|berikutnya|lanjut|next|next page|halaman berikutnya|older posts"
                         r"|(muat|lihat|tampilkan|load) (lebih banyak|lainnya|more)|more|»|›|>|>>|→)\s*(»|›|>|→)?$")
# A "load more" button may carry its next page in an attribute rather than an href.
_NEXT_ATTRIBUTES = ("data-next-url", "data-next-page-url", "data-next", "data-url", "data-href")
# the elements carrying any of those attributes, in one walk of the page
_BUTTONS = "//*[" + " or ".join(f"@{name}" for name in _NEXT_ATTRIBUTES) + "]"
_SINGLE_WORDS = re.compile(r"^(tampilkan|lihat|baca) (semua|seluruh|dalam satu halaman)|^(show|view) all"
                           r"|satu halaman$|single page$")
_SINGLE_VALUES = {"all", "semua", "full", "single", "1"}  # ?page=all, ?showall=1, ?single=1 …
_SINGLE_PARAMS = ("page", "showall", "show_all", "single", "all", "view")
_LINKS = "//a[@href]"


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

    return _next_url(sel, url, current, same_listing, _site_links(sel, url))


def article_pager(sel: Selector, url: str) -> ArticlePager:
    """An article's pager: its next page, and its single-page view when the page offers one."""
    code, current = article_id(url), page_number(url)

    def same_article(candidate: str) -> bool:
        return article_id(candidate) == code and page_number(candidate) > current

    if not code:
        return ArticlePager(None, None)
    links = _site_links(sel, url)
    return ArticlePager(_next_url(sel, url, current, same_article, links), _single_view(url, code, links))


def _site_links(sel: Selector, url: str) -> list[tuple[str, Selector]]:
    """The page's links to other pages of this site (absolute, without fragment), with their ``<a>``."""
    return [(href, a) for a in sel.xpath(_LINKS) if (href := _same_site(url, a.attrib["href"])) and href != url]


def _next_url(sel: Selector, url: str, current: int, accept, site_links: list[tuple[str, Selector]]) -> str | None:
    """rel=next first, then a link saying "next", then the numbered link one past ``current``, then a
    "load more" button's attribute: each looked for only when the ones before found nothing."""
    # only links to a later page of this listing or article are worth reading (most of a page's links are not)
    links = [(href, a) for href, a in site_links if accept(href)]
    candidates = itertools.chain(
        (_same_site(url, href) for href in sel.xpath(
            "//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
            " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href").getall()),
        (href for href, a in links if _NEXT_WORDS.match(_words(a))),
        (href for href, _ in links if page_number(href) == current + 1),
        (_same_site(url, value) for value in _button_urls(sel)),
    )
    return next((href for href in candidates if href and href != url and accept(href)), None)


def _button_urls(sel: Selector) -> list[str]:
    """Values of the "load more" attributes, in ``_NEXT_ATTRIBUTES``' order of preference, then page order."""
    buttons = [button.attrib for button in sel.xpath(_BUTTONS)]
    return [attrib[name] for name in _NEXT_ATTRIBUTES for attrib in buttons if name in attrib]


def _single_view(url: str, code: str, site_links: list[tuple[str, Selector]]) -> str | None:
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


def _words(a: Selector) -> str:
    text = clean_text(" ".join(a.xpath(".//text()").getall())) or clean_text(a.attrib.get("title")) \
        or clean_text(a.attrib.get("aria-label")) or ""
    return text.lower()


def read_article_page(sel: Selector, url: str) -> tuple[ArticlePage | None, ArticlePager]:
    """An article page's reading and its own pager. The pager is read first: extraction drops it from the tree
    as boilerplate. One function for the crawl and the replay's worker processes, so both read alike."""
    pager = article_pager(sel, url)
    return extract_article(sel, url), pager
