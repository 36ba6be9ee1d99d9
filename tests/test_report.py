"""The dataset report, its card and the progress line, made from real crawls of the replica.

The pages are opened in real headless Chromium; every number the test checks in a page is computed
here again, independently, from the crawl's own export.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from alinea_crawler.items import FIELD_NAMES
from alinea_crawler.rendering import find_browser
from alinea_crawler.report import card, data, inputs, render
from tests.crawl import REPO_ROOT, run_crawl
from tests.replica import Replica
from tests.report_page import chromium, open_report
from tests.test_faults import FAULT_SETTINGS

WIB = timezone(timedelta(hours=7))
HOLE = (date(2026, 11, 12), date(2026, 11, 14))
FEEDS = ("items.jsonl", "items.csv", "items.parquet")
COVERED = {"title": "title", "lead": "lead", "authors": "authors", "editor": "editor", "date": "published_at",
           "tags": "tags", "image": "image_url", "body": "body"}
PROGRESS = re.compile(r"\[alinea_crawler\.progress\] INFO: articles ([\d,]+) exported / ([\d,]+) discovered "
                      r"\(([\d,]+) queued, ([\d,]+) failed\) · ([\d,]+)/min · pages ([\d,]+)(?: · listing: (.+) page (\d+))?")

needs_browser = pytest.mark.skipif(find_browser(None)[0] is None, reason="needs Chromium: apt-get install chromium")


def report_command(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alinea_crawler.report", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def hole_crawl(tmp_path_factory):
    """120 articles, none published from the 12th to the 14th; the crawl writes its own report and card too."""
    workdir = tmp_path_factory.mktemp("hole")
    with Replica(articles=120, hole=f"{HOLE[0]}/{HOLE[1]}") as replica:
        settings = {"LOGSTATS_INTERVAL": "0.2", "ALINEA_REPORT_HTML": str(workdir / "hook-%(job_id)s.html"),
                    "ALINEA_REPORT_CARD": str(workdir / "hook-card.md")}
        result = run_crawl(workdir, {"base_url": replica.url, "render": "never"}, settings, feeds=FEEDS)
    assert result.returncode == 0, result.log[-3000:]
    return result


@pytest.fixture(scope="module")
def faults_crawl(tmp_path_factory):
    with Replica(articles=36, seed=11, faults=0.25, fault_seed=5, fault_slow=1.5, fault_oversize=300_000) as r:
        result = run_crawl(tmp_path_factory.mktemp("faults"), {"base_url": r.url, "render": "never"},
                           FAULT_SETTINGS)
    assert result.report["failures"], "the faulty replica breaks some pages for good"
    return result


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


def made_report(crawl, *exports: str) -> tuple[Path, Path]:
    html, card_path = crawl.workdir / "report.html", crawl.workdir / "card.md"
    done = report_command(*(crawl.workdir / e for e in exports), "--crawl-report", crawl.workdir / "report.json",
                          "-o", html, "--card", card_path)
    assert done.returncode == 0, done.stderr
    return html, card_path


def wib_day(item) -> date:
    return datetime.fromisoformat(item["published_at"]).astimezone(WIB).date()


def empty_days(items) -> list[str]:
    days = {wib_day(i) for i in items}
    first, last = min(days), max(days)
    return [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)
            if first + timedelta(n) not in days]


def assert_page_matches_export(opened, items) -> None:
    """Loads clean, nothing off the file, plots drawn, and the page's numbers are the export's."""
    assert opened.errors == []
    assert set(opened.requests) == {opened.url}
    assert all(link.startswith("#") for link in opened.links()), "links inside the page only"
    plots = opened.plots()
    blocks = {p["block"] for p in plots}
    assert {"per-day", "sections", "coverage", "coverage-time", "body-chars", "word-counts", "top-authors"} <= blocks
    for plot in plots:
        assert plot["shapes"] > 5 and plot["texts"] > 2 and plot["width"] > 300 and plot["height"] > 50, plot

    per_section = {row[0]: int(row[1]) for row in opened.table("section-table")}
    assert per_section == Counter(item["section"] for item in items)
    daily = {row[0]: int(row[1]) for row in opened.table("daily")}
    assert daily == {**dict.fromkeys(empty_days(items), 0), **Counter(wib_day(i).isoformat() for i in items)}
    assert [row[0] for row in opened.table("empty-days")] == empty_days(items)
    coverage = {row[0]: float(row[3]) for row in opened.table("coverage-table")}
    for name, field in COVERED.items():
        share = sum(bool(item[field]) for item in items) / len(items)
        assert coverage[name] == pytest.approx(share, abs=1e-6), name
    authors = Counter(name for item in items for name in item["authors"])
    assert {row[0]: int(row[1]) for row in opened.table("top-authors-table")} == dict(authors.most_common(20))


def checked_report(crawl, browser):
    """The command's report of a crawl's JSON Lines export and report, opened and checked against the export."""
    html, _ = made_report(crawl, "items.jsonl")
    opened = open_report(browser, html)
    assert_page_matches_export(opened, crawl.items)
    return opened


@needs_browser
@pytest.mark.timeout(300)
def test_report_of_a_crawl_with_a_hole_flags_the_empty_days(hole_crawl, browser):
    opened = checked_report(hole_crawl, browser)
    hole = [(HOLE[0] + timedelta(n)).isoformat() for n in range((HOLE[1] - HOLE[0]).days + 1)]
    assert set(hole) <= {row[0] for row in opened.table("empty-days")}
    assert opened.table("gaps")[0] == [hole[0], hole[-1], str(len(hole))], "the hole is the longest gap"
    assert f"{len(empty_days(hole_crawl.items))} day(s) without any article" in opened.page.inner_text("#per-day")
    runs = opened.table("runs")
    assert [row[2] for row in runs] == ["OK"] and int(runs[0][4]) == len(hole_crawl.items)


@needs_browser
@pytest.mark.timeout(300)
def test_report_of_a_faulty_crawl_shows_its_failures(faults_crawl, browser):
    opened = checked_report(faults_crawl, browser)
    failures = opened.table("failures-table")
    assert sum(int(row[1]) for row in failures) == len(faults_crawl.report["failures"])
    assert any(row[0].startswith("HTTP 404") for row in failures)
    fates = {row[0]: int(row[1]) for row in opened.table("fates-table")}
    assert fates == {k: v for k, v in faults_crawl.report["articles"].items() if k != "discovered"}
    statuses = {row[0]: int(row[1]) for row in opened.table("statuses-table")}
    assert statuses == {key.rsplit("/", 1)[1]: n for key, n in faults_crawl.stats.items()
                        if key.startswith("downloader/response_status_count/")}


@needs_browser
@pytest.mark.timeout(300)
def test_the_crawl_writes_its_own_report_and_card_at_the_end(hole_crawl, browser):
    pages = list(hole_crawl.workdir.glob("hook-*.html"))
    assert len(pages) == 1 and re.fullmatch(r"hook-\d{8}T\d{6}Z\.html", pages[0].name), "%(job_id)s filled in"
    assert f"dataset report written: {pages[0]}" in hole_crawl.log
    opened = open_report(browser, pages[0])
    assert_page_matches_export(opened, hole_crawl.items)
    layouts = {row[0]: int(row[1]) for row in opened.table("layouts-table")}
    assert layouts == Counter(item["layout"] for item in hole_crawl.items)
    assert_card_matches(hole_crawl.workdir / "hook-card.md", hole_crawl.items)


def assert_card_matches(path: Path, items) -> None:
    text = path.read_text(encoding="utf-8")
    header, body = re.fullmatch(r"---\n(.*?)\n---\n(.*)", text, re.S).groups()
    meta = yaml.safe_load(header)
    assert meta["language"] == ["id"] and meta["size_categories"] == ["n<1K"]
    assert meta["task_categories"] and meta["task_ids"] and meta["license"] == "other"
    assert meta["dataset_info"]["splits"] == [{"name": "train", "num_examples": len(items)}]
    features = {f["name"]: f for f in meta["dataset_info"]["features"]}
    assert list(features) == FIELD_NAMES
    assert features["authors"] == {"name": "authors", "sequence": "string"}
    assert features["word_count"]["dtype"] == "int64" and features["title"]["dtype"] == "string"
    days = sorted(wib_day(i) for i in items)
    assert f"- articles: {len(items):,} " in body
    assert f"published from {days[0]} to {days[-1]} (WIB days); {len(empty_days(items))} day(s)" in body
    for section, n in Counter(i["section"] for i in items).items():
        assert f"{section} {n:,}" in body
    authors = sum(bool(i["authors"]) for i in items) / len(items)
    assert f"| `authors` | list of string | {authors:.1%} |" in body
    assert f"{sum(i['layout'] == 'amp' for i in items):,} such article(s) here." in body
    assert "copyright stays with the publisher" in body


def test_the_card_counts_the_export(hole_crawl):
    _, card_path = made_report(hole_crawl, "items.parquet")
    assert_card_matches(card_path, hole_crawl.items)


def test_the_card_of_a_faulty_crawl_counts_its_amp_articles_and_its_verdict(faults_crawl):
    _, card_path = made_report(faults_crawl, "items.jsonl")
    assert_card_matches(card_path, faults_crawl.items)
    verdict = "crawl(s) failed" if faults_crawl.report["failed"] else "every crawl passed its quality check"
    assert verdict in card_path.read_text(encoding="utf-8")


def test_every_export_format_gives_the_same_figures(hole_crawl):
    figures = {fmt: data.compute([(path, inputs.read_rows(path))])
               for fmt in FEEDS for path in [hole_crawl.workdir / fmt]}
    jsonl = figures["items.jsonl"]
    for other in figures.values():
        assert (other.articles, other.daily, other.coverage, other.top_tags, other.duplicates) == \
               (jsonl.articles, jsonl.daily, jsonl.coverage, jsonl.top_tags, jsonl.duplicates)
    # a folder holding one export in three formats is read once
    folder = data.compute([(p, inputs.read_rows(p)) for p in inputs.find_exports([str(hole_crawl.workdir)])])
    assert folder.rows == len(hole_crawl.items) and [Path(p).suffix for p, _ in folder.files] == [".parquet"]


def test_progress_line_gives_the_ledger_numbers(hole_crawl):
    lines = [PROGRESS.search(line) for line in hole_crawl.log.splitlines()]
    lines = [m for m in lines if m]
    assert len(lines) >= 3, hole_crawl.log[-3000:]
    assert "Crawled " not in hole_crawl.log, "Scrapy's own LogStats line is replaced"
    numbers = [[int(g.replace(",", "")) for g in m.groups()[:6]] for m in lines]
    for exported, discovered, queued, failed, _, _ in numbers:
        assert exported + failed + queued <= discovered
    assert [n[0] for n in numbers] == sorted(n[0] for n in numbers), "exported only grows"
    final, counts = numbers[-1], hole_crawl.report["articles"]
    assert final[:4] == [counts["exported"], counts["discovered"], len(hole_crawl.report["unaccounted"]),
                         counts.get("failed", 0)]
    assert final[5] == hole_crawl.stats["response_received_count"]
    listings = {m.group(7) for m in lines if m.group(7)}
    assert listings and listings <= {"home", "home feed", *Counter(i["section"] for i in hole_crawl.items)}


def test_progress_counts_failures_of_a_faulty_crawl(faults_crawl):
    final = [m for m in map(PROGRESS.search, faults_crawl.log.splitlines()) if m][-1]
    assert int(final.group(4)) == faults_crawl.report["articles"]["failed"] > 0


# ------------------------------------------------------------ bad input: one line, exit 2

@pytest.mark.parametrize("make, message", [
    (lambda d: [d / "nothing-here.jsonl"], "no export file at"),
    (lambda d: [d], "no export files in"),
    (lambda d: [write(d / "a.parquet", b"not parquet")], "a.parquet: cannot be read as parquet"),
    (lambda d: [write(d / "a.jsonl", b'{"article_id": "b1"}\n{broken\n')], "a.jsonl: cannot be read as jsonl"),
    (lambda d: [write(d / "a.jsonl", b'{"title": "x"}\n')], "a.jsonl: row 1 is no exported article"),
    (lambda d: [write(d / "a.csv", b"url,article_id\n")], "no articles in"),
])
def test_bad_exports_fail_with_one_line_and_exit_2(tmp_path, make, message):
    done = report_command(*make(tmp_path), "-o", tmp_path / "r.html")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("report failed: ") and message in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_a_bad_crawl_report_or_no_output_is_exit_2_and_an_unwritable_output_exit_1(tmp_path):
    export = write(tmp_path / "a.jsonl", json.dumps({"article_id": "b12345678", "published_at":
                                                      "2026-11-20T10:00:00+07:00"}).encode() + b"\n")
    done = report_command(export, "--crawl-report", write(tmp_path / "r.json", b"[]"), "-o", tmp_path / "r.html")
    assert done.returncode == 2 and "not a crawl report" in done.stderr and done.stderr.count("\n") == 1
    assert report_command(export).returncode == 2  # nothing to write
    done = report_command(export, "--card", write(tmp_path / "file", b"") / "card.md")
    assert done.returncode == 1 and done.stderr.startswith("report failed: cannot write")


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


# ------------------------------------------------------------ the figures alone

def row(article_id, published_at, section="politik", **fields):
    return inputs.typed({"article_id": article_id, "published_at": published_at, "section": section, **fields})


def test_days_are_wib_days_and_runs_of_empty_days_are_gaps():
    rows = [row("b1", "2026-11-01T23:30:00+07:00"), row("b2", "2026-11-02T00:30:00+08:00"),  # 23:30 WIB on the 1st
            row("b3", "2026-11-04T08:00:00+07:00", "bisnis"), row("b4", "2026-11-08T08:00:00+09:00")]
    figures = data.compute([(Path("x.jsonl"), rows)])
    assert figures.daily[date(2026, 11, 1)] == {"politik": 2}
    assert figures.empty_days == [date(2026, 11, d) for d in (2, 3, 5, 6, 7)]
    assert [(g.first.day, g.days) for g in figures.gaps] == [(5, 3), (2, 2)]
    assert [(s.section, s.articles, s.first.day, s.last.day) for s in figures.section_stats] == [
        ("politik", 3, 1, 8), ("bisnis", 1, 4, 4)]


def test_an_article_counts_once_at_its_newest_revision_and_shared_texts_are_duplicates():
    rows = [row("b1", "2026-11-01T10:00:00+07:00", revision=1, content_hash="h1", title="old"),
            row("b1", "2026-11-01T10:00:00+07:00", revision=2, content_hash="h2", title="new"),
            row("b1", "2026-11-01T10:00:00+07:00", revision=2, content_hash="h2", title="new"),  # the same row again
            row("b2", "2026-11-01T11:00:00+07:00", revision=1, content_hash="h2", title="copy")]
    figures = data.compute([(Path("x.jsonl"), rows)])
    assert (figures.rows, figures.repeated_rows, figures.articles) == (4, 1, 2)
    assert figures.revisions == {2: 1, 1: 1} and figures.rows_per_article == {2: 1, 1: 1}
    assert [(h, [a["article_id"] for a in group]) for h, group in figures.duplicates] == [("h2", ["b1", "b2"])]
    assert figures.coverage["title"] == 1.0 and figures.coverage["authors"] == 0.0


def test_csv_lists_and_numbers_are_typed_like_the_item():
    typed = inputs.typed({"article_id": "b1", "authors": "A; B", "tags": "", "word_count": "12", "revision": "1"})
    assert (typed["authors"], typed["tags"], typed["word_count"], typed["revision"], typed["title"]) == \
           (["A", "B"], [], 12, 1, None)


def test_a_long_range_is_also_counted_per_week_with_its_empty_weeks():
    rows = [row("b1", "2026-01-05T10:00:00+07:00"), row("b2", "2026-01-06T10:00:00+07:00", "bisnis"),
            row("b3", "2026-05-01T10:00:00+07:00")]  # a Friday, 116 days later
    figures = data.compute([(Path("x.jsonl"), rows)])
    assert figures.coverage_bucket == "week" and len(figures.daily) == 117
    weeks = dict(figures.sections_over_time)
    assert weeks[date(2026, 1, 5)] == {"politik": 1, "bisnis": 1} and weeks[date(2026, 4, 27)] == {"politik": 1}
    assert len(weeks) == 17 and sum(not counts for counts in weeks.values()) == 15
    assert [start for start, _, _ in figures.coverage_over_time] == list(weeks)


def test_the_card_counts_amp_articles_and_names_the_size_category():
    rows = [row(f"b{n}", "2026-11-01T10:00:00+07:00", layout="amp" if n < 2 else "current") for n in range(5)]
    text = card.card(data.compute([(Path("x.jsonl"), rows)]))
    assert "2 such article(s) here." in text and "100.0% of the articles have no author" in text
    assert [card.size_category(n) for n in (999, 1_000, 54_321, 2_000_000)] == [
        "n<1K", "1K<n<10K", "10K<n<100K", "1M<n<10M"]


def test_a_failed_crawl_is_named_at_the_top_of_its_report():
    rows = [row("b1", "2026-11-01T10:00:00+07:00"), row("b2", "2026-11-03T10:00:00+07:00")]
    report = {"path": "crawl.json", "failed": "site unavailable: 24 of 30 pages failed", "stats": {},
              "articles": {"discovered": 9, "exported": 2, "not_fetched": 7}}
    page = render.page(data.compute([(Path("x.jsonl"), rows)], [report]))
    overview = page.split('id="overview"')[1].split("</section>")[0]
    assert "crawl crawl.json: FAILED: site unavailable: 24 of 30 pages failed — its exports may be partial" in overview
    assert "1 day(s) without any article" in page


def test_a_crawl_without_a_report_loads_no_plotting_or_parquet_library():
    """The report extension is loaded by every crawl: numpy, pyarrow and matplotlib only when a report is drawn
    (they were ~40 MB of every crawl's memory)."""
    code = ("import sys; from scrapy.utils.project import get_project_settings; "
            "from scrapy.utils.misc import load_object; "
            "[load_object(path) for path in get_project_settings().getdict('EXTENSIONS')]; "
            "import alinea_crawler.spiders.alinea, alinea_crawler.pipelines, alinea_crawler.middlewares; "
            "print(sorted(m for m in ('numpy', 'pyarrow', 'matplotlib') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]", run.stderr
