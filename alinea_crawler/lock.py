"""One crawl of a site at a time, across every node that shares its state.

``CrawlLock`` (an extension) takes the site's lock while the crawler is
built, before anything is fetched, and holds it until the engine stops. A
second crawl of the same site stops there with one line, ``another crawl of
www.alinea.id is running (job <id> on <host> since <time>)``, and the crawl
command exits 3 ("skipped", not "failed").

The lock lives where the crawl's shared state lives: the incremental state
(``ALINEA_STATE_URL``) for an incremental crawl, else the database sink
(``ALINEA_DATABASE_URL``); without either there is nothing to share and no lock.

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock`` on a hash
  of the site's host name), held by the crawl's own connection, so a crawl that
  is killed — even ``kill -9`` — releases it when its connection drops. A row of
  ``crawl_locks`` says who holds it (job, host, since), for the message.
* SQLite: an exclusive ``flock`` on ``<state file>.lock`` holding the same three
  facts; the kernel releases it when the process ends. It guards one machine
  (a SQLite file is one machine's state anyway).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from .exitcodes import SKIPPED, NotStarted
from .pgconnect import connect, create_schema, is_postgres, masked
from .state import state_location
from .stats import LOCK

logger = logging.getLogger(__name__)

_SCHEMA = """CREATE TABLE IF NOT EXISTS crawl_locks (
    site text PRIMARY KEY,
    job text NOT NULL,
    host text NOT NULL,
    since timestamptz NOT NULL
)"""


class CrawlLocked(NotStarted):
    exitcode = SKIPPED
    verdict = "crawl skipped"


def refusal(site: str, job: str | None, host: str | None, since: str | None) -> CrawlLocked:
    return CrawlLocked(f"another crawl of {site} is running (job {job or '?'} on {host or '?'} since {since or '?'})")


class PostgresLock:
    def __init__(self, url: str, site: str):
        self.conn = connect(url, "crawl lock", autocommit=True)
        self.site = site
        self.location = masked(url)
        create_schema(self.conn, _SCHEMA)

    def acquire(self, job: str, host: str, since: str) -> None:
        key = f"alinea-crawler:{self.site}"
        self.conn.execute("INSERT INTO crawl_locks (site, job, host, since) VALUES (%s, '', '', now())"
                          " ON CONFLICT (site) DO NOTHING", (self.site,))  # the site's row exists from now on
        with self.conn.transaction():
            # The row is locked before the advisory lock is tried, and the holder writes it in the same
            # transaction: a crawl that finds the lock taken has waited here for the holder's commit, so the
            # row it read names the holder (not nobody, nor the crawl before).
            row = self.conn.execute("SELECT job, host, since FROM crawl_locks WHERE site = %s FOR UPDATE",
                                    (self.site,)).fetchone()
            if self.conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)).fetchone()[0]:
                self.conn.execute("UPDATE crawl_locks SET job = %s, host = %s, since = %s WHERE site = %s",
                                  (job, host, since, self.site))
                return
        self.conn.close()
        held_by, on_host, held_since = row
        raise refusal(self.site, held_by, on_host, held_since.isoformat(timespec="seconds"))

    def release(self) -> None:
        self.conn.close()  # the session ends: the advisory lock goes with it


class FileLock:
    def __init__(self, state_path: str, site: str):
        self.path = Path(state_path).expanduser().resolve().with_name(Path(state_path).name + ".lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.location = str(self.path)
        self.site = site
        self.file = open(self.path, "a+", encoding="utf-8")

    def acquire(self, job: str, host: str, since: str) -> None:
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.seek(0)
            try:
                holder = json.loads(self.file.read())
            except ValueError:
                holder = {}
            self.file.close()
            raise refusal(self.site, holder.get("job"), holder.get("host"), holder.get("since")) from None
        self.file.seek(0)
        self.file.truncate()
        self.file.write(json.dumps({"site": self.site, "job": job, "host": host, "since": since}))
        self.file.flush()

    def release(self) -> None:
        self.file.close()  # closing the file drops the flock


def lock_location(settings) -> str | None:
    if settings.getbool("ALINEA_INCREMENTAL"):
        return state_location(settings)
    return settings.get("ALINEA_DATABASE_URL") or None


class CrawlLock:
    def __init__(self, crawler: Crawler, location: str):
        spider = crawler.spider
        site = urlsplit(spider.base_url).hostname or spider.base_url
        self.lock = PostgresLock(location, site) if is_postgres(location) else FileLock(location, site)
        since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.lock.acquire(spider.job_id, socket.gethostname(), since)
        crawler.stats.set_value(LOCK.format(what="acquired"), 1)
        crawler.signals.connect(self.lock.release, signal=signals.engine_stopped)
        logger.info("crawl lock of %s taken (%s)", site, self.lock.location)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLock:
        location = lock_location(crawler.settings)
        if not location or os.environ.get("SCRAPY_CHECK"):  # contracts read single pages, they export nothing
            raise NotConfigured
        return cls(crawler, location)
