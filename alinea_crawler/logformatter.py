"""How the crawl's log reads: one line per dropped item, and Scrapy's start-up lists at DEBUG.

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
