"""``ALINEA_DATABASE_URL``: every exported article also goes into PostgreSQL.

``DatabasePipeline`` (the last item pipeline; ``NotConfigured`` unless the
setting is given) keeps two tables, created on first use:

* ``articles``: one row per ``article_id``, its newest revision — every item
  field as a typed column (dates ``timestamptz``, ``authors``/``tags``/
  ``related_urls`` ``text[]``, ``word_count``/``revision`` ``integer``), the
  ``job_id`` of the crawl that wrote it, and ``search``, a generated
  ``tsvector`` of title + body with a GIN index (the ``simple`` configuration:
  PostgreSQL has no Indonesian stemmer, and ``simple`` lower-cases words and
  keeps them whole — ``Pemilu`` matches ``pemilu``, not ``pemilihan``);
* ``article_revisions``: every revision ever written, keyed ``(article_id, revision)``.

Writes are batched (``ALINEA_DATABASE_BATCH`` items, ``executemany`` in
psycopg's pipeline mode, one transaction per batch) and run in a thread of the
reactor's pool, one batch after the other, so the crawl goes on while
PostgreSQL indexes a batch. A batch counts as stored once PostgreSQL has
committed it (durable: ``synchronous_commit`` on), and only then is the
``rows_stored`` signal sent, on which the incremental state records those
articles — as it does when a feed file is stored. Rewriting an article is
an upsert: ``articles`` stays one row per id, and never goes back to an older revision.

PostgreSQL unreachable at start: the crawl stops before fetching anything,
exit 2. Lost mid-crawl: the feeds keep every article; those that did not reach
the database are listed at close (``alinea/database/unwritten``) and the crawl
fails — they are not recorded in the state, so the next run exports and writes them.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, succeed
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from .items import FIELD_NAMES
from .pgconnect import connect, create_schema, masked, scrub
from .stats import DATABASE, FAILED

logger = logging.getLogger(__name__)

rows_stored = object()  # signal: send_catch_log(rows_stored, count=n) once n more rows are committed
DATABASE_SINK = "database"  # the sink's name among the feeds the incremental state waits for

ARRAYS = frozenset({"authors", "tags", "related_urls"})
INTEGERS = frozenset({"word_count", "revision"})
TIMESTAMPS = frozenset({"published_at", "modified_at", "scraped_at"})
COLUMNS = [*FIELD_NAMES, "job_id"]


def column_type(name: str) -> str:
    if name in ARRAYS:
        return "text[]"
    if name in INTEGERS:
        return "integer"
    return "timestamptz" if name in TIMESTAMPS else "text"


def _definitions() -> str:
    required = {"url", "article_id", "revision", "job_id"}
    return ",\n    ".join(f"{name} {column_type(name)}" + (" NOT NULL" if name in required else "") for name in COLUMNS)


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS articles (
    {_definitions()},
    search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(body, ''))) STORED,
    PRIMARY KEY (article_id)
);
CREATE INDEX IF NOT EXISTS articles_search ON articles USING gin (search);
CREATE INDEX IF NOT EXISTS articles_section_published ON articles (section, published_at DESC);
CREATE TABLE IF NOT EXISTS article_revisions (
    {_definitions()},
    PRIMARY KEY (article_id, revision)
);
"""
_VALUES = ", ".join(["%s"] * len(COLUMNS))
_UPDATE = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS if name != "article_id")
INSERT_REVISION = (f"INSERT INTO article_revisions ({', '.join(COLUMNS)}) VALUES ({_VALUES})"
                   f" ON CONFLICT (article_id, revision) DO UPDATE SET {_UPDATE}")
UPSERT_ARTICLE = (f"INSERT INTO articles ({', '.join(COLUMNS)}) VALUES ({_VALUES})"
                  f" ON CONFLICT (article_id) DO UPDATE SET {_UPDATE} WHERE articles.revision <= excluded.revision")


class DatabasePipeline:
    def __init__(self, crawler: Crawler, url: str):
        self.crawler = crawler
        self.url = url
        self.batch_size = crawler.settings.getint("ALINEA_DATABASE_BATCH")
        self.conn = connect(url, "database sink")
        create_schema(self.conn, SCHEMA)
        self.batch: list[tuple[Any, ...]] = []
        self.unwritten: list[tuple[str, str]] = []  # (article_id, url) of articles that did not reach the database
        self.lost: str | None = None
        self.writing: Deferred = succeed(None)  # the batches being written, one after the other
        logger.info("database sink: articles go to %s", masked(url))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabasePipeline:
        url = crawler.settings.get("ALINEA_DATABASE_URL")
        if not url or os.environ.get("SCRAPY_CHECK"):  # a contract's item is no export
            raise NotConfigured
        return cls(crawler, url)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        row = (*(adapter.get(name) for name in FIELD_NAMES), self.crawler.spider.job_id)
        if self.lost:
            self.unwritten.append((adapter["article_id"], adapter["url"]))
            return item
        self.batch.append(row)
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        rows, self.batch = self.batch, []
        if rows:
            self.writing.addCallback(self._write_next, rows)

    def _write_next(self, _: Any, rows: list[tuple[Any, ...]]) -> Deferred | None:
        if self.lost:  # no batch is written after a lost one: the state records only a prefix of the crawl
            self.unwritten += [(row[1], row[0]) for row in rows]
            return None
        return deferToThread(self.write, rows).addCallbacks(
            self.written, self.not_written, callbackArgs=(rows,), errbackArgs=(rows,))

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Both tables, one transaction (in a pool thread)."""
        with self.conn.transaction(), self.conn.cursor() as cursor:
            cursor.executemany(INSERT_REVISION, rows)
            cursor.executemany(UPSERT_ARTICLE, rows)

    def written(self, _: Any, rows: list[tuple[Any, ...]]) -> None:
        self.crawler.stats.inc_value(DATABASE.format(what="rows"), len(rows))
        self.crawler.stats.inc_value(DATABASE.format(what="batches"))
        self.crawler.signals.send_catch_log(rows_stored, count=len(rows))

    def not_written(self, failure: Failure, rows: list[tuple[Any, ...]]) -> None:
        self.lost = scrub(failure.getErrorMessage() or failure.type.__name__, self.url)
        self.unwritten += [(row[1], row[0]) for row in rows]
        logger.error("database sink: a batch could not be written to PostgreSQL at %s (%s); no more are written, "
                     "the feeds keep every article, those not written are listed at close", masked(self.url), self.lost)

    async def close_spider(self) -> None:
        self.flush()
        await maybe_deferred_to_future(self.writing)
        if not self.lost:
            self.conn.close()
            return
        count = len(self.unwritten)
        self.crawler.stats.set_value(DATABASE.format(what="unwritten"), count)
        listing = "\n".join(f"  {code} {url}" for code, url in self.unwritten)
        logger.error("%d article(s) did not reach the database (the feeds hold them; "
                     "the next run writes them):\n%s", count, listing)
        if not self.crawler.stats.get_value(FAILED):
            self.crawler.stats.set_value(FAILED, f"{count} article(s) did not reach the database at "
                                                 f"{masked(self.url)}: {self.lost}")
