"""``-a sections=…`` checked against the sections the site shows: a mistyped one stops the crawl, exit 2.

Only the site knows its sections, so this check cannot run before the crawl like the other argument
checks (``args.py``). ``SectionCheckMiddleware`` reads the start pages as they arrive — the home
page's navigation and the article URLs on home, ``/indeks`` and ``/rss`` — and the answer of each
section page asked for. A section is unknown when its own page answers 404 and nothing the start
pages show names it (a URL prefix with no index page, such as an archive section, is known by its
article URLs). Once the three start pages are read, an unknown section stops the crawl (close reason
``bad_argument``) with one line naming the sections the site shows; ``scrapy crawl`` exits 2.

It sits before Scrapy's ``HttpErrorMiddleware`` (spider middlewares), so it sees a 404 answer too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from parsel import Selector
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import deferred_from_coro

from .args import BAD_ARGUMENT, unknown_sections
from .pages.listing import NOT_SECTIONS, discover_sections, extract_cards, rss_cards
from .stats import FAILED
from .urls import article_section

logger = logging.getLogger(__name__)
START_PAGES = frozenset({"home", "indeks", "rss"})  # request kinds (spiders/alinea.py)


class SectionCheck:
    """What the site showed so far, and the verdict once the start pages are read."""

    def __init__(self, wanted: tuple[str, ...]):
        self.wanted = wanted
        self.shown: set[str] = set()  # navigation links and article URL prefixes
        self.missing: set[str] = set()  # wanted sections whose page answered 404
        self.unread = set(START_PAGES)

    def read(self, page: str, shown: Iterable[str] = (), missing: Iterable[str] = ()) -> str | None:
        """Record one page; the one-line error once every start page is read and a section is unknown."""
        self.shown.update(shown)
        self.missing.update(missing)
        self.unread.discard(page)
        if self.unread:
            return None
        return unknown_sections(self.wanted, self.shown, candidates=self.missing)


def sections_on(response: Response, kind: str) -> list[str]:
    """The sections a start page names: its navigation (home) and the first segment of its article URLs."""
    if not isinstance(response, TextResponse) or response.status != 200:
        return []
    if kind == "rss":
        cards = rss_cards(response.text, response.url)
        navigation = []
    else:
        sel = Selector(text=response.text)
        cards = extract_cards(sel, response.url)
        navigation = discover_sections(sel, response.url) if kind == "home" else []
    in_urls = (article_section(card.url) for card in cards)
    return [*navigation, *(section for section in in_urls if section and section not in NOT_SECTIONS)]


class SectionCheckMiddleware:
    """On only when ``-a sections=…`` is given (the spider exists when middlewares are built)."""

    def __init__(self, crawler, wanted: tuple[str, ...]):
        self.crawler = crawler
        self.check = SectionCheck(wanted)
        self.stopped = False

    @classmethod
    def from_crawler(cls, crawler) -> SectionCheckMiddleware:
        wanted = getattr(getattr(crawler.spider, "args", None), "sections", ())
        if not wanted:
            raise NotConfigured
        return cls(crawler, wanted)

    def process_spider_input(self, response: Response) -> None:
        kind = response.meta.get("kind")
        if self.stopped or (kind not in START_PAGES and kind != "section"):
            return
        if kind == "section":
            section = response.request.cb_kwargs.get("section") if response.request else None
            error = self.check.read(kind, missing=[section] if response.status == 404 and section else [])
        else:
            error = self.check.read(kind, shown=sections_on(response, kind))
        if error:
            self.stop(error)

    def stop(self, error: str) -> None:
        self.stopped = True
        self.crawler.stats.set_value(FAILED, error)
        logger.error("%s", error)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=BAD_ARGUMENT))
