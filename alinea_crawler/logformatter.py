"""How the crawl's log reads: one line per dropped item, Scrapy's start-up lists at DEBUG, and no per-page
DEBUG records built when DEBUG is not logged.

At INFO a crawl's log should lead with what happened to it. Scrapy writes its versions, the add-ons,
every enabled extension, middleware and pipeline and the overridden settings at INFO as multi-line
lists (about 90 lines); ``quiet_startup_lists`` moves those records to DEBUG, where ``-L DEBUG`` (or
``-s LOG_LEVEL=DEBUG``) still shows them.
"""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter

# logger -> the start of the INFO messages that go to DEBUG
STARTUP_LISTS = {
    "scrapy.utils.log": ("Versions:",),
    "scrapy.addons": ("Enabled addons:",),
    "scrapy.middleware": ("Enabled ",),
    "scrapy.crawler": ("Overridden settings:",),
    "scrapy-playwright": ("Starting download handler", "Closing download handler"),
}


class OneLineLogFormatter(LogFormatter):
    def __init__(self, per_page: bool = True):
        super().__init__()
        # Scrapy builds a "Crawled (200)" and a "Scraped from" record for every page and item, and the
        # log handler throws them away below DEBUG (the loggers themselves let everything through).
        self.per_page = per_page

    @classmethod
    def from_crawler(cls, crawler):
        level = crawler.settings.get("LOG_LEVEL")
        level = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        return cls(per_page=not isinstance(level, int) or level <= logging.DEBUG)

    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.per_page else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if self.per_page else None

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "%(exception)s"
        return entry


class _ToDebug(logging.Filter):
    """Turns an INFO record whose message starts with one of ``prefixes`` into a DEBUG record."""

    def __init__(self, prefixes: tuple[str, ...]):
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith(self.prefixes):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"  # the handler's level now decides
        return True


def quiet_startup_lists() -> None:
    """Install the filters (once) on the loggers of ``STARTUP_LISTS``."""
    for name, prefixes in STARTUP_LISTS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ToDebug) for f in logger.filters):
            logger.addFilter(_ToDebug(prefixes))
