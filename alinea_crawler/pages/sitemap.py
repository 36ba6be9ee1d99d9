"""Sitemaps (robots.txt ``Sitemap:`` lines, indexes, news and plain sitemaps, gzipped or not).

Parsing is Scrapy's own (``scrapy.utils.sitemap``: a streaming ``lxml`` reader
that resolves no entities and frees each entry once read); decompression is
Scrapy's ``gunzip`` with a size limit, as ``SitemapSpider._get_sitemap_body``
does it. What this module adds is the refusals a crawler of untrusted input
needs, each with a reason the spider counts: a body inflating past the limit,
a document type declaration (sitemaps need none; entity expansion and external
entities live there), and no sitemap at all. The number of entries read is
bounded by the caller (``max_entries``).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

__all__ = ["SitemapEntry", "SitemapRefused", "read_sitemap", "robots_sitemaps"]

_GZIP_MAGIC = b"\x1f\x8b"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_WINDOW = 4096  # a prolog is at the top of the document
_NEWS_FIELDS = frozenset({"publication_date", "title"})


class SitemapRefused(Exception):
    """The body is not read; ``reason`` is the stats key's last part (``too_large``, ``dtd``, ``not_a_sitemap``)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None = None
    published: str | None = None  # news:publication_date
    title: str | None = None  # news:title


@dataclass
class ReadSitemap:
    is_index: bool
    entries: list[SitemapEntry]
    truncated: bool  # more entries than ``max_entries``: the rest were not read


def robots_sitemaps(robots_body: bytes, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, absolute, each once, in order."""
    return list(dict.fromkeys(sitemap_urls_from_robots(robots_body, base_url=base_url)))


def sitemap_body(body: bytes, max_size: int) -> bytes:
    """The XML of a sitemap response: gunzipped (at most ``max_size`` bytes) when it is a ``.gz`` file."""
    if body[:2] != _GZIP_MAGIC:
        return body
    try:
        return gunzip(body, max_size=max_size)
    except _DecompressionMaxSizeExceeded:
        raise SitemapRefused("too_large", f"gzipped sitemap inflates past {max_size} bytes") from None
    except (OSError, EOFError, struct.error) as error:  # a truncated or corrupt gzip stream
        raise SitemapRefused("not_a_sitemap", f"unreadable gzip: {error}") from None


def read_sitemap(body: bytes, max_size: int, max_entries: int) -> ReadSitemap:
    """The entries of a sitemap or sitemap index, at most ``max_entries`` of them."""
    xml = sitemap_body(body, max_size)
    if _DTD.search(xml[:_DTD_WINDOW]):
        raise SitemapRefused("dtd", "sitemap declares a document type (entities): not read")
    try:
        sitemap = _NewsSitemap(xml)
    except Exception as error:  # lxml's reader raises on input that is no XML at all
        raise SitemapRefused("not_a_sitemap", f"no XML: {type(error).__name__}") from None
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise SitemapRefused("not_a_sitemap", f"root element <{sitemap.type}> is no sitemap")
    entries = list(islice(_entries(sitemap), max_entries + 1))
    return ReadSitemap(sitemap.type == "sitemapindex", entries[:max_entries], len(entries) > max_entries)


class _NewsSitemap(Sitemap):
    """Scrapy's reader keeps an entry's direct children only; a news sitemap nests its date and title
    (``<news:news><news:publication_date>``): they are read before Scrapy clears the element."""

    __slots__ = ()

    def _process_sitemap_element(self, elem) -> dict[str, Any] | None:
        news = {name: (el.text or "").strip() for child in elem if self._get_tag_name(child) == "news"
                for el in child.iterdescendants() if (name := self._get_tag_name(el)) in _NEWS_FIELDS}
        entry = super()._process_sitemap_element(elem)
        return entry if entry is None else {**entry, **news}


def _entries(sitemap: Sitemap) -> Iterator[SitemapEntry]:
    try:
        for entry in sitemap:
            if loc := entry.get("loc"):
                yield SitemapEntry(loc, entry.get("lastmod") or None,
                                   entry.get("publication_date") or None, entry.get("title") or None)
    except Exception as error:  # noqa: BLE001 — lxml's recovery gives up on some broken input part way
        raise SitemapRefused("not_a_sitemap", f"unreadable XML: {type(error).__name__}: {error}") from None
