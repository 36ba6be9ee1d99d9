"""The state in one SQLite file: the standard library, atomic commits, safe to copy or inspect.

A state file from before revisions is migrated in place (the new columns
added, empty: such an article is never due for a revisit, and its next
export, e.g. with ``refresh=1``, stores its hash as revision 1).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from . import Exported, Lookups

_SCHEMA = """CREATE TABLE IF NOT EXISTS exported (
    article_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    content_hash TEXT,
    revision INTEGER,
    published_at TEXT
)"""
_ADDED_COLUMNS = {"content_hash": "TEXT", "revision": "INTEGER", "published_at": "TEXT"}  # since revisions
COLUMNS = "article_id, url, exported_at, content_hash, revision, published_at"


class SqliteStore(Lookups):
    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser().resolve()
        self.location = str(self.path)
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

    def _published(self, ids: list[str]) -> dict[str, str | None]:
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT article_id, published_at FROM exported WHERE article_id IN ({marks})", ids)
        return dict(rows.fetchall())

    def latest(self, code: str) -> tuple[str | None, int] | None:
        row = self.conn.execute("SELECT content_hash, revision FROM exported WHERE article_id = ?", (code,)).fetchone()
        return (row[0], row[1] or 1) if row else None

    def exported_at(self, code: str) -> datetime | None:
        row = self.conn.execute("SELECT exported_at FROM exported WHERE article_id = ?", (code,)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def record(self, exported: Iterable[Exported]) -> int:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [(e.article_id, e.url, now, e.content_hash, e.revision, e.published_at) for e in exported]
        with self.conn:
            self.conn.executemany(
                f"INSERT INTO exported ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE"
                " SET url = excluded.url, exported_at = excluded.exported_at, content_hash = excluded.content_hash,"
                " revision = excluded.revision, published_at = excluded.published_at",
                rows,
            )
        return len(rows)

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM exported").fetchone()[0]

    def dump(self) -> Iterator[tuple[Exported, str]]:
        for code, url, at, digest, revision, published in self.conn.execute(f"SELECT {COLUMNS} FROM exported"):
            yield Exported(code, url, digest, revision, published), at

    def load(self, rows: Iterable[tuple[Exported, str]]) -> int:
        with self.conn:
            before = self.count()
            self.conn.executemany(
                f"INSERT INTO exported ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO NOTHING",
                [(e.article_id, e.url, at, e.content_hash, e.revision, e.published_at) for e, at in rows])
            return self.count() - before

    def close(self) -> None:
        self.conn.close()
