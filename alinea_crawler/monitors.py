"""Quality check at close (Spidermon): enough articles, complete fields, few failures, a finished crawl.

Each monitor fails with one plain sentence; ``MarkCrawlFailed`` joins them into
one paragraph, logs it and sets ``alinea/failed`` to it, so ``scrapy crawl``
exits 1. Thresholds: ``ALINEA_MIN_ITEMS``, ``ALINEA_MIN_COVERAGE`` (per field,
of exported articles, judged once ``ALINEA_COVERAGE_MIN_ITEMS`` articles were
exported), ``ALINEA_MAX_ERROR_RATE``, ``ALINEA_MAX_DROP_RATE``; and the article
ledger must balance (no article discovered without a fate), and no callback
may have raised (Scrapy's ``spider_exceptions/<name>``).

Coverage is computed from Spidermon's item counts: a field no article has gets
no Spidermon stat at all, and counts as 0%.

A crawl that stopped early for a reason it already gave in one line — the
circuit breaker (``site_unreachable``, ``site_unavailable``), a closed stdout
pipe, an argument the site refutes — gets no quality paragraph on top.

Spidermon's own report (banners, one line per check, tracebacks of failed
checks) goes to DEBUG: at INFO the paragraph is the quality check's only output.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.scrapy.runners import SpiderMonitorResult, SpiderMonitorRunner
from spidermon.core.actions import Action
from spidermon.results.monitor import MonitorResult

from . import stats as keys
from .args import BAD_ARGUMENT
from .exporters import STDOUT_CLOSED

logger = logging.getLogger(__name__)
ITEMS_COUNTED = "spidermon_item_scraped_count/ArticleItem"  # + /<field>: items where the field has a value
# A crawl that stopped at a limit the user set (CLOSESPIDER_ITEMCOUNT, …) finished as asked.
FINISHED = frozenset({"finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"})
# Stopped early, the reason already logged: the circuit breaker (middlewares.py), a closed stdout pipe, a bad argument.
SAID_WHY = frozenset({"site_unreachable", "site_unavailable", STDOUT_CLOSED, BAD_ARGUMENT})


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
        items = self.stats.get(ITEMS_COUNTED, 0)
        if not items or items < self.settings.getint("ALINEA_COVERAGE_MIN_ITEMS"):
            return  # too few articles for a share to mean anything: each was validated on its own
        gaps = []
        for field, minimum in sorted(self.settings.getdict("ALINEA_MIN_COVERAGE").items()):
            coverage = self.stats.get(f"{ITEMS_COUNTED}/{field}", 0) / items
            if coverage < float(minimum):
                gaps.append(f"{field} in {coverage:.0%} of articles (minimum {float(minimum):.0%})")
        if gaps:
            self.fail("; ".join(gaps))

    @monitors.name("failed pages")
    def test_3_error_rate(self) -> None:
        failed = _sum(self.stats, keys.REQUEST_ERROR.format(kind=""))
        # pages that reached the spider: 2xx responses but robots.txt and truncated pages
        fetched = _sum(self.stats, "downloader/response_status_count/2") - sum(self.stats.get(key, 0) for key in (
            "robotstxt/response_count", keys.SITEMAP.format(what="robots"), "retry/reason_count/truncated HTML",
            keys.REJECTED.format(reason="truncated_html")))
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

    @monitors.name("every article accounted for")
    def test_6_ledger_balances(self) -> None:
        lost = self.stats.get(keys.ARTICLES_UNACCOUNTED, 0)
        if lost:
            self.fail(f"{lost} article(s) discovered but never exported, skipped, dropped or failed (listed above)")


    @monitors.name("no callback errors")
    def test_7_spider_errors(self) -> None:
        """A callback that raised lost what its page held (a listing's cards, an article): never a quiet log line."""
        errors = {key.rpartition("/")[2]: value for key, value in self.stats.items()
                  if key.startswith("spider_exceptions/") and key != "spider_exceptions/count"}
        if errors:
            named = ", ".join(f"{name} {count}" for name, count in sorted(errors.items()))
            self.fail(f"{sum(errors.values())} page(s) raised an error in the spider ({named}; see the log)")


class MarkCrawlFailed(Action):
    """One paragraph for people: in the log and in ``alinea/failed`` (the crawl command exits 1)."""

    def run_action(self) -> None:
        if self.data.stats.get("finish_reason") in SAID_WHY:
            return
        reasons = [result.reason or f"{result.item.name} could not run (see the DEBUG log)"
                   for result in self.result.monitors_failed_results]
        summary = "Quality check failed: " + "; ".join(reasons) + "."
        previous = self.data.stats.get(keys.FAILED)
        self.data.crawler.stats.set_value(keys.FAILED, f"{previous}. {summary}" if previous else summary)
        logger.error(summary)


class QualitySuite(MonitorSuite):
    monitors = [QualityMonitor]
    monitors_failed_actions = [MarkCrawlFailed]


class _OneLinePerCheck(SpiderMonitorResult):
    """One DEBUG line per check (``[Spidermon] Quality/enough articles... OK``), banners and the
    assertion tracebacks of failed checks at DEBUG too: ``MarkCrawlFailed`` says it in one paragraph."""

    def write_title(self) -> None:
        self.log(f"[step] {self.step.name}")

    def finish_step(self) -> None:
        MonitorResult.finish_step(self)
        if not self.step.successful:
            self.write_errors()

    def log_error(self, msg) -> None:
        self.log(msg)  # DEBUG

    def log_info(self, msg) -> None:
        self.log(msg)  # DEBUG

    def log(self, msg, level=logging.DEBUG) -> None:
        self.spider.logger.log(level, "[Spidermon] %s", msg)  # Spidermon's spider.log() is deprecated


class _Runner(SpiderMonitorRunner):
    def create_result(self):
        return _OneLinePerCheck(self.spider)


class QualityCheck(Spidermon):
    """Spidermon, with its report trimmed to one line per check and its count of each article's fields cheaper.

    Spidermon's ``item_scraped`` reads five settings for every article, and compares every field's value with
    every skip value (a match is the same type and equal). The settings hold for the whole crawl: read once
    here; and a value is compared only with the skip values of its own type. The stats are Spidermon's own
    (its ``_count_item`` counts them).
    """

    def item_scraped(self, item, response, spider) -> None:
        self.crawler.stats.inc_value("spidermon_item_scraped_count")
        self._count_item(item, **self._coverage_options)

    @cached_property
    def _coverage_options(self) -> dict[str, Any]:
        """``_count_item``'s options from the settings, as Spidermon's ``item_scraped`` reads them."""
        settings = self.crawler.settings
        dict_levels = settings.get("SPIDERMON_DICT_FIELDS_COVERAGE_LEVELS", -1)
        per_field = dict_levels if isinstance(dict_levels, dict) else None
        return {
            "skip_none_values": settings.getbool("SPIDERMON_FIELD_COVERAGE_SKIP_NONE", False),
            "skip_falsy_values": settings.getbool("SPIDERMON_FIELD_COVERAGE_SKIP_FALSY", True),
            "skip_values": self._skip_values,
            "max_list_nesting_level": settings.getint("SPIDERMON_LIST_FIELDS_COVERAGE_LEVELS", 0),
            "max_dict_nesting_level": -1 if per_field is not None else int(dict_levels),
            "per_field_dict_levels": per_field,
        }

    @cached_property
    def _skip_values(self) -> list[Any]:
        return self._get_skip_values_list(self.crawler.settings)

    @cached_property
    def _skip_values_by_type(self) -> dict[type, list[Any]]:
        by_type: dict[type, list[Any]] = {}
        for value in self._skip_values:
            by_type.setdefault(type(value), []).append(value)
        return by_type

    def _value_in_skip_values(self, value, skip_values) -> bool:
        if skip_values is not self._skip_values:
            return super()._value_in_skip_values(value, skip_values)
        candidates = self._skip_values_by_type.get(type(value))
        return candidates is not None and value in candidates

    def _run_suites(self, spider, suites):
        data = self._generate_data_for_spider(spider)
        for suite in suites:
            _Runner(spider=spider).run(suite, **data)
