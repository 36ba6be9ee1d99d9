"""One log line per dropped item (reason + URL), not the whole item dumped after it; no per-page
DEBUG records when DEBUG is not logged."""

import logging

from scrapy.logformatter import LogFormatter


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
