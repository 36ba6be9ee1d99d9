"""Crawl throughput: our full crawl against a bare spider on the same replica, same run.

    .venv/bin/python -m bench.throughput [--articles 2000] [--runs 3] [--baseline-repo CHECKOUT]

The bare spider (``bench/bare_spider.py``) follows every link of the site and yields its
URL: Scrapy's own cost per page (download, scheduling, one parse for the links, a
JSON-lines feed) and nothing else. Ours is the whole crawl: navigation (home, sections,
POST /more paging, /indeks, /rss), extraction, cleaning, validation, ledger, quality
check, JSON-lines export; ``render=never``, ``related_depth=0``. Both run with the same
concurrency (16 requests, 8 per domain), no AutoThrottle, no delay, robots.txt obeyed,
each against a fresh replica server of the same site (a page is rendered once per server).
The bare spider runs from an empty directory so that this project's settings do not
apply to it. Runs alternate (bare, ours, bare, ours, ...); each pair gives a ratio.

pages/s = ``response_received_count`` / the process's wall time (start-up included: a cost
per crawl, and small incremental crawls are the common case); ``elapsed`` pages/s uses
Scrapy's ``elapsed_time_seconds`` (spider open to close) instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from bench.common import BENCH_PROFILE, REPO, Replica, _run_measured, median, print_table, run_crawl, write_result

BARE_SPIDER = REPO / "bench" / "bare_spider.py"
TARGET = 0.85
RESULT = REPO / "bench" / "results" / "throughput.json"


def bare_crawl(articles: int) -> dict[str, float]:
    load = os.getloadavg()[0]
    with Replica(articles=articles, seed=2021) as replica, tempfile.TemporaryDirectory(prefix="bare-") as empty:
        argv = [sys.executable, "-m", "scrapy", "runspider", str(BARE_SPIDER), "-a", f"base_url={replica.url}",
                "-s", "ROBOTSTXT_OBEY=1", "-O", str(Path(empty) / "items.jsonl")]
        for name, value in BENCH_PROFILE.items():
            argv += ["-s", f"{name}={value}"]
        code, wall, _, log = _run_measured(argv, False, 1200, cwd=Path(empty))
    if code != 0:
        raise SystemExit(f"bare spider failed:\n{log[-2000:]}")
    pages = int(re.search(r"'response_received_count': (\d+)", log)[1])
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", log)[1])
    return {"pages": pages, "wall_s": wall, "elapsed_s": elapsed, "pages_per_s": pages / wall,
            "elapsed_pages_per_s": pages / elapsed, "load_1m_before": load}


def our_crawl(articles: int, repo: Path = REPO) -> dict[str, float]:
    load = os.getloadavg()[0]
    with Replica(articles=articles, seed=2021) as replica:
        run = run_crawl(replica.url, timeout=1200, repo=repo)
        expected = len(replica.site.listed_articles)
    if run.returncode != 0 or run.items != expected:
        raise SystemExit(f"crawl failed (rc {run.returncode}, {run.items} items of {expected}):\n{run.log[-2000:]}")
    return {"pages": run.pages, "items": run.items, "wall_s": run.wall_s, "elapsed_s": run.elapsed_s,
            "pages_per_s": run.pages / run.wall_s, "elapsed_pages_per_s": run.pages / run.elapsed_s,
            "load_1m_before": load}


def spread(values: list[float]) -> dict[str, float]:
    return {"median": median(values), "min": min(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="after", help="the key in results/throughput.json (before, after)")
    parser.add_argument("--baseline-repo", type=Path,
                        help="also crawl with this checkout's code (an earlier commit), in the same alternation")
    opts = parser.parse_args()

    bare, ours, baseline = [], [], []
    for n in range(opts.runs):
        bare.append(bare_crawl(opts.articles))
        if opts.baseline_repo:
            baseline.append(our_crawl(opts.articles, opts.baseline_repo.resolve()))
        ours.append(our_crawl(opts.articles))
        print(f"run {n + 1}: bare {bare[-1]['pages_per_s']:.1f} pages/s ({bare[-1]['wall_s']:.1f} s), "
              + (f"baseline {baseline[-1]['pages_per_s']:.1f} pages/s ({baseline[-1]['wall_s']:.1f} s), "
                 if baseline else "")
              + f"alinea {ours[-1]['pages_per_s']:.1f} pages/s ({ours[-1]['wall_s']:.1f} s)", flush=True)

    crawls = [("bare_spider", bare), *([("baseline_crawl", baseline)] if baseline else []), ("alinea_crawl", ours)]
    summary = {name: {key: spread([r[key] for r in runs]) for key in ("pages_per_s", "elapsed_pages_per_s", "wall_s")}
               for name, runs in crawls}
    ratios = {key: spread([o[key] / b[key] for o, b in zip(ours, bare)]) for key in ("pages_per_s", "elapsed_pages_per_s")}
    if baseline:
        ratios["baseline_pages_per_s"] = spread([o["pages_per_s"] / b["pages_per_s"] for o, b in zip(baseline, bare)])
    print()
    print_table(["run", "pages/s (median)", "min", "max", "elapsed pages/s", "wall s"],
                [[name, s["pages_per_s"]["median"], s["pages_per_s"]["min"], s["pages_per_s"]["max"],
                  s["elapsed_pages_per_s"]["median"], s["wall_s"]["median"]] for name, s in summary.items()])
    wall, elapsed = ratios["pages_per_s"], ratios["elapsed_pages_per_s"]
    print(f"\nratio alinea / bare spider, pages/s by wall time: {wall['median']:.2f} "
          f"({wall['min']:.2f}-{wall['max']:.2f}); by Scrapy's elapsed time: {elapsed['median']:.2f} "
          f"({elapsed['min']:.2f}-{elapsed['max']:.2f})  (target >= {TARGET})")
    if baseline:
        before = ratios["baseline_pages_per_s"]
        print(f"baseline ({opts.baseline_repo}) / bare spider, by wall time: {before['median']:.2f} "
              f"({before['min']:.2f}-{before['max']:.2f})")
    previous = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    measured = {**previous.get("measured", {}), opts.label: {
        "articles": opts.articles, "runs": opts.runs, "profile": BENCH_PROFILE,
        "spider_args": {"render": "never", "related_depth": 0}, "summary": summary, "ratios": ratios,
        "target_ratio": TARGET, "met": wall["median"] >= TARGET, "baseline_repo": str(opts.baseline_repo or ""),
        "raw": {"bare_spider": bare, "alinea_crawl": ours, "baseline_crawl": baseline}}}
    write_result("throughput", {"measured": measured})


if __name__ == "__main__":
    main()
