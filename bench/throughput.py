"""Crawl throughput: our full crawl of a 10,000-article replica vs ``scrapy bench``.

    .venv/bin/python -m bench.throughput [--articles 10000] [--runs 3]

Both run with Scrapy's default concurrency (16 requests, 8 per domain), no
AutoThrottle, no delay. Ours is the whole pipeline: navigation (home, sections,
POST /more paging, /indeks, /rss), extraction, cleaning, validation, JSON-lines
export; ``render=never``, ``related_depth=0``. ``scrapy bench`` runs in an empty
temporary directory so that this project's polite settings do not apply to it.
pages/s = response_received_count / elapsed_time_seconds (Scrapy's own stats).
Runs alternate (bench, crawl, bench, crawl, ...) to spread the machine's noise;
the figures are medians.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

from bench.common import BENCH_PROFILE, Replica, _run_measured, median, print_table, run_crawl, write_result


def scrapy_bench() -> dict[str, float]:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="scrapy-bench-") as empty:
        code, wall, _, log = _run_measured([sys.executable, "-m", "scrapy", "bench"], False, 120, cwd=empty)
    if code != 0:
        raise SystemExit(f"scrapy bench failed:\n{log[-2000:]}")
    pages = int(re.search(r"'response_received_count': (\d+)", log)[1])
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", log)[1])
    return {"pages": pages, "items": 0, "elapsed_s": elapsed, "pages_per_s": pages / elapsed, "items_per_s": 0.0,
            "load_1m_before": load}


def our_crawl(articles: int) -> dict[str, float]:
    load = os.getloadavg()[0]
    with Replica(articles=articles, seed=2021) as replica:  # a fresh server: every page rendered once
        run = run_crawl(replica.url)
        served = replica.stats()["requests"]
    if run.returncode != 0 or run.items != len(replica.site.listed_articles):
        raise SystemExit(f"crawl failed (rc {run.returncode}, {run.items} items):\n{run.log[-2000:]}")
    return {"pages": run.pages, "items": run.items, "elapsed_s": run.elapsed_s, "served": served,
            "pages_per_s": run.pages / run.elapsed_s, "items_per_s": run.items / run.elapsed_s,
            "load_1m_before": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()

    bench, ours = [], []
    for n in range(opts.runs):
        bench.append(scrapy_bench())
        ours.append(our_crawl(opts.articles))
        print(f"run {n + 1}: scrapy bench {bench[-1]['pages_per_s']:.1f} pages/s, "
              f"alinea {ours[-1]['pages_per_s']:.1f} pages/s", flush=True)

    summary = {}
    for name, runs in (("scrapy_bench", bench), ("alinea_crawl", ours)):
        summary[name] = {key: median([r[key] for r in runs]) for key in ("pages_per_s", "items_per_s", "elapsed_s")}
        summary[name]["pages_per_s_range"] = [min(r["pages_per_s"] for r in runs), max(r["pages_per_s"] for r in runs)]
    ratio = summary["alinea_crawl"]["pages_per_s"] / summary["scrapy_bench"]["pages_per_s"]

    print()
    print_table(
        ["run", "pages/s (median)", "min", "max", "items/s", "elapsed s"],
        [[name, s["pages_per_s"], *s["pages_per_s_range"], s["items_per_s"], s["elapsed_s"]]
         for name, s in summary.items()],
    )
    print(f"\nratio alinea / scrapy bench (pages/s): {ratio:.2f}  (target >= 0.80)")
    write_result("throughput", {
        "articles": opts.articles, "runs": opts.runs, "profile": BENCH_PROFILE,
        "spider_args": {"render": "never", "related_depth": 0},
        "summary": summary, "ratio_pages_per_s": round(ratio, 3), "target_ratio": 0.8,
        "met": ratio >= 0.8, "raw": {"scrapy_bench": bench, "alinea_crawl": ours},
    })


if __name__ == "__main__":
    main()
