"""Layout-drift alarm: too many articles read only by the generic rung means the site's markup changed.

Every article page counts which rung gave each field
(``alinea/field_source/<field>/<rung>``) and which layout read it
(``alinea/layout/<name>``). When the body of more than ``ALINEA_MAX_GENERIC_SHARE``
of the articles came from the generic rung — no known layout's container
framed it — the crawl still exports them (the generic rung is good), but the
known layouts no longer describe the site: at close one warning says so, and
``alinea/drift/generic_share`` and ``alinea/drift/warning`` go into the stats and
the report. docs/extraction.md ("When the site's markup changes") says what to do.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from . import stats as keys

logger = logging.getLogger(__name__)
MIN_ARTICLES = 10  # fewer articles read say nothing about the site as a whole


class LayoutDriftAlarm:
    def __init__(self, crawler: Crawler, max_share: float):
        self.stats = crawler.stats
        self.max_share = max_share
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LayoutDriftAlarm:
        max_share = crawler.settings.getfloat("ALINEA_MAX_GENERIC_SHARE")
        if max_share >= 1:
            raise NotConfigured("ALINEA_MAX_GENERIC_SHARE >= 1: no drift alarm")
        return cls(crawler, max_share)

    def spider_closed(self, spider) -> None:
        stats = self.stats.get_stats()
        read = sum(v for k, v in stats.items() if k.startswith(keys.LAYOUT.format(layout="")))
        generic = stats.get(keys.FIELD_SOURCE.format(field="body", rung="generic"), 0)
        if read < MIN_ARTICLES:
            return
        share = generic / read
        self.stats.set_value(keys.DRIFT_GENERIC_SHARE, round(share, 3))
        if share > self.max_share:
            layouts = ", ".join(f"{k.rsplit('/', 1)[1]} {v}" for k, v in sorted(stats.items())
                                if k.startswith(keys.LAYOUT.format(layout="")))
            message = (f"layout drift: the body of {generic} of {read} articles ({share:.0%}, alarm above "
                       f"{self.max_share:.0%}) was found by the generic rung, not by a known layout "
                       f"(layouts: {layouts}); the site's markup has probably changed — see docs/extraction.md, "
                       f"'When the site's markup changes'")
            self.stats.set_value(keys.DRIFT_WARNING, message)
            logger.warning(message)
