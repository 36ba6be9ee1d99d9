"""The incremental state: every article already exported, with its latest content hash and revision.

``open_store(location)`` picks the backend by the location's scheme, as
Scrapy's ``FEED_STORAGES`` picks a feed storage (``STATE_STORAGES``):

* a file path (``~/.local/share/alinea-crawler/state.sqlite3``): one SQLite file
  (``sqlite.py``), the embedded default for one machine;
* ``postgresql://…`` (or ``postgres://…``): one table in a PostgreSQL database
  (``postgres.py``), shared by every node that crawls the site.

Both keep the same rows, ``exported(article_id PRIMARY KEY, url, exported_at,
content_hash, revision, published_at)``, and answer the same methods
(``StateStore``). ``python -m alinea_crawler.state migrate SOURCE TARGET``
copies one into the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

from scrapy.utils.misc import load_object

from ..pgconnect import POSTGRES_SCHEMES, masked

DEFAULT_STATE_PATH = "~/.local/share/alinea-crawler/state.sqlite3"
STATE_STORAGES = {
    "": "alinea_crawler.state.sqlite.SqliteStore",
    **dict.fromkeys(POSTGRES_SCHEMES, "alinea_crawler.state.postgres.PostgresStore"),
}


@dataclass(frozen=True)
class Exported:
    """One exported article, as the state store keeps it."""

    article_id: str
    url: str
    content_hash: str | None = None
    revision: int | None = None
    published_at: str | None = None  # ISO 8601 with offset


class StateUnavailable(Exception):
    """The store stopped answering mid-crawl (PostgreSQL lost); the message is one line, password masked."""


class StateStore(Protocol):
    """What the incremental middleware, the revision pipeline and navigation ask of the state."""

    location: str  # where the state lives, fit to show (password masked)

    def known(self, ids: Iterable[str]) -> set[str]:
        """The ids among ``ids`` exported before."""

    def published(self, ids: Iterable[str]) -> dict[str, str | None]:
        """Known ids among ``ids`` -> their stored publication date (``None`` if unknown)."""

    def latest(self, code: str) -> tuple[str | None, int] | None:
        """(content hash, revision) of the article's last export, or ``None`` if never exported."""

    def exported_at(self, code: str) -> datetime | None:
        """When the article was last exported (aware, UTC), or ``None`` if never."""

    def record(self, exported: Iterable[Exported]) -> int:
        """Mark articles exported (their latest hash and revision), in one transaction; returns how many."""

    def count(self) -> int: ...

    def dump(self) -> Iterator[tuple[Exported, str]]:
        """Every row with its ``exported_at`` (for ``migrate``)."""

    def load(self, rows: Iterable[tuple[Exported, str]]) -> int:
        """Add rows for ids the store does not hold yet (kept as they are); returns how many were added."""

    def close(self) -> None: ...


class Lookups:
    """``known()`` and ``published()`` of both backends, over their one query ``_published(ids)``."""

    def known(self, ids: Iterable[str]) -> set[str]:
        return set(self.published(ids))

    def published(self, ids: Iterable[str]) -> dict[str, str | None]:
        wanted = list(set(ids))
        return self._published(wanted) if wanted else {}

    def _published(self, ids: list[str]) -> dict[str, str | None]:
        raise NotImplementedError


def state_location(settings) -> str:
    """``ALINEA_STATE_URL``, else ``ALINEA_STATE_PATH`` (its older name), else the default file."""
    return settings.get("ALINEA_STATE_URL") or settings.get("ALINEA_STATE_PATH") or DEFAULT_STATE_PATH


def storage_class(location: str) -> str | None:
    """The store class for ``location`` (dotted path), or ``None`` for a scheme no backend handles."""
    scheme = urlsplit(location).scheme
    return STATE_STORAGES.get("" if len(scheme) == 1 else scheme)  # "C:" is a Windows drive, not a scheme


def open_store(location: str) -> StateStore:
    path = storage_class(location)
    if path is None:
        raise ValueError(f"no state backend for {masked(location)}: give a SQLite file path or postgresql://…")
    return load_object(path)(location)
