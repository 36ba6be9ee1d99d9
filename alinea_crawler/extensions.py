"""Crawl report: every page that failed (URL, kind, reason), the end-of-crawl summary, a JSON file.

Failures arrive through the ``page_failed`` signal (sent by the spider's
errback once retries are exhausted, its reason from ``describe_failure``),
Scrapy's own ``spider_error``, and ``item_dropped`` for articles dropped as
broken (no title, body or date; a duplicate or an article out of the date range
is no failure). They are counted as they come (``alinea/failures``), logged at
close, and — when ``ALINEA_REPORT_FILE`` is set — written with the final stats
and the article ledger's account as JSON next to the exports.

Every crawl ends with a short summary block at INFO (an example is in
docs/operations.md): articles discovered, exported, skipped, dropped and failed by
reason, unaccounted, pages fetched, time, the files written and the verdict.
Scrapy's own stats dump is off (``STATS_DUMP = False``); the full stats are
logged at DEBUG and written to the report file. A feed file of a failed crawl
is named as partial (or empty) there: it is not a complete dataset.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.extensions.feedexport import FeedExporter
from twisted.python.failure import Failure

from .stats import DRIFT_WARNING, FAILED, FAILURES

logger = logging.getLogger(__name__)

page_failed = object()  # signal: send_catch_log(page_failed, url=..., kind=..., reason=...)


def describe_failure(failure: Failure) -> str:
    """Why a request failed, in words: ``HTTP 503 (after 3 retries)``, ``redirect loop: …``, a timeout…"""
    error, request = failure.value, failure.request
    response = getattr(error, "response", None)
    if response is not None:
        reason = f"HTTP {response.status}"
    elif type(error).__name__ == "PageRejected":
        reason = str(error)
    else:  # Scrapy's messages name the request: the report already does
        url = re.escape(request.url)
        detail = re.sub(rf"Cancelling download of {url}: |\s*(in request )?<{request.method} {url}>", "", str(error))
        reason = f"{type(error).__name__}: {detail}".rstrip(": ")
    retries = request.meta.get("retry_times")
    return f"{reason} (after {retries} {'retry' if retries == 1 else 'retries'})" if retries else reason


def describe_drop(item, exception: Exception) -> str | None:
    """Why an article was dropped as broken, or ``None`` if the drop is no failure."""
    reason = getattr(exception, "reason", "dropped")  # the pipelines' ArticleDropped names it
    if not reason.startswith("missing_"):
        return None
    raw = ItemAdapter(item).get("published_at_raw")
    return f"unparseable date {raw!r}" if reason == "missing_published" and raw else reason.replace("_", " ")


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
        crawler.signals.connect(self.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.on_spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        return cls(crawler)

    def on_page_failed(self, url: str, kind: str, reason: str) -> None:
        self.failures.append({"url": url, "kind": kind, "reason": reason})
        self.crawler.stats.inc_value(FAILURES)

    def on_spider_error(self, failure, response, spider) -> None:
        self.on_page_failed(response.url, response.meta.get("kind", "other"), f"{failure.type.__name__}: {failure.value}")

    def on_item_dropped(self, item, response, exception: DropItem, spider) -> None:
        if reason := describe_drop(item, exception):
            self.on_page_failed(ItemAdapter(item).get("url") or response.url, "article", reason)

    def on_spider_closed(self, spider, reason: str) -> None:
        from .ledger import ArticleLedger  # the ledger listens to this module's page_failed signal

        stats = self.crawler.stats
        stats.set_value(FAILURES, len(self.failures))
        if self.failures:
            lines = "\n".join(f"  {f['url']} ({f['kind']}): {f['reason']}" for f in self.failures)
            logger.warning("%d page(s) failed:\n%s", len(self.failures), lines)
        ledger = ArticleLedger.of(self.crawler)
        logger.info("%s", "\n".join(summary_lines(stats.get_stats(), ledger, self.feed_files(), reason)))
        logger.debug("Scrapy stats:\n%s", json.dumps(stats.get_stats(), indent=1, default=str, sort_keys=True))
        if not self.path_template:
            return
        path = expand_path(self.path_template, spider)
        path.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "spider": spider.name,
            "finish_reason": reason,
            "failed": stats.get_value(FAILED),
            "failures": self.failures,
            "articles": {"discovered": len(ledger.entries), **ledger.fate_counts()},
            "unaccounted": [{"url": e.url, "via": e.via} for e in ledger.unaccounted()],
            "stats": stats.get_stats(),
        }
        path.write_text(json.dumps(report, indent=1, default=str, ensure_ascii=False), encoding="utf-8")
        logger.info("crawl report written: %s", path)

    def feed_files(self) -> list[tuple[str, int]]:
        """(local file, items written) of every feed of this crawl."""
        exporters = [ext for ext in self.crawler.extensions.middlewares if isinstance(ext, FeedExporter)]
        return [(_local_path(slot.uri), slot.itemcount) for ext in exporters for slot in ext.slots]


# How each fate reads in the summary, in the order shown (exported and unaccounted have their own lines).
FATE_LABELS = {
    "skipped": "skipped, exported before",
    "out_of_range": "out of the date range",
    "other_section": "in other sections",
    "not_article": "not articles",
    "filtered": "filtered (robots.txt, duplicate)",
    "beyond_limit": "beyond a CLOSESPIDER limit",
    "dropped": "dropped",
    "failed": "failed",
    "not_fetched": "not fetched",
}


def summary_lines(stats: dict[str, Any], ledger, files: list[tuple[str, int]], reason: str) -> list[str]:
    """The end-of-crawl block: what happened to the articles, the files and the verdict, in a few lines."""
    counts = ledger.fate_counts()
    started = stats.get("start_time")
    elapsed = stats.get("elapsed_time_seconds") or (
        (datetime.now(timezone.utc) - started).total_seconds() if started else 0)
    failed = stats.get(FAILED)
    lines = [f"Crawl summary ({reason}, {elapsed:.0f} s)",
             f"  articles discovered  {len(ledger.entries)}",
             f"  exported             {counts.get('exported', 0)}"]
    for fate, label in FATE_LABELS.items():
        if counts.get(fate):
            reasons = ", ".join(f"{why} {n}" for why, n in ledger.details(fate).most_common())
            lines.append(f"  {label:<20} {counts[fate]}" + (f" ({reasons})" if fate in ("dropped", "failed", "not_fetched") else ""))
    lines.append(f"  unaccounted          {len(ledger.unaccounted())}" + (" (listed above)" if ledger.unaccounted() else ""))
    given_up = sum(v for k, v in stats.items() if k.startswith("alinea/request_error/"))
    lines.append(f"  pages fetched        {stats.get('downloader/response_count', 0)} (given up: {given_up})")
    for path, count in files:
        state = "EMPTY: the crawl failed" if failed and not count else "partial: the crawl failed" if failed else "complete"
        lines.append(f"  file                 {path}: {count} articles, {state}")
    if drift := stats.get(DRIFT_WARNING):
        lines.append(f"  warning              {drift}")
    lines.append(f"  verdict              {'FAILED: ' + failed if failed else 'OK'}")
    return lines


def _local_path(uri: str) -> str:
    parts = urlsplit(uri)
    return unquote(parts.path) if parts.scheme in ("", "file") or len(parts.scheme) == 1 else uri
