"""The dataset report's cost: ``python -m alinea_crawler.report`` on a real crawl's export of N articles.

Run from the repository root: ``.venv/bin/python -m bench.report``. Never part of the tests. Crawls a
replica of ``--articles`` articles once (JSON Lines and the crawl report), then makes the report page and the
card from them ``--runs`` times: wall seconds (median, min, max), peak RSS, size of the page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import BENCH_ARGS, BENCH_PROFILE, Replica, _run_measured, median, print_table, write_result
from tests.crawl import scrapy_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alinea-bench-report-") as tmp, Replica(articles=args.articles) as site:
        workdir = Path(tmp)
        crawl = _run_measured(scrapy_command(workdir, {"base_url": site.url, **BENCH_ARGS}, BENCH_PROFILE),
                              sample_rss=False, timeout=900)
        if crawl[0] != 0:
            sys.exit(f"the crawl failed:\n{crawl[3][-3000:]}")
        argv = [sys.executable, "-m", "alinea_crawler.report", str(workdir / "items.jsonl"), "--crawl-report",
                str(workdir / "report.json"), "-o", str(workdir / "report.html"), "--card", str(workdir / "card.md")]
        runs = [_run_measured(argv, sample_rss=True, timeout=600) for _ in range(args.runs)]
        if any(run[0] != 0 for run in runs):
            sys.exit(f"the report failed:\n{runs[0][3]}")
        walls = [run[1] for run in runs]
        html_kb = (workdir / "report.html").stat().st_size / 1024
        lines = sum(1 for _ in (workdir / "items.jsonl").open())
    row = [lines, median(walls), min(walls), max(walls), max(run[2] for run in runs), html_kb]
    print_table(["articles", "median s", "min s", "max s", "peak RSS MB", "page KB"], [row])
    write_result("report", {"articles": lines, "runs": args.runs, "wall_s": {"median": row[1], "min": row[2],
                            "max": row[3]}, "peak_rss_mb": row[4], "page_kb": round(html_kb, 1)})


if __name__ == "__main__":
    main()
