"""The state in PostgreSQL: one table, ``exported``, shared by every node that crawls the site.

The same rows as the SQLite file (``exported_at`` a ``timestamptz``); the
table is created on first use. Queries run in autocommit, ``record()`` in one
transaction. A connection that fails at start is ``DatabaseUnreachable`` (the
crawl stops before fetching, exit 2); one lost later raises ``StateUnavailable``.
Lookups block the reactor for a round trip (about as long as a SQLite read on a
local server; ``bench/database.py`` measures both).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import psycopg

from ..pgconnect import connect, create_schema, lost, masked
from . import Exported, Lookups, StateUnavailable

_SCHEMA = """CREATE TABLE IF NOT EXISTS exported (
    article_id text PRIMARY KEY,
    url text NOT NULL,
    exported_at timestamptz NOT NULL DEFAULT now(),
    content_hash text,
    revision integer,
    published_at text
)"""
COLUMNS = "article_id, url, exported_at, content_hash, revision, published_at"


class PostgresStore(Lookups):
    def __init__(self, url: str):
        self.url = url
        self.location = masked(url)
        self.conn = connect(url, "incremental state", autocommit=True)
        with self._guard():
            create_schema(self.conn, _SCHEMA)

    @contextmanager
    def _guard(self):
        try:
            yield
        except psycopg.OperationalError as error:  # the server went away, the connection broke
            raise StateUnavailable(str(lost(error, self.url, "incremental state"))) from None

    def _published(self, ids: list[str]) -> dict[str, str | None]:
        with self._guard():
            rows = self.conn.execute("SELECT article_id, published_at FROM exported WHERE article_id = ANY(%s)",
                                     (ids,))
            return dict(rows.fetchall())

    def latest(self, code: str) -> tuple[str | None, int] | None:
        with self._guard():
            row = self.conn.execute("SELECT content_hash, revision FROM exported WHERE article_id = %s",
                                    (code,)).fetchone()
        return (row[0], row[1] or 1) if row else None

    def exported_at(self, code: str) -> datetime | None:
        with self._guard():
            row = self.conn.execute("SELECT exported_at FROM exported WHERE article_id = %s", (code,)).fetchone()
        return row[0] if row else None

    def record(self, exported: Iterable[Exported]) -> int:
        rows = [(e.article_id, e.url, e.content_hash, e.revision, e.published_at) for e in exported]
        with self._guard(), self.conn.transaction(), self.conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO exported (article_id, url, content_hash, revision, published_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (article_id) DO UPDATE SET url = excluded.url,"
                " exported_at = now(), content_hash = excluded.content_hash, revision = excluded.revision,"
                " published_at = excluded.published_at",
                rows,
            )
        return len(rows)

    def count(self) -> int:
        with self._guard():
            return self.conn.execute("SELECT count(*) FROM exported").fetchone()[0]

    def dump(self) -> Iterator[tuple[Exported, str]]:
        with self._guard():
            rows = self.conn.execute(f"SELECT {COLUMNS} FROM exported").fetchall()
        for code, url, at, digest, revision, published in rows:
            yield Exported(code, url, digest, revision, published), at.isoformat()

    def load(self, rows: Iterable[tuple[Exported, str]]) -> int:
        with self._guard(), self.conn.transaction(), self.conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO exported ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (article_id) DO NOTHING",
                [(e.article_id, e.url, at, e.content_hash, e.revision, e.published_at) for e, at in rows])
            return max(cursor.rowcount, 0)

    def close(self) -> None:
        self.conn.close()
