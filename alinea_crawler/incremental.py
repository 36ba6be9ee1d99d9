"""Incremental crawls: skip articles that an earlier run already exported.

``IncrementalMiddleware`` (a spider middleware, on when ``ALINEA_INCREMENTAL``
is true) filters what the spider yields:

* an article request whose id is in the state store is dropped
  (``alinea/incremental/skipped``);
* the ``POST /more`` request of a listing page is dropped when every card on
  that page was already exported (``alinea/incremental/listing_stopped``):
  new articles come first, so the next page holds nothing new.

Listing pages (home, sections, indeks, rss) are always fetched again.
``-a refresh=1`` skips nothing but still records what the run exported.

Crash safety: an id is recorded only once its item is *stored* in every feed.
Ids are collected on ``item_scraped`` and committed when feed slots close
(``feed_slot_closed``: at the end of the crawl, and after each batch when
``FEED_EXPORT_BATCH_ITEM_COUNT`` / ``batch_item_count`` is set). The trade-off:
a crash or a failed feed upload re-exports that run's articles next time, but
an article is never recorded without having been written. Without any feed
the ids are committed when the spider closes with reason ``finished``.

The state is one SQLite file (``ALINEA_STATE_PATH``): the standard library,
atomic commits, safe to copy or inspect, one table
``exported(article_id PRIMARY KEY, url, exported_at)``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from parsel import Selector
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from .ledger import ArticleLedger
from .pages.listing import extract_cards
from .stats import INCREMENTAL
from .urls import article_id

logger = logging.getLogger(__name__)

DEFAULT_STATE_PATH = "~/.local/share/alinea-crawler/state.sqlite3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS exported (
    article_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    exported_at TEXT NOT NULL
)"""


class ExportedStore:
    """The ids of articles already exported, in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser().resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=30)
        with self.conn:
            self.conn.execute(_SCHEMA)

    def known(self, ids: Iterable[str]) -> set[str]:
        wanted = list(set(ids))
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(f"SELECT article_id FROM exported WHERE article_id IN ({marks})", wanted)
        return {row[0] for row in rows}

    def record(self, exported: Iterable[tuple[str, str]]) -> int:
        """Mark (article id, url) pairs exported, in one transaction; returns how many."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [(code, url, now) for code, url in exported]
        with self.conn:
            self.conn.executemany(
                "INSERT INTO exported (article_id, url, exported_at) VALUES (?, ?, ?)"
                " ON CONFLICT (article_id) DO UPDATE SET url = excluded.url, exported_at = excluded.exported_at",
                rows,
            )
        return len(rows)

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM exported").fetchone()[0]

    def close(self) -> None:
        self.conn.close()


class IncrementalMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("ALINEA_INCREMENTAL"):
            raise NotConfigured
        super().__init__(crawler)
        self.store = ExportedStore(settings.get("ALINEA_STATE_PATH") or DEFAULT_STATE_PATH)
        # Feed URI templates, spelt as FeedExporter spells FeedSlot.uri_template.
        self.feeds = {str(uri.absolute()) if isinstance(uri, Path) else str(uri) for uri in settings.getdict("FEEDS")}
        self.stored: Counter[str] = Counter()  # per feed: items in its closed (stored) slots
        self.pending: list[tuple[str, str]] = []  # (id, url) in item_scraped order
        self.committed = 0  # pending[:committed] are in the store
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.store.close, signal=signals.engine_stopped)
        logger.info("incremental crawl: %d article(s) already exported, state in %s",
                    self.store.count(), self.store.path)

    @property
    def refresh(self) -> bool:
        args = getattr(self.crawler.spider, "args", None)
        return bool(getattr(args, "refresh", False))

    # -- filtering the spider's output ----------------------------------------

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if self.refresh:
            return request
        kind = request.meta.get("kind")
        if kind == "article" and (code := article_id(request.url)) and self.store.known([code]):
            self.inc("skipped")
            ArticleLedger.of(self.crawler).settle(code, "skipped", "already exported")
            return None
        if kind == "more" and isinstance(response, TextResponse) and self.nothing_new_on(response):
            self.inc("listing_stopped")
            return None
        return request

    def nothing_new_on(self, response: TextResponse) -> bool:
        ids = {card.article_id for card in extract_cards(Selector(text=response.text), response.url)}
        return self.store.known(ids) == ids

    # -- recording what was exported ------------------------------------------

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        adapter = ItemAdapter(item)
        if code := adapter.get("article_id"):
            self.pending.append((code, adapter.get("url") or ""))

    def feed_slot_closed(self, slot: Any) -> None:
        self.stored[slot.uri_template] += slot.itemcount
        if self.feed_failed():
            logger.error("a feed was not stored: this run's articles stay unrecorded and are exported again next run")
            return
        self.commit(min(self.stored[uri] for uri in self.feeds) if self.feeds else 0)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not self.feeds and reason == "finished":
            self.commit(len(self.pending))

    def commit(self, upto: int) -> None:
        upto = min(upto, len(self.pending))
        if upto > self.committed:
            self.inc("recorded", self.store.record(self.pending[self.committed:upto]))
            self.committed = upto

    def feed_failed(self) -> bool:
        return any(key.startswith("feedexport/failed_count/") for key in self.crawler.stats.get_stats())

    def inc(self, what: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(INCREMENTAL.format(what=what), count)
