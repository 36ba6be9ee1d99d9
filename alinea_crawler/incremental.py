"""Incremental crawls: skip articles that an earlier run already exported.

``IncrementalMiddleware`` (a spider middleware, on when ``ALINEA_INCREMENTAL``
is true) filters what the spider yields:

* an article request whose id is in the state store is dropped
  (``alinea/incremental/skipped``);
* the next page of a listing (``POST /more``, or a numbered page) is dropped
  when every card on this page was already exported
  (``alinea/incremental/listing_stopped``): new articles come first, so the
  next page holds nothing new.

Listing pages (home, sections, indeks, rss) are always fetched again.
``-a refresh=1`` skips nothing but still records what the run exported.

Crash safety: an id is recorded only once its item is *stored* in every feed.
Ids are collected on ``item_scraped`` and committed when feed slots close
(``feed_slot_closed``: at the end of the crawl, and after each batch when
``FEED_EXPORT_BATCH_ITEM_COUNT`` / ``batch_item_count`` is set). The trade-off:
a crash or a failed feed upload re-exports that run's articles next time, but
an article is never recorded without having been written. Without any feed
the ids are committed when the spider closes with reason ``finished``.

Revisions: an article published within ``ALINEA_REVISIT_DAYS`` of now is
fetched again even though it is known (``alinea/incremental/revisited``), and
counts as new for the listing early-stop; so is one whose sitemap ``lastmod``
is newer than its last export (changed since, whenever it was published). ``RevisionPipeline`` compares its
``content_hash`` with the stored one: edited, it is exported with ``revision`` + 1;
unchanged, it is not exported — it raises ``ArticleUnchanged`` (an item drop
logged at DEBUG, counted ``alinea/incremental/unchanged``, seen by any
``item_dropped`` receiver with ``exception.reason == "unchanged"``).

The state (``alinea_crawler.state``) is a SQLite file or a PostgreSQL table,
named by ``ALINEA_STATE_URL`` (``ALINEA_STATE_PATH``, its older name, still
works). With ``ALINEA_DATABASE_URL`` the database sink counts as one more feed:
an id is recorded once its row is committed there too. A store lost mid-crawl
(PostgreSQL stopped) fails the crawl and closes it: nothing more is fetched,
and what was exported but not recorded is exported again next run.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.defer import _schedule_coro

from .database import DATABASE_SINK, rows_stored
from .ledger import ArticleLedger
from .pages.listing import listing_answer
from .pipelines import ArticleDropped
from .state import Exported, StateStore, StateUnavailable, open_store, state_location
from .stats import FAILED, INCREMENTAL
from .urls import article_id

logger = logging.getLogger(__name__)


LISTING_PAGES = ("more", "page")  # a listing's next page (load-more, or numbered): stopped when nothing is new

def open_state(crawler: Crawler) -> StateStore:
    """The crawl's state store, closed when the engine stops."""
    store = open_store(state_location(crawler.settings))
    crawler.signals.connect(store.close, signal=signals.engine_stopped, weak=False)
    return store


def state_lost(crawler: Crawler, error: StateUnavailable) -> None:
    """The store stopped answering: fail the crawl and close it (once), nothing more fetched."""
    if crawler.stats.get_value(INCREMENTAL.format(what="state_lost")):
        return
    crawler.stats.set_value(INCREMENTAL.format(what="state_lost"), 1)
    logger.error("%s; the crawl stops, its exported articles stay unrecorded and are exported again next run", error)
    if not crawler.stats.get_value(FAILED):
        crawler.stats.set_value(FAILED, f"{error}")
    if crawler.engine and crawler.engine.spider is not None:
        _schedule_coro(crawler.engine.close_spider_async(reason="state_lost"))  # as Scrapy's CloseSpider does


def revisit_since(settings) -> datetime:
    """Articles published at or after this are fetched again, to catch edits (``ALINEA_REVISIT_DAYS``)."""
    return datetime.now(timezone.utc) - timedelta(days=settings.getfloat("ALINEA_REVISIT_DAYS", 2))


def due_for_revisit(published_at: str | None, since: datetime) -> bool:
    if not published_at:
        return False
    try:
        return datetime.fromisoformat(published_at) >= since
    except ValueError:
        return False


class IncrementalMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("ALINEA_INCREMENTAL"):
            raise NotConfigured
        super().__init__(crawler)
        self.store = open_state(crawler)
        # Feed URI templates, spelt as FeedExporter spells FeedSlot.uri_template, and the database sink.
        self.feeds = {str(uri.absolute()) if isinstance(uri, Path) else str(uri) for uri in settings.getdict("FEEDS")}
        self.sinks = self.feeds | ({DATABASE_SINK} if settings.get("ALINEA_DATABASE_URL") else set())
        self.stored: Counter[str] = Counter()  # per sink: items in its closed (stored) slots, or committed rows
        self.revisit_since = revisit_since(settings)
        self.pending: list[Exported] = []  # in item_scraped order
        self.committed = 0  # pending[:committed] are in the store
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(self.rows_stored, signal=rows_stored)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        logger.info("incremental crawl: %d article(s) already exported, state in %s",
                    self.store.count(), self.store.location)

    @property
    def refresh(self) -> bool:
        args = getattr(self.crawler.spider, "args", None)
        return bool(getattr(args, "refresh", False))

    # -- filtering the spider's output ----------------------------------------

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if self.refresh or self.crawler.stats.get_value(INCREMENTAL.format(what="state_lost")):
            return request  # a lost state closes the crawl: what is already on its way is not filtered
        try:
            return self.filtered(request, response)
        except StateUnavailable as error:
            state_lost(self.crawler, error)
            return request

    def filtered(self, request: Request, response: Response | None) -> Request | None:
        kind = request.meta.get("kind")
        if kind == "article" and (code := article_id(request.url)) and (known := self.store.published([code])):
            # published recently, or changed (its sitemap lastmod) after its last export: fetched again,
            # its content hash decides whether it is a new revision
            if due_for_revisit(known[code], self.revisit_since) or self.changed_since_export(code, request):
                self.inc("revisited")
                return request
            self.inc("skipped")
            ArticleLedger.of(self.crawler).settle(code, "skipped", "already exported")
            return None
        if kind in LISTING_PAGES and isinstance(response, TextResponse) and self.nothing_new_on(response):
            self.inc("listing_stopped")
            return None
        return request

    def changed_since_export(self, code: str, request: Request) -> bool:
        """The sitemap's ``lastmod`` for the article is newer than its last export."""
        lastmod = request.meta.get("lastmod")
        exported = self.store.exported_at(code) if lastmod else None
        return exported is not None and datetime.fromisoformat(lastmod) > exported

    def nothing_new_on(self, response: TextResponse) -> bool:
        """Every card was exported before and none is due for a revisit."""
        ids = {card.article_id for card in listing_answer(response.text, response.url).cards}
        known = self.store.published(ids)
        return set(known) == ids and not any(due_for_revisit(date, self.revisit_since) for date in known.values())

    # -- recording what was exported ------------------------------------------

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        adapter = ItemAdapter(item)
        if code := adapter.get("article_id"):
            self.pending.append(Exported(code, adapter.get("url") or "", adapter.get("content_hash"),
                                         adapter.get("revision"), adapter.get("published_at")))

    def feed_slot_closed(self, slot: Any) -> None:
        self.stored[slot.uri_template] += slot.itemcount
        if self.feed_failed():
            logger.error("a feed was not stored: this run's articles stay unrecorded and are exported again next run")
            return
        self.commit_stored()

    def rows_stored(self, count: int) -> None:
        self.stored[DATABASE_SINK] += count
        self.commit_stored()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not self.sinks and reason == "finished":
            self.commit(len(self.pending))

    def commit_stored(self) -> None:
        """Record what every sink has stored: the first N scraped items, N the least any sink holds."""
        self.commit(min(self.stored[sink] for sink in self.sinks) if self.sinks else 0)

    def commit(self, upto: int) -> None:
        upto = min(upto, len(self.pending))
        if upto <= self.committed:
            return
        try:
            self.inc("recorded", self.store.record(self.pending[self.committed:upto]))
        except StateUnavailable as error:
            state_lost(self.crawler, error)
            return
        self.committed = upto

    def feed_failed(self) -> bool:
        return any(key.startswith("feedexport/failed_count/") for key in self.crawler.stats.get_stats())

    def inc(self, what: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(INCREMENTAL.format(what=what), count)


class ArticleUnchanged(ArticleDropped):
    """A revisited article whose content hash is the stored one: not exported again.

    The hook for anything that accounts for every article (``item_dropped`` with
    this exception): the article's fate is "unchanged".
    """

    def __init__(self, url: str, revision: int):
        super().__init__("unchanged", f"article unchanged since revision {revision}, not exported again: {url}")
        self.log_level = "DEBUG"  # routine, not a problem (DropItem.log_level, read by Scrapy's LogFormatter)


class RevisionPipeline:
    """Incremental runs: an edited article gets ``revision`` + 1; an unchanged one is not exported."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.store = open_state(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevisionPipeline:
        if not crawler.settings.getbool("ALINEA_INCREMENTAL"):
            raise NotConfigured
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        try:
            latest = self.store.latest(adapter["article_id"])
        except StateUnavailable as error:
            state_lost(self.crawler, error)
            raise ArticleDropped("state_lost", f"article dropped (state lost, its revision unknown): {adapter.get('url')}")
        if latest is None:
            return item
        stored_hash, revision = latest
        if stored_hash is None:  # exported before hashes were kept: nothing to compare, this hash is the baseline
            adapter["revision"] = revision
            return item
        if stored_hash != adapter["content_hash"]:
            adapter["revision"] = revision + 1
            self.crawler.stats.inc_value(INCREMENTAL.format(what="revised"))
            return item
        args = getattr(self.crawler.spider, "args", None)
        if getattr(args, "refresh", False):
            adapter["revision"] = revision
            return item
        self.crawler.stats.inc_value(INCREMENTAL.format(what="unchanged"))
        raise ArticleUnchanged(adapter.get("url"), revision)

