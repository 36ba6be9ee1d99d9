"""Crawl report: every page that failed (URL, kind, reason), the end-of-crawl summary, a JSON file.

Failures arrive through the ``page_failed`` signal (sent by the spider's
errback once retries are exhausted, its reason from ``describe_failure``),
Scrapy's own ``spider_error``, and ``item_dropped`` for articles dropped as
broken (no title, body or date; a duplicate or an article out of the date range
is no failure). They are counted as they come (``alinea/failures``), logged at
close, and — when ``ALINEA_REPORT_FILE`` is set — written with the final stats
and the article ledger's account as JSON next to the exports, with the
completeness account (``completeness.py``: sitemap articles no listing
reached, empty sections, listings cut short).

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
from dataclasses import dataclass
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

from . import completeness
from .stats import DRIFT_WARNING, FAILED, FAILURES, MORE_STOPPED, PAGING, RENDER

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
        self.result: dict[str, Any] | None = None  # the report, once the spider closed
        self.written_to: Path | None = None
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
        ledger = ArticleLedger.of(self.crawler)
        found = completeness.account(getattr(spider, "listings", None), ledger)
        completeness.record_stats(stats, found)
        stats.set_value(FAILURES, len(self.failures))
        if self.failures:
            lines = "\n".join(f"  {f['url']} ({f['kind']}): {f['reason']}" for f in self.failures)
            logger.warning("%d page(s) failed:\n%s", len(self.failures), lines)
        lines = summary_lines(stats.get_stats(), ledger, feed_files(self.crawler), reason,
                              getattr(spider, "args", None), found)
        logger.info("%s", "\n".join(lines))
        logger.debug("Scrapy stats:\n%s", json.dumps(stats.get_stats(), indent=1, default=str, sort_keys=True))
        self.result = {  # also read by the dataset report (report/hook.py) at the end of the crawl
            "spider": spider.name,
            "finish_reason": reason,
            "failed": stats.get_value(FAILED),
            "failures": self.failures,
            "articles": {"discovered": len(ledger.entries), **ledger.fate_counts()},
            "unaccounted": [{"url": e.url, "via": e.via} for e in ledger.unaccounted()],
            "completeness": found,
            "stats": stats.get_stats(),
        }
        if not self.path_template:
            return
        path = expand_path(self.path_template, spider)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.result, indent=1, default=str, ensure_ascii=False), encoding="utf-8")
        self.written_to = path
        logger.info("crawl report written: %s", path)


def feed_files(crawler: Crawler) -> list[FeedFile]:
    """Every feed of this crawl: where, articles written, and whether its reader cut it short."""
    exporters = [ext for ext in crawler.extensions.middlewares if isinstance(ext, FeedExporter)]
    return [FeedFile(_local_path(slot.uri), slot.itemcount, getattr(slot.storage, "articles_before_close", None))
            for ext in exporters for slot in ext.slots]


@dataclass(frozen=True)
class FeedFile:
    path: str  # a local path, "stdout", or the feed's URI
    articles: int
    cut_after: int | None = None  # a stdout feed whose reader closed the pipe: articles written before


# How each fate reads in the summary, in the order shown (exported and unaccounted have their own lines).
FATE_LABELS = {  # at most 20 characters: the counts line up
    "skipped": "exported before",
    "unchanged": "unchanged",
    "other_section": "in other sections",
    "not_article": "not articles",
    "filtered": "filtered",
    "beyond_limit": "beyond a limit",
    "dropped": "dropped",
    "failed": "failed",
    "not_fetched": "not fetched",
}
WITH_REASONS = ("filtered", "beyond_limit", "dropped", "failed", "not_fetched")  # reasons in brackets


def summary_lines(stats: dict[str, Any], ledger, files: list[FeedFile], reason: str, args=None,
                  found: dict[str, Any] | None = None) -> list[str]:
    """The end-of-crawl block: what happened to the articles, what the user's choices left out, the files,
    what the site's own lists say the crawl did not reach (``found``: ``completeness.account``) and the
    verdict, in a few lines."""
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
            lines.append(f"  {label:<20} {counts[fate]}" + (f" ({reasons})" if fate in WITH_REASONS else ""))
    lines.append(f"  unaccounted          {len(ledger.unaccounted())}" + (" (listed above)" if ledger.unaccounted() else ""))
    lines += [f"  left out             {cost}" for cost in choice_costs(stats, counts, args)]
    given_up = sum(v for k, v in stats.items() if k.startswith("alinea/request_error/"))
    lines.append(f"  pages fetched        {stats.get('downloader/response_count', 0)} (given up: {given_up})")
    lines += [f"  file                 {feed_state(feed, failed)}" for feed in files]
    lines += completeness.summary_lines(found) if found else []
    if drift := stats.get(DRIFT_WARNING):
        lines.append(f"  warning              {drift}")
    lines.append(f"  verdict              {'FAILED: ' + failed if failed else 'OK'}")
    return lines


def feed_state(feed: FeedFile, failed: str | None) -> str:
    """``articles.csv: 50 articles, complete``; never "complete" for a failed crawl or a cut feed."""
    if feed.cut_after is not None:
        return f"{feed.path}: closed by the reader after {feed.cut_after} article{'' if feed.cut_after == 1 else 's'}"
    state = "EMPTY: the crawl failed" if failed and not feed.articles else "partial: the crawl failed" if failed else "complete"
    return f"{feed.path}: {feed.articles} articles, {state}"


def choice_costs(stats: dict[str, Any], counts: dict[str, int], args) -> list[str]:
    """What the crawl left out because of a choice the user made (arguments, the render budget), in words."""
    costs = []
    unread = "JavaScript-filled lists not read ({why}): articles linked only there were not found"
    if n := stats.get(RENDER.format(what="js_list_unrendered")):
        costs.append(f"{n} " + unread.format(why=f"render={getattr(args, 'render', 'never')}"))
    if n := stats.get(RENDER.format(what="skipped_budget")):
        costs.append(f"{n} " + unread.format(why="render budget spent, see ALINEA_RENDER_BUDGET"))
    if n := counts.get("out_of_range"):
        bounds = " ".join(f"{name}={value.isoformat()}" for name in ("since", "until")
                          if (value := getattr(args, name, None)))
        costs.append(f"{n} articles outside {bounds or 'the date range'}: not exported")
    if n := stats.get(MORE_STOPPED.format(reason="max_pages"), 0) + stats.get(PAGING.format(what="stopped/max_pages"), 0):
        costs.append(f"{n} listings stopped at max_pages={getattr(args, 'max_pages', '?')}: "
                     "older articles in them were not looked for")
    return costs


def _local_path(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.scheme == "stdout":
        return "stdout"
    return unquote(parts.path) if parts.scheme in ("", "file") or len(parts.scheme) == 1 else uri
