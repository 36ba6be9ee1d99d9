"""Every figure of the report, computed from exported rows and crawl reports (no drawing here).

The functions are pure: rows in (``inputs.read_rows``), numbers out. The
renderer draws and tabulates exactly these numbers, and the tests compare the
page with them. Days are WIB days (UTC+7, the site's own zone): an article
published 00:30 WITA on the 2nd is an article of the 1st.

A dataset assembled from several exports (a scheduled crawl writes a file every
run) may hold an article more than once: a later revision, or the same row
again. Figures count articles — the newest revision of each ``article_id`` —
except revisions, which count rows.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..ledger import reason_group

WIB = timezone(timedelta(hours=7))
# Field coverage: the name shown -> the item field that holds it.
COVERAGE_FIELDS = {"title": "title", "lead": "lead", "authors": "authors", "editor": "editor",
                   "date": "published_at", "tags": "tags", "image": "image_url", "body": "body"}
TOP_N = 20
GAPS_LISTED = 10
DAILY_BUCKET_MAX_DAYS = 92  # coverage over time per day up to this range, per ISO week up to ~3 years, then per month
WEEKLY_BUCKET_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Gap:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class SectionStats:
    section: str
    articles: int
    first: date
    last: date

    @property
    def per_week(self) -> float:
        """Articles per week over the section's own span (first to last day, at least one day)."""
        return self.articles * 7 / ((self.last - self.first).days + 1)


@dataclass(frozen=True)
class Histogram:
    edges: list[float]  # len(counts) + 1
    counts: list[int]
    summary: dict[str, float]  # min, median, mean, p90, max


@dataclass
class CrawlFigures:
    """What the crawl reports say, summed over all of them."""

    runs: list[dict[str, Any]]  # one per report: path, finish reason, verdict, counts
    fates: Counter[str]
    layouts: Counter[str]
    rungs: dict[str, Counter[str]]  # field -> rung -> articles
    failures: Counter[tuple[str, str]]  # (reason, page kind) -> pages
    statuses: Counter[str]  # HTTP status -> responses
    render: Counter[str]  # alinea/render/<what>, alinea/related/found/<path>, alinea/amp/<what>
    drift_warnings: list[str]


@dataclass
class Figures:
    files: list[tuple[str, int]]  # (path, rows read)
    rows: int
    repeated_rows: int  # the same (article_id, revision) read again
    articles: int
    undated: int  # articles without a readable published_at: in no day's count
    first_day: date | None
    last_day: date | None
    sections: list[str]  # by article count, most first
    daily: dict[date, Counter[str]]  # every day of the range -> section -> articles
    empty_days: list[date]
    gaps: list[Gap]  # runs of empty days, longest first (the page lists GAPS_LISTED)
    section_stats: list[SectionStats]
    sections_over_time: list[tuple[date, Counter[str]]]  # per coverage_bucket (week, month): section -> articles
    coverage: dict[str, float]  # shown field name -> share of articles with it
    coverage_bucket: str  # day, week or month
    coverage_over_time: list[tuple[date, int, dict[str, float]]]  # bucket start, articles, shares
    body_chars: Histogram
    word_counts: Histogram
    duplicates: list[tuple[str, list[dict[str, Any]]]]  # content hash -> its articles (2 or more ids)
    revisions: Counter[int]  # highest revision -> articles
    rows_per_article: Counter[int]  # rows read -> articles
    top_authors: list[tuple[str, int]]
    layouts: Counter[str]  # the item's layout (amp: read from the AMP page) -> articles
    top_tags: list[tuple[str, int]]
    crawl: CrawlFigures | None = None
    crawl_reports: list[str] = field(default_factory=list)


def compute(files: list[tuple[Path, list[dict[str, Any]]]], reports: Iterable[dict[str, Any]] = ()) -> Figures:
    """All figures of a dataset: ``files`` as (path, rows) from ``inputs``; crawl reports optional."""
    rows = [row for _, file_rows in files for row in file_rows]
    distinct = distinct_rows(rows)
    articles = newest_revisions(distinct)
    dated = [(day, a) for a in articles if (day := wib_day(a.get("published_at"))) is not None]
    daily = articles_per_day((day, a.get("section") or "?") for day, a in dated)
    empty = [day for day, counts in daily.items() if not counts]
    sections = section_stats(dated)
    bucket = bucket_kind(min(daily), max(daily)) if daily else "day"
    reports = list(reports)
    return Figures(
        files=[(str(path), len(file_rows)) for path, file_rows in files],
        rows=len(rows),
        repeated_rows=len(rows) - len(distinct),
        articles=len(articles),
        undated=len(articles) - len(dated),
        first_day=min(daily) if daily else None,
        last_day=max(daily) if daily else None,
        sections=[s.section for s in sections],
        daily=daily,
        empty_days=empty,
        gaps=gaps(empty),
        section_stats=sections,
        sections_over_time=per_bucket(daily, bucket),
        coverage=coverage(articles),
        coverage_bucket=bucket,
        coverage_over_time=coverage_over_time(dated, bucket),
        body_chars=histogram([len(a["body"]) for a in articles if a.get("body")]),
        word_counts=histogram([a["word_count"] for a in articles if a.get("word_count") is not None]),
        duplicates=duplicates(articles),
        revisions=Counter(a.get("revision") or 1 for a in articles),
        rows_per_article=Counter(Counter(r["article_id"] for r in distinct).values()),
        top_authors=top(articles, "authors"),
        top_tags=top(articles, "tags"),
        layouts=Counter(a.get("layout") or "?" for a in articles),
        crawl=crawl_figures(reports) if reports else None,
        crawl_reports=[r.get("path", "") for r in reports],
    )


# -- rows and articles --------------------------------------------------------

def distinct_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without repeats: one row per (article_id, revision, content_hash)."""
    seen: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault((row["article_id"], row.get("revision"), row.get("content_hash")), row)
    return list(seen.values())


def newest_revisions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per article: its highest revision (the last scraped among equals)."""
    newest: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = (row.get("revision") or 1, row.get("scraped_at") or "")
        old = newest.get(row["article_id"])
        if old is None or key >= (old.get("revision") or 1, old.get("scraped_at") or ""):
            newest[row["article_id"]] = row
    return list(newest.values())


def wib_day(published_at: str | None) -> date | None:
    """The WIB day of an ISO 8601 date (a date without offset is taken as WIB); ``None`` if unreadable."""
    if not published_at:
        return None
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=WIB)).astimezone(WIB).date()


# -- per day, per section -----------------------------------------------------

def articles_per_day(days_and_sections: Iterable[tuple[date, str]]) -> dict[date, Counter[str]]:
    """Every day from the first to the last, each with its articles per section (empty days included)."""
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    for day, section in days_and_sections:
        counts[day][section] += 1
    if not counts:
        return {}
    first, last = min(counts), max(counts)
    return {first + timedelta(days=i): counts.get(first + timedelta(days=i), Counter())
            for i in range((last - first).days + 1)}


def gaps(empty_days: list[date]) -> list[Gap]:
    """Runs of consecutive empty days, longest first (then earliest)."""
    runs: list[Gap] = []
    for day in sorted(empty_days):
        if runs and runs[-1].last + timedelta(days=1) == day:
            runs[-1] = Gap(runs[-1].first, day)
        else:
            runs.append(Gap(day, day))
    return sorted(runs, key=lambda g: (-g.days, g.first))


def per_bucket(daily: dict[date, Counter[str]], kind: str) -> list[tuple[date, Counter[str]]]:
    """The daily counts summed per week or month (every bucket of the range, empty ones too)."""
    buckets: dict[date, Counter[str]] = {}
    for day, counts in daily.items():
        buckets.setdefault(bucket_start(day, kind), Counter()).update(counts)
    return list(buckets.items())


def section_stats(dated: list[tuple[date, dict[str, Any]]]) -> list[SectionStats]:
    """Per section: articles, first and last day; most articles first."""
    days: dict[str, list[date]] = defaultdict(list)
    for day, article in dated:
        days[article.get("section") or "?"].append(day)
    stats = [SectionStats(s, len(d), min(d), max(d)) for s, d in days.items()]
    return sorted(stats, key=lambda s: (-s.articles, s.section))


# -- field coverage -----------------------------------------------------------

def has(article: dict[str, Any], item_field: str) -> bool:
    value = article.get(item_field)
    return value is not None and value != "" and value != []


def coverage(articles: list[dict[str, Any]]) -> dict[str, float]:
    """Share of articles with each field (``COVERAGE_FIELDS``), 0 to 1."""
    n = len(articles)
    return {name: (sum(has(a, f) for a in articles) / n if n else 0.0) for name, f in COVERAGE_FIELDS.items()}


def bucket_kind(first: date, last: date) -> str:
    span = (last - first).days + 1
    return "day" if span <= DAILY_BUCKET_MAX_DAYS else "week" if span <= WEEKLY_BUCKET_MAX_DAYS else "month"


def bucket_start(day: date, kind: str) -> date:
    if kind == "week":
        return day - timedelta(days=day.weekday())  # the Monday
    if kind == "month":
        return day.replace(day=1)
    return day


def next_bucket(start: date, kind: str) -> date:
    if kind == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7 if kind == "week" else 1)


def coverage_over_time(dated: list[tuple[date, dict[str, Any]]], kind: str) -> list[tuple[date, int, dict[str, float]]]:
    """Every day, week or month of the range: (its first day, articles, coverage; ``{}`` without articles)."""
    buckets: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for day, article in dated:
        buckets[bucket_start(day, kind)].append(article)
    if not buckets:
        return []
    out, start = [], min(buckets)
    while start <= max(buckets):
        out.append((start, len(buckets[start]), coverage(buckets[start]) if buckets[start] else {}))
        start = next_bucket(start, kind)
    return out


# -- text ---------------------------------------------------------------------

def histogram(values: list[int]) -> Histogram:
    """Counts in numpy's automatic bins (``bins="auto"``), and min, median, mean, p90, max."""
    if not values:
        return Histogram([], [], {})
    counts, edges = np.histogram(values, bins="auto")
    summary = {"min": min(values), "median": statistics.median(values), "mean": statistics.fmean(values),
               "p90": float(np.percentile(values, 90)), "max": max(values)}
    return Histogram([float(e) for e in edges], [int(c) for c in counts], summary)


def duplicates(articles: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Content hashes shared by two or more articles (different ids, same text), biggest group first."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for article in articles:
        if article.get("content_hash"):
            groups[article["content_hash"]].append(article)
    shared = [(h, sorted(group, key=lambda a: a["article_id"])) for h, group in groups.items() if len(group) > 1]
    return sorted(shared, key=lambda g: (-len(g[1]), g[0]))


def top(articles: list[dict[str, Any]], list_field: str, n: int = TOP_N) -> list[tuple[str, int]]:
    """The ``n`` most frequent values of a list field (authors, tags), with their article counts."""
    counts = Counter(value for a in articles for value in dict.fromkeys(a.get(list_field) or ()))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


# -- crawl reports ------------------------------------------------------------

def crawl_figures(reports: list[dict[str, Any]]) -> CrawlFigures:
    figures = CrawlFigures([], Counter(), Counter(), defaultdict(Counter), Counter(), Counter(), Counter(), [])
    for report in reports:
        stats = report.get("stats", {})
        figures.runs.append(run_row(report))
        figures.fates.update({k: v for k, v in report.get("articles", {}).items() if k != "discovered"})
        for key, value in stats.items():
            parts = key.split("/")
            if key.startswith("alinea/layout/"):
                figures.layouts[parts[2]] += value
            elif key.startswith("alinea/field_source/") and len(parts) == 4:
                figures.rungs[parts[2]][parts[3]] += value
            elif key.startswith("downloader/response_status_count/"):
                figures.statuses[parts[2]] += value
            elif key.startswith(("alinea/render/", "alinea/related/found/", "alinea/amp/")) and isinstance(value, int):
                figures.render[key.removeprefix("alinea/")] += value
        for failure in report.get("failures", []):
            figures.failures[(reason_group(failure.get("reason", "")), failure.get("kind", "other"))] += 1
        if warning := stats.get("alinea/drift/warning"):
            figures.drift_warnings.append(warning)
    figures.rungs = dict(sorted(figures.rungs.items()))
    return figures


def run_row(report: dict[str, Any]) -> dict[str, Any]:
    """One crawl at a glance: how it ended, its articles and pages."""
    stats, articles = report.get("stats", {}), report.get("articles", {})
    return {
        "report": report.get("path", ""),
        "finish_reason": report.get("finish_reason") or stats.get("finish_reason", ""),
        "verdict": f"FAILED: {report['failed']}" if report.get("failed") else "OK",
        "discovered": articles.get("discovered", 0),
        "exported": articles.get("exported", 0),
        "failed": articles.get("failed", 0),
        "pages": stats.get("downloader/response_count", 0),
        "given_up": sum(v for k, v in stats.items() if k.startswith("alinea/request_error/")),
        "seconds": stats.get("elapsed_time_seconds"),
    }
