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
falls within that window (changed recently, whenever it was published). ``RevisionPipeline`` compares its
``content_hash`` with the stored one: edited, it is exported with ``revision`` + 1;
unchanged, it is not exported — it raises ``ArticleUnchanged`` (an item drop
logged at DEBUG, counted ``alinea/incremental/unchanged``, seen by any
``item_dropped`` receiver with ``exception.reason == "unchanged"``).

The state is one SQLite file (``ALINEA_STATE_PATH``): the standard library,
atomic commits, safe to copy or inspect, one table ``exported(article_id
PRIMARY KEY, url, exported_at, content_hash, revision, published_at)`` —
latest hash and revision per article. A state file from before revisions is
migrated in place (the new columns added, empty: such an article is never due
for a revisit, and its next export, e.g. with ``refresh=1``, stores its hash as revision 1).
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from .ledger import ArticleLedger
from .pages.listing import listing_answer
from .pipelines import ArticleDropped
from .stats import INCREMENTAL
from .urls import article_id

logger = logging.getLogger(__name__)

DEFAULT_STATE_PATH = "~/.local/share/alinea-crawler/state.sqlite3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS exported (
    article_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    content_hash TEXT,
    revision INTEGER,
    published_at TEXT
)"""
LISTING_PAGES = ("more", "page")  # a listing's next page (load-more, or numbered): stopped when nothing is new
_ADDED_COLUMNS = {"content_hash": "TEXT", "revision": "INTEGER", "published_at": "TEXT"}  # since revisions


@dataclass(frozen=True)
class Exported:
    """One exported article, as the state store keeps it."""

    article_id: str
    url: str
    content_hash: str | None = None
    revision: int | None = None
    published_at: str | None = None  # ISO 8601 with offset


class ExportedStore:
    """Every article already exported, with its latest content hash and revision, in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser().resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=30)
        with self.conn:
            self.conn.execute(_SCHEMA)
            self._migrate()

    def _migrate(self) -> None:
        present = {row[1] for row in self.conn.execute("PRAGMA table_info(exported)")}
        for column, kind in _ADDED_COLUMNS.items():
            if column not in present:
                self.conn.execute(f"ALTER TABLE exported ADD COLUMN {column} {kind}")

    def known(self, ids: Iterable[str]) -> set[str]:
        return set(self.published(ids))

    def published(self, ids: Iterable[str]) -> dict[str, str | None]:
        """Known ids among ``ids`` -> their stored publication date (``None`` if unknown)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(f"SELECT article_id, published_at FROM exported WHERE article_id IN ({marks})", wanted)
        return dict(rows.fetchall())

    def latest(self, code: str) -> tuple[str | None, int] | None:
        """(content hash, revision) of the article's last export, or ``None`` if never exported."""
        row = self.conn.execute("SELECT content_hash, revision FROM exported WHERE article_id = ?", (code,)).fetchone()
        return (row[0], row[1] or 1) if row else None

    def record(self, exported: Iterable[Exported]) -> int:
        """Mark articles exported (their latest hash and revision), in one transaction; returns how many."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [(e.article_id, e.url, now, e.content_hash, e.revision, e.published_at) for e in exported]
        with self.conn:
            self.conn.executemany(
                "INSERT INTO exported (article_id, url, exported_at, content_hash, revision, published_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET url = excluded.url,"
                " exported_at = excluded.exported_at, content_hash = excluded.content_hash,"
                " revision = excluded.revision, published_at = excluded.published_at",
                rows,
            )
        return len(rows)

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM exported").fetchone()[0]

    def close(self) -> None:
        self.conn.close()


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
        self.store = ExportedStore(settings.get("ALINEA_STATE_PATH") or DEFAULT_STATE_PATH)
        # Feed URI templates, spelt as FeedExporter spells FeedSlot.uri_template.
        self.feeds = {str(uri.absolute()) if isinstance(uri, Path) else str(uri) for uri in settings.getdict("FEEDS")}
        self.stored: Counter[str] = Counter()  # per feed: items in its closed (stored) slots
        self.revisit_since = revisit_since(settings)
        self.pending: list[Exported] = []  # in item_scraped order
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
        if kind == "article" and (code := article_id(request.url)) and (known := self.store.published([code])):
            # published recently, or (a sitemap's lastmod) changed recently: fetched again, its hash decides
            if due_for_revisit(known[code], self.revisit_since) or \
                    due_for_revisit(request.meta.get("lastmod"), self.revisit_since):
                self.inc("revisited")
                return request
            self.inc("skipped")
            ArticleLedger.of(self.crawler).settle(code, "skipped", "already exported")
            return None
        if kind in LISTING_PAGES and isinstance(response, TextResponse) and self.nothing_new_on(response):
            self.inc("listing_stopped")
            return None
        return request

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
        self.store = ExportedStore(crawler.settings.get("ALINEA_STATE_PATH") or DEFAULT_STATE_PATH)
        crawler.signals.connect(self.store.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevisionPipeline:
        if not crawler.settings.getbool("ALINEA_INCREMENTAL"):
            raise NotConfigured
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        latest = self.store.latest(adapter["article_id"])
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

