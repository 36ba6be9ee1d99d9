"""Connections to PostgreSQL: one-line errors, and the password never shown.

A URL (``postgresql://user:password@host:port/db?sslmode=…``) or a libpq
key/value string is passed to libpq as is, so the password may also come from
``PGPASSWORD``, a pgpass file (``~/.pgpass``, ``PGPASSFILE``) or a service file
(``?service=name``, ``PGSERVICE``). Whatever is shown — log lines, errors — goes
through ``masked()``: the password becomes ``***``.

psycopg is imported here, only by the components that are on (a SQLite-only
crawl never needs it).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .exitcodes import NotStarted

POSTGRES_SCHEMES = ("postgresql", "postgres")
_URL_PASSWORD = re.compile(r"(://[^/?#@:]*:)[^/?#@]*@")
_PARAM_PASSWORD = re.compile(r"((?:^|[\s?&])password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)", re.I)


class DatabaseUnreachable(NotStarted):
    """PostgreSQL could not be reached (or refused the login): one line, the password masked."""


class DatabaseLost(Exception):
    """A query failed on a connection that worked before (the server stopped, the network went)."""


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def masked(url: str) -> str:
    """The URL or key/value string with its password, if any, replaced by ``***``."""
    return _PARAM_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", url))


def _passwords(url: str) -> list[str]:
    parts = urlsplit(url)
    found = [unquote(parts.password)] if parts.scheme and parts.password else []
    found += [value for name, value in parse_qsl(parts.query) if name == "password"]
    found += [m.group(2).strip("'") for m in _PARAM_PASSWORD.finditer(url)]
    return [p for p in found if p and p != "***"]


def scrub(text: str, url: str) -> str:
    """``text`` (an error message) on one line, with the URL's password nowhere in it."""
    text = masked(" ".join(str(text).split()))
    for password in _passwords(url):
        text = text.replace(password, "***")
    return text


def connect(url: str, what: str, **kwargs: Any):
    """A psycopg connection, or ``DatabaseUnreachable``: ``<what>: PostgreSQL at <masked url> is unreachable: …``."""
    import psycopg

    try:
        return psycopg.connect(url, connect_timeout=10, application_name="alinea-crawler", **kwargs)
    except psycopg.Error as error:
        raise DatabaseUnreachable(f"{what}: PostgreSQL at {masked(url)} is unreachable: {scrub(error, url)}") from None


def lost(error: Exception, url: str, what: str) -> DatabaseLost:
    return DatabaseLost(f"{what}: PostgreSQL at {masked(url)} was lost: {scrub(error, url)}")


def create_schema(conn, statements: str) -> None:
    """Run ``CREATE … IF NOT EXISTS`` statements, one node at a time (two nodes creating a table at once collide)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('alinea-crawler schema'))")
        conn.execute(statements)
