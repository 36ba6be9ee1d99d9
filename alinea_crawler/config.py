"""Every ``ALINEA_*`` setting checked before the crawl starts: one line naming the setting, exit 2.

``SETTINGS`` maps each setting to a check that takes the value (a native
value from ``settings.py`` or a string from ``-s NAME=value`` / Scrapyd's
``-d setting=NAME=value``) and returns nothing or raises ``SettingError``.
``check_settings(settings)`` runs them all, and rejects ``ALINEA_*`` names it
does not know (a misspelt ``-s`` would otherwise be ignored in silence).

It runs twice: in the ``crawl`` command before the crawler process exists (no
banner, nothing fetched; Scrapyd runs jobs through the same command) and in the
``SettingsCheck`` extension, for crawls started from Python
(``CrawlerProcess``), before the engine opens.

A new ``ALINEA_*`` setting needs a row here; ``tests/test_config.py`` checks
that every one in ``settings.py`` has one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from .items import FIELD_NAMES
from .pgconnect import is_postgres, masked
from .state import storage_class

PREFIX = "ALINEA_"


class SettingError(ValueError):
    """A setting is wrong; the message is one line naming it."""


def _number(value: Any, kind: type) -> float | int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        if kind is int and not float(value).is_integer():
            raise ValueError(value)
        return kind(value)
    return kind(str(value).strip())


def whole(minimum: int) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        try:
            ok = _number(value, int) >= minimum
        except ValueError:
            ok = False
        if not ok:
            raise SettingError("a whole number" + (", 1 or more" if minimum == 1 else ", 0 or more"))
    return check


def seconds(value: Any) -> None:
    try:
        ok = _number(value, float) >= 0
    except ValueError:
        ok = False
    if not ok:
        raise SettingError("a number of seconds, 0 or more")


def days(value: Any) -> None:
    try:
        seconds(value)  # the same rule, another unit
    except SettingError:
        raise SettingError("a number of days, 0 or more") from None


def share(value: Any) -> None:
    try:
        ok = 0 <= _number(value, float) <= 1
    except ValueError:
        ok = False
    if not ok:
        raise SettingError("a share between 0 and 1, such as 0.1")


def boolean(value: Any) -> None:
    if value in (True, False, 0, 1) or str(value).strip() in ("0", "1", "True", "true", "False", "false"):
        return
    raise SettingError("1/0 or true/false")


def text(value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise SettingError("a text value")


def path_template(value: Any) -> None:
    """A file name with ``%(name)s``, ``%(time)s``, ``%(job_id)s`` (like FEEDS URIs), or unset."""
    if value in (None, ""):
        return
    try:
        str(value) % {"name": "", "time": "", "job_id": ""}
    except (KeyError, ValueError, TypeError):
        raise SettingError("a file name; only %(name)s, %(time)s and %(job_id)s are filled in") from None


def state_url(value: Any) -> None:
    """A SQLite file path or a ``postgresql://`` URL, or unset (``ALINEA_STATE_PATH`` then)."""
    text(value)
    if value and storage_class(value) is None:
        raise SettingError("a SQLite file path or postgresql://user@host:port/database")


def postgres_url(value: Any) -> None:
    text(value)
    if value and not is_postgres(value):
        raise SettingError("postgresql://user@host:port/database")


def coverage(value: Any) -> None:
    """``{"field": share, ...}`` (a dict or its JSON), fields of the item."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SettingError('JSON such as {"title": 1.0, "authors": 0.8}') from None
    if not isinstance(value, dict):
        raise SettingError('JSON such as {"title": 1.0, "authors": 0.8}')
    for field, minimum in value.items():
        if field not in FIELD_NAMES:
            raise SettingError(f"item fields; {field!r} is none (fields: {', '.join(FIELD_NAMES)})")
        try:
            share(minimum)
        except SettingError:
            raise SettingError(f"a share between 0 and 1 per field; {field!r} has {minimum!r}") from None


SETTINGS: dict[str, Callable[[Any], None]] = {
    "ALINEA_MORE_STEP": whole(1),
    "ALINEA_BROWSER_PATH": text,
    "ALINEA_RENDER_WAIT_MS": whole(1),
    "ALINEA_ENDPOINT_MAX_FAILURES": whole(1),
    "ALINEA_RENDER_BUDGET": whole(0),
    "ALINEA_REPORT_FILE": path_template,
    "ALINEA_SITEMAPS": boolean,
    "ALINEA_SITEMAP_MAX_URLS": whole(1),
    "ALINEA_SITEMAP_MAX_DEPTH": whole(0),
    "ALINEA_ARTICLE_MAX_PAGES": whole(1),
    "ALINEA_REPORT_HTML": path_template,
    "ALINEA_REPORT_CARD": path_template,
    "ALINEA_RETRY_BACKOFF": seconds,
    "ALINEA_RETRY_BACKOFF_MAX": seconds,
    "ALINEA_RETRY_AFTER_MAX": seconds,
    "ALINEA_BREAKER_WINDOW": whole(1),
    "ALINEA_BREAKER_FAILURE_RATE": share,
    "ALINEA_UNREACHABLE_AFTER": whole(1),
    "ALINEA_MIN_ITEMS": whole(0),
    "ALINEA_MIN_COVERAGE": coverage,
    "ALINEA_COVERAGE_MIN_ITEMS": whole(0),
    "ALINEA_MAX_ERROR_RATE": share,
    "ALINEA_MAX_DROP_RATE": share,
    "ALINEA_MAX_GENERIC_SHARE": share,
    "ALINEA_INCREMENTAL": boolean,
    "ALINEA_STATE_PATH": text,
    "ALINEA_STATE_URL": state_url,
    "ALINEA_DATABASE_URL": postgres_url,
    "ALINEA_DATABASE_BATCH": whole(1),
    "ALINEA_EXPORT_DIR": text,
    "ALINEA_REVISIT_DAYS": days,
    "ALINEA_WARC_DIR": text,
    "ALINEA_WARC_MAX_BYTES": whole(1),
    "ALINEA_REPLAY_PROCESSES": whole(0),
}


def check_settings(settings: BaseSettings) -> None:
    """Raise ``SettingError`` (one line) for the first bad or unknown ``ALINEA_*`` setting."""
    for name in sorted(n for n in settings.attributes if n.startswith(PREFIX)):
        value = settings.get(name)
        if name not in SETTINGS:
            raise SettingError(masked(f"unknown setting {name}={value!r}: alinea-crawler has no such setting "
                                      f"(known: {', '.join(sorted(SETTINGS))})"))
        try:
            SETTINGS[name](value)
        except SettingError as error:  # a URL's password is shown as ***
            raise SettingError(masked(f"setting {name}={value!r}: expected {error}")) from None


class SettingsCheck:
    """The same check for crawls started from Python: a bad setting stops the crawler before it opens."""

    def __init__(self, crawler: Crawler):
        check_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SettingsCheck:
        return cls(crawler)
