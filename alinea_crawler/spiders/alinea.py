"""``scrapy crawl alinea``: navigation only — which URL next, and how it was found.

Extraction lives in ``alinea_crawler.pages``; cleaning and validation in the
item pipelines. Every request carries its ``kind`` (one row of ``REQUEST_KINDS``)
and ``via`` (the page that linked to it, the item's ``discovered_from``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from .. import stats as keys
from ..args import CrawlArgs
from ..completeness import ListingRecord
from ..dates import parse_id_datetime
from ..extensions import describe_failure, page_failed
from ..items import ArticleItem
from ..ledger import ArticleLedger
from ..middlewares import SiteDown
from ..pages.article import ArticlePage
from ..pages.common import parse_html
from ..pages.listing import (
    NOT_SECTIONS, Card, csrf_token, discover_sections, extract_cards, has_load_more, listing_answer, rss_cards,
)
from ..pages.pagination import ArticlePager, next_listing_url, read_article_page
from ..pages.sitemap import SitemapEntry, SitemapRefused, read_sitemap, robots_sitemaps
from ..rendering import RelatedListCompleter, enable_rendering, find_browser
from ..urls import article_id, article_section, canonical_url, same_site
from ..warc.replay import enable_replay
from ..warc.workers import EXTRACTED


# ArticlePage fields that go into the item unchanged.
ITEM_FIELDS_FROM_PAGE = tuple(
    sorted({f.name for f in fields(ArticleItem)} & {f.name for f in fields(ArticlePage)} - {"article_id"})
)


@dataclass(frozen=True)
class RequestKind:
    name: str
    priority: int  # articles first: the queue stays short, items flow early
    callback: str
    errback: str = "on_error"


REQUEST_KINDS = {
    kind.name: kind
    for kind in (
        RequestKind("home", 30, "parse_home"),
        RequestKind("indeks", 25, "parse_listing"),
        RequestKind("rss", 25, "parse_rss"),
        RequestKind("section", 20, "parse_section", "section_failed"),
        RequestKind("more", 10, "parse_more", "listing_page_failed"),
        RequestKind("page", 15, "parse_page", "listing_page_failed"),  # a listing's next page (rel=next, ?page=N)
        RequestKind("robots", 28, "parse_robots", "robots_failed"),  # robots.txt, read for its Sitemap: lines
        RequestKind("sitemap", 22, "parse_sitemap", "sitemap_failed"),  # a sitemap or sitemap index, .gz or not
        RequestKind("article", 40, "parse_article", "article_failed"),
        RequestKind("article_page", 45, "parse_article_page", "article_page_failed"),  # an article's page 2…
        RequestKind("amp", 40, "parse_amp", "amp_failed"),  # an article's AMP page, when the page itself failed
    )
}
HOME_FEED = ""  # the "section" of the home page's load-more (categorynext="")
# The headers the site's own load-more script sends.
MORE_HEADERS = {"X-Requested-With": "XMLHttpRequest", "Accept": "text/html, */*"}
# Listing stops that leave a listing unread (an empty page, repeated cards and the incremental stop are its end).
EARLY_STOPS = frozenset({"max_pages", "since", "no_token", "failed", "no_links"})
SITEMAP_PROTOCOL_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, when DOWNLOAD_MAXSIZE is off
# Where sites put their sitemap when robots.txt names none (the protocol's convention, then WordPress's), in order.
CONVENTIONAL_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml")


class AlineaSpider(scrapy.Spider):
    name = "alinea"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args)
        if os.environ.get("SCRAPY_CHECK") and "render" not in kwargs:
            kwargs["render"] = "never"  # a contract reads one callback's output: a render request would hide the item
        self.args = CrawlArgs.from_kwargs(**kwargs)
        # Scrapyd's job id (``_job``); FEEDS URIs and the report may use ``%(job_id)s``.
        self.job_id = kwargs.get("_job") or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.base_url = self.args.base_url
        self.allowed_domains = [urlsplit(self.base_url).hostname]
        self.listed_ids: dict[str, set[str]] = {}  # per section (HOME_FEED: the home feed): ids it showed
        self.sections_requested: dict[str, str] = {}  # section -> how it was found (navigation, article_url)
        self.start_pages_read = False  # home, /indeks or /rss answered: sections and articles were looked for
        self.listings = ListingRecord()  # what the site's lists gave, for the completeness account
        self.sitemaps_requested: set[str] = set()  # each sitemap once: an index listing itself is no loop
        self.answer_shapes_read: set[str] = set()  # listing answer shapes that gave cards at least once
        self.browser: str | None = None  # set by from_crawler when rendering may be needed
        self.browser_choice = ""

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        if os.environ.get("SCRAPY_CHECK"):  # contracts export nothing: no quality verdict on an empty crawl
            settings.set("SPIDERMON_ENABLED", False, priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.args.from_warc:  # rendered pages come from the archive: no browser, no network
            spider.browser, spider.browser_choice = "archive", f"rendered pages archived in {spider.args.from_warc}"
            enable_replay(crawler.settings)
        elif spider.args.render != "never":
            spider.browser, spider.browser_choice = find_browser(crawler.settings.get("ALINEA_BROWSER_PATH"))
            if spider.browser:  # the browser itself starts only when a page needs it
                enable_rendering(crawler.settings, spider.browser)
        spider.related_lists = RelatedListCompleter(
            crawler, spider.browser, finish=spider.finish_article, on_error=spider.on_error,
            callback=spider.parse_related_list, errback=spider.related_list_failed,
            event_handler="learn_related_endpoint", priority=REQUEST_KINDS["article"].priority + 1,
        )
        return spider

    @property
    def requested_ids(self) -> dict[str, int]:
        """Article id -> fewest related hops it was linked at; one request per article per crawl.

        Kept in ``self.state``, which a JOBDIR resume restores.
        """
        return self.__dict__.setdefault("state", {}).setdefault("requested_ids", {})

    @property
    def unfollowed(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Articles read at the depth limit: id -> (url, related URLs), in case a shallower link turns up."""
        return self.__dict__.setdefault("state", {}).setdefault("unfollowed", {})

    @property
    def ledger(self) -> ArticleLedger:
        return ArticleLedger.of(getattr(self, "crawler", None))

    @staticmethod
    def check_arguments(kwargs: dict[str, Any]) -> None:
        """Raise ArgumentError (one line) before anything starts; used by the crawl command."""
        CrawlArgs.from_kwargs(**kwargs)

    # -- seeds ----------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.args.render != "never" and self.browser is None:
            message = f"no browser found ({self.browser_choice}): install chromium or set ALINEA_BROWSER_PATH"
            if self.args.render == "always":
                self.crawler.stats.set_value(keys.FAILED, message)
                self.logger.error("%s; render=always cannot crawl without one", message)
                return
            self.logger.warning("%s; JavaScript-filled lists will be missing unless render=never is meant", message)
        if self.args.start_urls:
            for url in self.args.start_urls:
                for request in self.article_requests(url, via=None, depth=0):
                    yield request
            return
        home = self.request("home", self.url("/"))
        home.meta["cookiejar"] = cookiejar(HOME_FEED)
        yield home
        for section in self.args.sections:
            yield self.section_request(section, found_by="argument")
        yield self.request("indeks", self.url("/indeks"))
        yield self.request("rss", self.url("/rss"))
        if self.settings.getbool("ALINEA_SITEMAPS"):
            yield self.request("robots", self.url("/robots.txt"))

    # -- listings -------------------------------------------------------------

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        """The home page: its article cards, the sections in its navigation and in its article URLs,
        and the home feed's load-more (``categorynext=""``).

        @url https://www.alinea.id/
        @returns requests 5
        """
        self.start_pages_read = True
        sel = self.selector(response)
        cards = extract_cards(sel, response.url)
        self.listings.cards_read(HOME_FEED, len(cards))
        yield from self.card_requests(cards, response.url)
        if not self.args.sections:
            sections = discover_sections(sel, response.url)
            if not sections:
                self.logger.info("no section links in the home page navigation, sections are taken from "
                                 "article URLs: %s", response.url)
            for section in sections:
                yield from self.new_section(section, "navigation")
        yield from self.sections_in_urls(cards)
        yield from self.first_more_page(HOME_FEED, sel, cards, response.url)
        yield from self.next_page(HOME_FEED, sel, cards, response.url, page=1)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """/indeks: its cards, and its next pages when it has a pager."""
        self.start_pages_read = True
        sel = self.selector(response)
        cards = extract_cards(sel, response.url)
        self.listings.cards_read("indeks", len(cards))
        yield from self.listing_requests(cards, response.url)
        yield from self.next_page("indeks", sel, cards, response.url, page=1)

    def parse_rss(self, response: Response) -> Iterator[scrapy.Request]:
        self.start_pages_read = True
        yield from self.listing_requests(rss_cards(text_of(response), response.url), response.url)

    def parse_section(self, response: Response, section: str) -> Iterator[scrapy.Request]:
        """A section page: its article cards, then its load-more pages.

        @url https://www.alinea.id/politik
        @cb_kwargs {"section": "politik"}
        @returns requests 2
        """
        sel = self.selector(response)
        cards = extract_cards(sel, response.url)
        self.listings.cards_read(section, len(cards))
        yield from self.card_requests(cards, response.url)
        yield from self.first_more_page(section, sel, cards, response.url)
        yield from self.next_page(section, sel, cards, response.url, page=1)

    def first_more_page(self, section: str, sel: Selector, cards: list[Card], url: str) -> Iterator[scrapy.Request]:
        token = csrf_token(sel)
        if token:
            yield from self.next_listing_page(section, cards, token, offset=0, page=1)
        elif has_load_more(sel):
            self.crawler.stats.inc_value(keys.MORE_STOPPED.format(reason="no_token"))
            self.listings.stopped_early(section, url, "no_token")
            self.logger.warning("load-more button but no CSRF token, listing stops at page 1: %s", url)

    def parse_more(self, response: Response, section: str, token: str, offset: int, page: int):
        """A load-more answer: an HTML fragment, JSON with the cards' HTML or article objects, or nothing."""
        via = self.more_url(section, offset)
        cards = self.answer_cards(response, section, "load-more")
        if not cards:
            self.crawler.stats.inc_value(keys.MORE_EXHAUSTED)
            return
        yield from self.listed_cards(section, cards, via)
        yield from self.next_listing_page(section, cards, token, offset, page)

    def next_listing_page(self, section: str, cards: list[Card], token: str, offset: int, page: int):
        """POST /more for the page after this one, unless there is a reason to stop."""
        reason = self.reason_to_stop_paging(section, cards, page)
        if reason:
            self.crawler.stats.inc_value(keys.MORE_STOPPED.format(reason=reason))
            self.note_stop(section, self.more_url(section, offset), reason)
            return
        next_offset = offset + self.settings.getint("ALINEA_MORE_STEP")
        yield scrapy.FormRequest(
            self.url("/more"),
            formdata={"_token": token, "next": str(next_offset), "categorynext": section},
            headers=MORE_HEADERS,
            callback=self.parse_more,
            errback=self.listing_page_failed,
            priority=REQUEST_KINDS["more"].priority,
            meta={"kind": "more", "cookiejar": cookiejar(section), "listing": section},
            cb_kwargs={"section": section, "token": token, "offset": next_offset, "page": page + 1},
        )

    # -- numbered pages (rel=next, "Selanjutnya", ?page=N) of home, /indeks and sections ---------

    def next_page(self, listing: str, sel: Selector, cards: list[Card], url: str, page: int):
        """The listing's next page when its pager names one, unless there is a reason to stop."""
        next_url = next_listing_url(sel, url)
        if not next_url:
            return
        reason = self.reason_to_stop_paging(f"{listing}?page", cards, page)
        if reason:
            self.crawler.stats.inc_value(keys.PAGING.format(what=f"stopped/{reason}"))
            self.note_stop(listing, url, reason)
            return
        self.crawler.stats.inc_value(keys.PAGING.format(what="followed"))
        request = self.request("page", next_url, listing=listing, page=page + 1)
        request.meta.update(cookiejar=cookiejar(listing), listing=listing)
        yield request

    def parse_page(self, response: Response, listing: str, page: int) -> Iterator[scrapy.Request]:
        """Page 2… of a listing: its cards (an HTML page, or JSON), then the page after it."""
        cards = self.answer_cards(response, listing, "listing page")
        if not cards:
            self.crawler.stats.inc_value(keys.PAGING.format(what="exhausted"))
            return
        yield from self.listed_cards(listing, cards, response.url)
        yield from self.next_page(listing, self.selector(response), cards, response.url, page)

    def answer_cards(self, response: Response, listing: str, what: str) -> list[Card]:
        """The cards of a listing answer of any shape; an answer of a shape that never gave a card is said once."""
        # (a replay's worker process may have read it)
        answer = response.meta.pop(EXTRACTED, None) or listing_answer(text_of(response), self.base_url)
        stats = self.crawler.stats
        stats.inc_value(keys.LISTING_ANSWER.format(shape=answer.shape))
        if answer.cards:
            self.answer_shapes_read.add(answer.shape)
        elif not self.shape_known(answer.shape):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0] or "no type"
            if not stats.get_value(keys.LISTING_NO_LINKS.format(shape=answer.shape)):
                self.logger.warning("%s answered %s without article links: %s", what, content_type, response.url)
            stats.inc_value(keys.LISTING_NO_LINKS.format(shape=answer.shape))
            self.note_stop(listing, response.url, "no_links")
        return answer.cards

    def shape_known(self, shape: str) -> bool:
        """An empty answer of a shape that gave cards before is a listing's end (``{"html": ""}`` after
        ``json_html`` pages too); an empty body says nothing."""
        read = self.answer_shapes_read
        return shape == "text" or shape in read or (shape == "json" and bool(read & {"json_html", "json_objects"}))

    def listed_cards(self, listing: str, cards: list[Card], via: str) -> Iterator[scrapy.Request]:
        """The home feed's and /indeks's cards also name sections; a section's are its own."""
        self.listings.cards_read(listing, len(cards))
        yield from (self.listing_requests if listing in (HOME_FEED, "indeks") else self.card_requests)(cards, via)

    def listing_page_failed(self, failure: Failure) -> None:
        listing = failure.request.meta.get("listing")
        if listing is not None and not failure.check(SiteDown):
            self.note_stop(listing, failure.request.url, "failed")
        self.on_error(failure)

    def note_stop(self, listing: str, url: str, reason: str) -> None:
        if reason in EARLY_STOPS:
            self.listings.stopped_early(listing, url, reason)

    def reason_to_stop_paging(self, section: str, cards: list[Card], page: int) -> str | None:
        listed = self.listed_ids.setdefault(section, set())
        ids = {card.article_id for card in cards}
        repeated = ids <= listed
        listed |= ids
        if not cards:
            return "empty"
        if repeated:  # a load-more that serves the same cards again is a trap
            return "repeated"
        if self.args.max_pages and page >= self.args.max_pages:
            return "max_pages"
        if self.args.since and self.older_than_since(cards[-1]):
            return "since"
        return None

    def card_requests(self, cards: Iterable[Card], via: str) -> Iterator[scrapy.Request]:
        for card in cards:
            if self.args.since and self.older_than_since(card):
                self.crawler.stats.inc_value(keys.SKIPPED_BEFORE_SINCE)
                self.ledger.settle(self.discover(card.url, via), "out_of_range", "published before since")
                continue
            yield from self.article_requests(card.url, via=via, depth=0, listed_date=card.date_raw)

    def listing_requests(self, cards: list[Card], via: str) -> Iterator[scrapy.Request]:
        """Cards of /indeks, /rss and the home feed: their URLs also name the sections to page."""
        yield from self.card_requests(cards, via)
        yield from self.sections_in_urls(cards)

    def sections_in_urls(self, cards: list[Card]) -> Iterator[scrapy.Request]:
        """The first path segment of every article URL is a section (the menu may not link them all)."""
        if not self.args.sections:
            for card in cards:
                if (section := article_section(card.url)) and section not in NOT_SECTIONS:
                    yield from self.new_section(section, "article_url")

    def new_section(self, section: str, found_by: str) -> Iterator[scrapy.Request]:
        self.listings.section_found(section, found_by)
        if section not in self.sections_requested:
            self.crawler.stats.inc_value(keys.SECTIONS.format(how=f"found_by_{found_by}"))
            yield self.section_request(section, found_by)

    def older_than_since(self, card: Card) -> bool:
        """Listings may say "2 jam lalu": relative to now, when the listing was just fetched."""
        published = parse_id_datetime(card.date_raw, now=datetime.now(timezone.utc))
        return published is not None and published < self.args.since

    # -- sitemaps -------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """robots.txt's ``Sitemap:`` lines; ``/sitemap.xml`` when it names none."""
        self.crawler.stats.inc_value(keys.SITEMAP.format(what="robots"))  # no content page (the error rate)
        urls = robots_sitemaps(response.body, response.url)
        if not urls:
            yield from self.default_sitemap(response.url)
        for url in urls:
            yield from self.sitemap_requests(url, depth=0, via=response.url)

    def robots_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        if failure.check(HttpError):  # no robots.txt: the conventional places
            yield from self.default_sitemap(failure.request.url)
        else:
            self.on_error(failure)

    def default_sitemap(self, via: str, tried: int = 0) -> Iterator[scrapy.Request]:
        """The ``tried``-th conventional sitemap place (each tried only when the one before answered 404)."""
        for request in self.sitemap_requests(self.url(CONVENTIONAL_SITEMAPS[tried]), depth=0, via=via):
            request.meta["default_sitemap"] = tried
            yield request

    def sitemap_requests(self, url: str, depth: int, via: str) -> Iterator[scrapy.Request]:
        """A sitemap on this site, each once, no deeper than ``ALINEA_SITEMAP_MAX_DEPTH``."""
        if not same_site(url, self.base_url):
            self.refuse_sitemap(url, "other_host", f"listed on {via}, not on {self.base_url}")
        elif url in self.sitemaps_requested:
            self.refuse_sitemap(url, "repeated", f"listed again on {via} (a sitemap index loop)")
        elif depth > self.settings.getint("ALINEA_SITEMAP_MAX_DEPTH"):
            self.refuse_sitemap(url, "too_deep", f"nested {depth} indexes deep")
        else:
            self.sitemaps_requested.add(url)
            request = self.request("sitemap", url, depth=depth)
            request.meta["via"] = via
            yield request

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """A sitemap index (its sitemaps), or a sitemap (its articles in the crawl's range)."""
        stats = self.crawler.stats
        max_entries = self.settings.getint("ALINEA_SITEMAP_MAX_URLS")
        max_size = response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
        try:
            sitemap = read_sitemap(response.body, max_size or SITEMAP_PROTOCOL_MAX_BYTES, max_entries)
        except SitemapRefused as refused:
            self.refuse_sitemap(response.url, refused.reason, str(refused))
            return
        stats.inc_value(keys.SITEMAP.format(what="index" if sitemap.is_index else "fetched"))
        if sitemap.truncated:
            self.refuse_sitemap(response.url, "too_many_urls", f"more than {max_entries} entries, "
                                                               f"the first {max_entries} read")
        for entry in sitemap.entries:
            if not sitemap.is_index:
                yield from self.sitemap_article(entry, response.url)
            elif self.changed_before_since(entry):  # an archive sitemap (a month long past): nothing in range
                stats.inc_value(keys.SITEMAP.format(what="skipped_before_since"))
            else:
                yield from self.sitemap_requests(entry.loc, depth + 1, via=response.url)

    def changed_before_since(self, entry: SitemapEntry) -> bool:
        return bool(self.args.since) and self.outside_range(None, parse_id_datetime(entry.lastmod)) is not None

    def sitemap_article(self, entry: SitemapEntry, sitemap_url: str) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        code = article_id(entry.loc) if same_site(entry.loc, self.base_url) else None
        if not code:
            stats.inc_value(keys.SITEMAP.format(what="not_article"))
            return
        stats.inc_value(keys.SITEMAP.format(what="articles"))
        published, lastmod = parse_id_datetime(entry.published), parse_id_datetime(entry.lastmod)
        if reason := self.outside_range(published, lastmod):
            stats.inc_value(keys.SITEMAP.format(what="out_of_range"))
            self.ledger.settle(self.discover(entry.loc, sitemap_url, sitemap=sitemap_url), "out_of_range", reason)
            return
        for request in self.article_requests(entry.loc, via=sitemap_url, depth=0, listed_date=entry.published,
                                             sitemap=sitemap_url):
            if lastmod:  # an incremental run revisits a known article the sitemap says changed
                request.meta["lastmod"] = lastmod.isoformat()
            yield request

    def outside_range(self, published: datetime | None, lastmod: datetime | None) -> str | None:
        """A sitemap entry's dates against since/until (last changed before since: published before it too)."""
        if self.args.since and (published or lastmod) and (published or lastmod) < self.args.since:
            return "published before since (sitemap)"
        if self.args.until and published and published > self.args.until:
            return "published after until (sitemap)"
        return None

    def sitemap_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A conventional place without a sitemap (robots.txt named none): the next place, else no sitemap."""
        request = failure.request
        tried = request.meta.get("default_sitemap")
        if tried is None or not failure.check(HttpError) or failure.value.response.status not in (404, 410):
            self.on_error(failure)
        elif tried + 1 < len(CONVENTIONAL_SITEMAPS):
            yield from self.default_sitemap(request.meta["via"], tried + 1)
        else:
            self.crawler.stats.inc_value(keys.SITEMAP.format(what="absent"))
            self.logger.info("no sitemap: robots.txt names none and %s answer 404",
                             ", ".join(CONVENTIONAL_SITEMAPS))

    def refuse_sitemap(self, url: str, reason: str, detail: str) -> None:
        """One counted, logged refusal: the sitemap (or what is past its limit) is not read."""
        self.crawler.stats.inc_value(keys.SITEMAP.format(what=f"refused/{reason}"))
        self.logger.warning("sitemap refused (%s): %s: %s", reason, detail, url)

    # -- articles -------------------------------------------------------------

    def parse_article(self, response: Response, depth: int) -> Iterator[Any]:
        """An article page: its item, then its related articles (the seed article's real URL below).

        @url https://www.alinea.id/dunia/biden-putin-terlibat-pembicaraan-serius-mengenai-ukraina-b2cFF9AnQ
        @cb_kwargs {"depth": 0}
        @returns items 1 1
        @scrapes url article_id title body published_at_raw authors
        """
        page, pager = self.read_article(response)
        if page is None:
            self.not_article(response)
            return
        item = self.item(page, response)
        if not page.body:  # the page gave no text: its AMP page may
            yield self.amp_request(response.request, "no body extracted", depth, unread=item)
            return
        rendered = bool(response.meta.get("playwright"))
        if pager.single_url or pager.next_url:  # the whole article on one page, else its next page
            single = pager.single_url is not None
            yield self.article_page_request(item, pager.single_url or pager.next_url, depth, (response.url,),
                                            single, page.related_pending, rendered)
            return
        yield from self.complete_article(item, page.related_pending, rendered, depth)

    def complete_article(self, item: ArticleItem, related_pending: bool, rendered: bool,
                         depth: int) -> Iterator[Any]:
        """The whole article read: its JavaScript-filled related list completed when needed, then the item."""
        if related_pending and not rendered and self.args.render != "never":
            yield from self.related_lists.complete(item, depth)
            return
        if related_pending:
            self.crawler.stats.inc_value(keys.RENDER.format(what="list_still_empty" if rendered else "js_list_unrendered"))
        self.count_related("rendered" if rendered else "static", item.related_urls)
        yield from self.finish_article(item, depth)

    # -- articles over several pages -----------------------------------------------

    def article_page_request(self, item: ArticleItem, url: str, depth: int, pages: tuple[str, ...], single: bool,
                             related_pending: bool, rendered: bool) -> scrapy.Request:
        """The article's next page (or single-page view); ``pages``: the URLs joined so far."""
        request = self.request("article_page", url, item=item, depth=depth, pages=pages, single=single,
                               related_pending=related_pending, rendered=rendered)
        request.dont_filter = True  # ``pages`` stops loops; the item must not vanish in the duplicate filter
        request.meta["via"] = item.discovered_from
        return request

    def parse_article_page(self, response: Response, item: ArticleItem, depth: int, pages: tuple[str, ...],
                           single: bool, related_pending: bool, rendered: bool) -> Iterator[Any]:
        """Page 2… joined to the item's body in order; the single-page view replaces it whole."""
        page, pager = self.read_article(response)
        if page is None or not page.body:
            self.partial_article(item, response.url, len(pages) + 1, "no body extracted")
            return
        stats = self.crawler.stats
        if not single and page.body in item.body:  # a pager of something else (comments): the same text again
            stats.inc_value(keys.ARTICLE_PAGES.format(what="page_repeated"))
            yield from self.complete_article(item, related_pending, rendered, depth)
            return
        known = set(item.related_urls)
        item.related_urls = [*item.related_urls, *(url for url in page.related_urls if url not in known)]
        if single:
            item.body = page.body
            stats.inc_value(keys.ARTICLE_PAGES.format(what="single_view"))
        else:
            item.body = f"{item.body}\n\n{page.body}"
            pages = (*pages, response.url)
            if pager.next_url and pager.next_url not in pages:
                if len(pages) >= self.settings.getint("ALINEA_ARTICLE_MAX_PAGES"):
                    self.partial_article(item, pager.next_url, len(pages) + 1,
                                         f"more than ALINEA_ARTICLE_MAX_PAGES={len(pages)} pages")
                    return
                yield self.article_page_request(item, pager.next_url, depth, pages, single, related_pending, rendered)
                return
            stats.inc_value(keys.ARTICLE_PAGES.format(what="pages_joined"), len(pages))
        stats.inc_value(keys.MULTIPAGE)
        yield from self.complete_article(item, related_pending, rendered, depth)

    def article_page_failed(self, failure: Failure) -> None:
        kwargs = failure.request.cb_kwargs
        self.partial_article(kwargs["item"], failure.request.url, len(kwargs["pages"]) + 1, describe_failure(failure))

    def partial_article(self, item: ArticleItem, url: str, number: int, why: str) -> None:
        """A later page failed: the article is not exported with part of its text (its fate: failed)."""
        self.crawler.stats.inc_value(keys.ARTICLE_PAGES.format(what="partial_dropped"))
        self.report_failure(item.url, "article", f"page {number} of the article failed ({why}): {url}; "
                                                 "not exported partial")

    # -- reading an article page ----------------------------------------------------

    def read_article(self, response: Response) -> tuple[ArticlePage | None, ArticlePager]:
        """The page object's reading of an article page, and its own pager (read before extraction,
        which drops the pager from the tree as boilerplate)."""
        if not isinstance(response, TextResponse):
            return None, ArticlePager(None, None)
        if read_by_worker := response.meta.pop(EXTRACTED, None):  # a replay's worker process read it
            page, pager = read_by_worker
        else:
            page, pager = read_article_page(parse_html(response.text), response.url)
        if page is not None:
            keys.count_extraction(self.crawler.stats, page)
            for name, error in page.field_errors.items():
                self.logger.warning("field %s could not be read (%s): %s", name, error, response.url)
        return page, pager

    def extract(self, response: Response) -> ArticlePage | None:
        return self.read_article(response)[0]

    def item(self, page: ArticlePage, response: Response) -> ArticleItem:
        """The page's fields (the pipelines clean and parse them), plus how the article was found."""
        shared = {name: getattr(page, name) for name in ITEM_FIELDS_FROM_PAGE}
        return ArticleItem(
            **shared,
            article_id=page.article_id or article_id(response.url),
            modified_at=page.modified_at_raw,
            discovered_from=self.discovered_from(page.article_id or article_id(response.url), response.meta.get("via")),
        )

    def discovered_from(self, code: str | None, via: str | None) -> str | None:
        """The page that linked the request; for a sitemap's request, a listing that named the article since."""
        return self.ledger.via(code, via) if via in self.sitemaps_requested else via

    def finish_article(self, item: ArticleItem, depth: int) -> Iterator[Any]:
        """The item, then its related articles while the depth allows."""
        yield item
        if not self.args.follow_related or not item.related_urls:
            return
        depth = min(depth, self.requested_ids.get(item.article_id, depth))  # a listing may have named it since
        if depth >= self.args.related_depth:
            if depth > 0:  # only a link from a listing could still lift it
                self.unfollowed[item.article_id] = (item.url, tuple(item.related_urls))
            return
        yield from self.related_requests(item.url, item.related_urls, depth + 1)

    def related_requests(self, parent_url: str, urls, depth: int) -> Iterator[scrapy.Request]:
        for url in urls:
            yield from self.article_requests(url, via=parent_url, depth=depth)

    def count_related(self, path: str, urls: list[str]) -> None:
        self.crawler.stats.inc_value(keys.RELATED_FOUND.format(path=path), len(urls))

    # -- JavaScript-filled "Berita Lainnya": rendering.RelatedListCompleter's answers -------------
    # (Scrapy stores a request's callback as a spider method name, so the answers come back here.)

    def parse_related_list(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield from self.related_lists.parsed(response, **kwargs)

    def related_list_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self.related_lists.failed(failure)

    async def learn_related_endpoint(self, response: Any) -> None:
        await self.related_lists.learn_endpoint(response)

    def playwright_meta(self) -> dict[str, Any]:
        """A rendered request's meta (the WARC replay reads its event handler from here)."""
        return self.related_lists.playwright_meta()

    # -- AMP fallback -----------------------------------------------------------

    def amp_request(self, failed: scrapy.Request, why: str, depth: int,
                    unread: ArticleItem | None = None) -> scrapy.Request:
        """``/amp/<section>/<slug>-<id>`` of an article whose page failed for good (``why``).

        ``unread`` is the item the page itself gave (no body): exported as it is if AMP fails too.
        """
        url = canonical_url(failed.url)
        self.logger.info("article page failed (%s), reading its AMP page: %s", why, url)
        request = self.request("amp", self.url("/amp" + urlsplit(url).path), depth=depth, why=why, unread=unread)
        request.meta.update(via=failed.meta.get("via"), listed_date=failed.meta.get("listed_date"), amp_for=url)
        return request

    def parse_amp(self, response: Response, depth: int, why: str, unread: ArticleItem | None) -> Iterator[Any]:
        page = self.extract(response)
        if page is None or not page.body:
            yield from self.amp_gave_nothing(response.meta["amp_for"], why, "no body extracted", unread)
            return
        self.crawler.stats.inc_value(keys.AMP.format(what="fallback"))
        item = self.item(page, response)
        # The AMP page links its canonical page; else the URL this AMP page stands for.
        item.url = page.url if article_id(page.url) == item.article_id and "/amp/" not in page.url \
            else response.meta["amp_for"]
        item.section = article_section(item.url)
        item.layout = "amp"  # the spider asked for AMP: the page's markup is not what says so
        # AMP pages show no date: the listing card that linked the article may (never invented).
        item.published_at_raw = item.published_at_raw or response.meta.get("listed_date")
        yield from self.finish_article(item, depth)

    def amp_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        yield from self.amp_gave_nothing(request.meta["amp_for"], request.cb_kwargs["why"],
                                         describe_failure(failure), request.cb_kwargs["unread"])

    def amp_gave_nothing(self, url: str, why: str, amp_why: str, unread: ArticleItem | None) -> Iterator[Any]:
        """The page's own failure (``why``) stands: reported (HTTP), or its item goes on to be dropped (no body)."""
        self.crawler.stats.inc_value(keys.AMP.format(what="failed"))
        self.logger.info("AMP page of %s failed too (%s)", url, amp_why)
        if unread is not None:
            yield unread
        else:
            self.report_failure(url, "article", f"{why}; AMP page: {amp_why}")

    def not_article(self, response: Response) -> None:
        """An article-shaped URL whose page is no article (a video, a gallery): counted, not an error."""
        self.crawler.stats.inc_value(keys.DROPPED.format(reason="not_article"))
        self.ledger.settle(article_id(response.url), "not_article", url=response.url)
        self.logger.info("not an article page, no item: %s", response.url)

    # -- requests -------------------------------------------------------------

    def article_requests(self, url: str, via: str | None, depth: int, listed_date: str | None = None,
                         sitemap: str | None = None) -> Iterator[scrapy.Request]:
        """The request for this article, unless this crawl already asked for it.

        An article first reached through related links and later found in a listing
        counts as listed: its own related links are then followed after all.
        """
        code = self.discover(url, via, sitemap)
        if code and self.outside_sections(url):
            self.ledger.settle(code, "other_section", article_section(url) or "")
            return
        code = code or article_id(url)
        known_depth = self.requested_ids.get(code)
        if known_depth is None:
            self.requested_ids[code] = depth
            self.crawler.stats.inc_value(keys.ARTICLE_REQUESTED)
            yield self.article_request(url, via, depth, listed_date)
            return
        self.crawler.stats.inc_value(keys.ARTICLE_SEEN_AGAIN)
        if depth < known_depth:
            self.requested_ids[code] = depth
            if code in self.unfollowed and depth < self.args.related_depth:
                parent_url, related = self.unfollowed.pop(code)
                yield from self.related_requests(parent_url, related, depth + 1)

    def discover(self, url: str, via: str | None, sitemap: str | None = None) -> str | None:
        """Enter a same-site article in the ledger (first ``via`` wins, a listing's over a sitemap's); its id."""
        if not same_site(url, self.base_url):
            return None
        code = article_id(url)
        if code:
            self.ledger.discovered(code, canonical_url(url), via, sitemap=sitemap)
        return code

    def outside_sections(self, url: str) -> bool:
        """``-a sections=…`` restricts the export (article URLs given as arguments are wanted whatever their section)."""
        return bool(self.args.sections) and not self.args.start_urls and article_section(url) not in self.args.sections

    def article_request(self, url: str, via: str | None, depth: int, listed_date: str | None) -> scrapy.Request:
        request = self.request("article", canonical_url(url), depth=depth)
        request.meta.update(via=via, listed_date=listed_date)  # the card's date: the AMP fallback may need it
        if self.args.render == "always":
            request.meta.update(self.playwright_meta())
        return request

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """An HTTP error after retries: the AMP page; any other failure is reported as it is."""
        if failure.check(HttpError):
            yield self.amp_request(failure.request, describe_failure(failure), failure.request.cb_kwargs["depth"])
        else:
            self.on_error(failure)

    def section_request(self, section: str, found_by: str) -> scrapy.Request:
        """Each section pages with its own cookie jar: the CSRF token is tied to the session."""
        self.sections_requested[section] = found_by
        request = self.request("section", self.url(f"/{section}"), section=section)
        request.meta.update(cookiejar=cookiejar(section), found_by=found_by)
        return request

    def section_failed(self, failure: Failure) -> None:
        """A section guessed from article URLs may have no index page (an archive prefix): not a failure.
        Nor is a section given as an argument: ``sections.py`` judges whether the site knows it."""
        request = failure.request
        found_by = request.meta.get("found_by")
        if found_by in ("article_url", "argument") and failure.check(HttpError) \
                and failure.value.response.status == 404:
            self.crawler.stats.inc_value(keys.SECTIONS.format(how="without_index"))
            self.logger.info("no section index at %s (the section was taken from %s)", request.url,
                             "article URLs" if found_by == "article_url" else "the sections argument")
            return
        self.on_error(failure)

    def request(self, kind: str, url: str, **cb_kwargs: Any) -> scrapy.Request:
        spec = REQUEST_KINDS[kind]
        return scrapy.Request(
            url,
            callback=getattr(self, spec.callback),
            errback=getattr(self, spec.errback),
            priority=spec.priority,
            meta={"kind": kind},
            cb_kwargs=cb_kwargs,
        )

    def on_error(self, failure: Failure) -> None:
        if failure.check(SiteDown):  # the circuit breaker said it once for all
            return
        request = failure.request
        self.report_failure(request.url, request.meta.get("kind", "other"), describe_failure(failure))

    def report_failure(self, url: str, kind: str, reason: str) -> None:
        self.crawler.stats.inc_value(keys.REQUEST_ERROR.format(kind=kind))
        self.logger.error("request failed (%s, %s): %s", kind, reason, url)
        self.crawler.signals.send_catch_log(page_failed, url=url, kind=kind, reason=reason)

    @property
    def parked_urls(self) -> list[str]:
        """Articles still waiting for the browser (at close: discovered, not exported)."""
        return self.related_lists.parked_urls

    def closed(self, reason: str) -> None:
        """A crawl whose JavaScript path never worked, or that found nothing to crawl, fails loudly."""
        stats = self.crawler.stats
        failed = self.related_lists.closed(reason)
        if failed:
            stats.set_value(keys.FAILED, f"{failed} ({self.browser_choice or 'no browser'})")
        # Pages that failed are reported as such; a resumed crawl has requested_ids from its first run.
        crawled_site = self.start_pages_read and not (self.args.start_urls or self.args.sections)
        if crawled_site and not self.sections_requested and not self.requested_ids:
            stats.set_value(keys.FAILED, "no sections and no article links found on home, /indeks, /rss")
            self.logger.error("no section links and no article links found on %s, /indeks or /rss", self.base_url)

    # -- helpers --------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def more_url(self, section: str, offset: int) -> str:
        """How a load-more page is named in ``discovered_from`` (it is a POST)."""
        return self.url("/more?" + urlencode({"categorynext": section, "next": offset}))

    @staticmethod
    def selector(response: Response) -> Selector:
        """A fresh HTML tree per call (extraction may drop boilerplate elements from it); never parsel's
        JSON selector, whatever the answer holds."""
        return Selector(text=text_of(response) or "<html></html>", type="html")


def cookiejar(section: str) -> str:
    """Each listing pages in its own session: the CSRF token is tied to the session cookie."""
    return section or "home"


def text_of(response: Response) -> str:
    """A response's text; empty for a binary answer (an image or a PDF where a page was expected)."""
    return response.text if isinstance(response, TextResponse) else ""
