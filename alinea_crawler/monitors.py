"""Quality check at close (Spidermon): enough articles, complete fields, few failures, a finished crawl.

Each monitor fails with one plain sentence; ``MarkCrawlFailed`` joins them into
one paragraph, logs it and sets ``alinea/failed`` to it, so ``scrapy crawl``
exits 1. Thresholds: ``ALINEA_MIN_ITEMS``, ``ALINEA_MIN_COVERAGE`` (per field,
of exported articles), ``ALINEA_MAX_ERROR_RATE``, ``ALINEA_MAX_DROP_RATE``.
"""

from __future__ import annotations

import logging
from typing import Any

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.core.actions import Action

from . import stats as keys

logger = logging.getLogger(__name__)
COVERAGE = "spidermon_field_coverage/"  # + <item type>/<field>
# A crawl that stopped at a limit the user set (CLOSESPIDER_ITEMCOUNT, …) finished as asked.
FINISHED = frozenset({"finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"})


def _sum(stats: dict[str, Any], prefix: str) -> int:
    return sum(value for key, value in stats.items() if key.startswith(prefix) and isinstance(value, int))


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class _QualityMonitor(Monitor):
    @property
    def stats(self) -> dict[str, Any]:
        return self.data.stats

    @property
    def settings(self):
        return self.data.crawler.settings

    def check_rate(self, failed: int, total: int, what: str, setting: str) -> None:
        limit = self.settings.getfloat(setting)
        if _rate(failed, total) > limit:
            self.fail(f"{failed} of {total} {what} ({_rate(failed, total):.0%}, limit {limit:.0%})")


@monitors.name("Quality")
class QualityMonitor(_QualityMonitor):
    """Checks run (and the summary reads) in the order of their numbers."""

    @monitors.name("enough articles")
    def test_1_item_count(self) -> None:
        # an incremental run (ALINEA_INCREMENTAL) counts the articles it skipped, or revisited and found
        # unchanged, as exported before
        skipped = sum(self.stats.get(keys.INCREMENTAL.format(what=what), 0) for what in ("skipped", "unchanged"))
        count, minimum = self.stats.get("item_scraped_count", 0) + skipped, self.settings.getint("ALINEA_MIN_ITEMS")
        if count < minimum:
            self.fail(f"{count} articles exported (minimum {minimum})")

    @monitors.name("field coverage")
    def test_2_field_coverage(self) -> None:
        rules = self.settings.getdict("ALINEA_MIN_COVERAGE")
        gaps = []
        for key, coverage in sorted(self.stats.items()):
            field = key.rsplit("/", 1)[-1]
            if key.startswith(COVERAGE) and key.count("/") == 2 and coverage < float(rules.get(field, 0)):
                gaps.append(f"{field} in {coverage:.0%} of articles (minimum {float(rules[field]):.0%})")
        if gaps:
            self.fail("; ".join(gaps))

    @monitors.name("failed pages")
    def test_3_error_rate(self) -> None:
        failed = _sum(self.stats, keys.REQUEST_ERROR.format(kind=""))
        # pages that reached the spider: 2xx responses but robots.txt and truncated pages
        fetched = _sum(self.stats, "downloader/response_status_count/2") - sum(self.stats.get(key, 0) for key in (
            "robotstxt/response_count", "retry/reason_count/truncated HTML", keys.REJECTED.format(reason="truncated_html")))
        self.check_rate(failed, fetched + failed, "pages failed", "ALINEA_MAX_ERROR_RATE")

    @monitors.name("dropped articles")
    def test_4_drop_rate(self) -> None:
        dropped = _sum(self.stats, keys.DROPPED.format(reason="missing_"))
        read = self.stats.get("item_scraped_count", 0) + dropped
        self.check_rate(dropped, read, "articles dropped as broken", "ALINEA_MAX_DROP_RATE")

    @monitors.name("finish reason")
    def test_5_finish_reason(self) -> None:
        reason = self.stats.get("finish_reason")
        if reason not in FINISHED:
            self.fail(f"the crawl ended as {reason!r}, not 'finished'")


class MarkCrawlFailed(Action):
    """One paragraph for people: in the log and in ``alinea/failed`` (the crawl command exits 1)."""

    def run_action(self) -> None:
        reasons = [result.reason for result in self.result.monitors_failed_results if result.reason]
        summary = "Quality check failed: " + "; ".join(reasons) + "."
        previous = self.data.stats.get(keys.FAILED)
        self.data.crawler.stats.set_value(keys.FAILED, f"{previous}. {summary}" if previous else summary)
        logger.error(summary)


class QualitySuite(MonitorSuite):
    monitors = [QualityMonitor]
    monitors_failed_actions = [MarkCrawlFailed]
