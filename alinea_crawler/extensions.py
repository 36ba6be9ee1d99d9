"""Crawl report: every page that failed (URL, kind, reason), in the log and in a JSON file.

Failures arrive through the ``page_failed`` signal (sent by the spider's
errback once retries are exhausted) and Scrapy's own ``spider_error``. At close
the list is logged, counted, and — when ``ALINEA_REPORT_FILE`` is set — written
with the final stats as JSON next to the exports.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from .stats import FAILED

logger = logging.getLogger(__name__)

page_failed = object()  # signal: send_catch_log(page_failed, url=..., kind=..., reason=...)


def expand_path(template: str, spider) -> Path:
    """``%(name)s``, ``%(time)s`` and ``%(job_id)s`` filled in, like FEEDS URIs (Scrapyd's ``_job``)."""
    values = {
        "name": spider.name,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S"),
        "job_id": spider.job_id,
    }
    return Path(template % values).expanduser()


class CrawlReport:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.path_template = crawler.settings.get("ALINEA_REPORT_FILE")
        self.failures: list[dict[str, Any]] = []
        crawler.signals.connect(self.on_page_failed, signal=page_failed)
        crawler.signals.connect(self.on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.on_spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        return cls(crawler)

    def on_page_failed(self, url: str, kind: str, reason: str) -> None:
        self.failures.append({"url": url, "kind": kind, "reason": reason})

    def on_spider_error(self, failure, response, spider) -> None:
        reason = f"{failure.type.__name__}: {failure.value}"
        self.failures.append({"url": response.url, "kind": response.meta.get("kind", "other"), "reason": reason})

    def on_spider_closed(self, spider, reason: str) -> None:
        stats = self.crawler.stats
        stats.set_value("alinea/failures", len(self.failures))
        if self.failures:
            lines = "\n".join(f"  {f['url']} ({f['kind']}): {f['reason']}" for f in self.failures)
            logger.warning("%d page(s) failed:\n%s", len(self.failures), lines)
        if not self.path_template:
            return
        path = expand_path(self.path_template, spider)
        path.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "spider": spider.name,
            "finish_reason": reason,
            "failed": stats.get_value(FAILED),
            "failures": self.failures,
            "stats": stats.get_stats(),
        }
        path.write_text(json.dumps(report, indent=1, default=str, ensure_ascii=False), encoding="utf-8")
        logger.info("crawl report written: %s", path)
