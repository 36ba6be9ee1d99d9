"""Memory: peak RSS of the crawl process (not the replica) for 1,000 and 10,000 articles.

    .venv/bin/python -m bench.memory [--sizes 1000 10000] [--runs 2] [--no-tracemalloc]

Peak RSS is sampled with psutil every 50 ms on the ``scrapy crawl`` child (the
benchmark profile of bench/throughput.py). Growth per 1,000 articles is the
slope between the smallest and the largest size. A last crawl of the largest
size runs under tracemalloc (``bench/memprobe.py``), which reports what is
still allocated when the spider closes, by line, and the size of the sets that
are meant to grow with the crawl (the per-article dedup sets and Scrapy's
request dupefilter). tracemalloc slows the crawl; its run is not timed.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.common import Replica, median, print_table, run_crawl, write_result

TARGET_MB = 150  # peak RSS at 10,000 articles (issue #20)
PROBE = {"bench.memprobe.TraceMallocProbe": 900, "alinea_crawler.extensions.CrawlReport": 500}


def peak_rss(articles: int, settings: dict | None = None) -> tuple[float, int]:
    with Replica(articles=articles, seed=2021) as replica:
        run = run_crawl(replica.url, settings=settings, sample_rss=True, timeout=1800)  # a loaded machine is slow
    if run.returncode != 0:
        raise SystemExit(f"crawl failed (rc {run.returncode}):\n{run.log[-2000:]}")
    return run.peak_rss_mb, run.items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--no-tracemalloc", dest="tracemalloc", action="store_false")
    opts = parser.parse_args()

    rows, measured = [], {}
    for size in opts.sizes:
        peaks, items = [], 0
        for _ in range(opts.runs):
            peak, items = peak_rss(size)
            peaks.append(peak)
        measured[size] = {"items": items, "peak_rss_mb": median(peaks), "runs_mb": peaks}
        rows.append([size, items, median(peaks), min(peaks), max(peaks)])
        print(f"{size} articles: peak RSS {median(peaks):.1f} MB", flush=True)
    small, large = min(opts.sizes), max(opts.sizes)
    growth = (measured[large]["peak_rss_mb"] - measured[small]["peak_rss_mb"]) / ((large - small) / 1000)

    probe = None
    if opts.tracemalloc:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tracemalloc.json"
            peak_rss(large, {"EXTENSIONS": json.dumps(PROBE), "BENCH_TRACEMALLOC_FILE": str(path)})
            probe = json.loads(path.read_text())

    print()
    print_table(["articles", "items", "peak RSS MB (median)", "min", "max"], rows)
    print(f"\ngrowth: {growth:.2f} MB per 1,000 articles; peak at {large}: {measured[large]['peak_rss_mb']:.1f} MB"
          f" (target <= {TARGET_MB} MB)")
    if probe:
        print(f"\nstill allocated at close ({large} articles, tracemalloc): {probe['traced_current_mb']:.1f} MB, "
              f"traced peak {probe['traced_peak_mb']:.1f} MB")
        print_table(["growing set", "entries", "KiB"],
                    [[name, s["entries"], s["bytes"] / 1024] for name, s in probe["sets"].items() if s])
        print()
        print_table(["top allocation sites at close", "KiB", "blocks"],
                    [[t["where"].split("site-packages/")[-1], t["kib"], t["blocks"]] for t in probe["top_lines"][:10]])
    write_result("memory", {"sizes": measured, "growth_mb_per_1000": growth, "target_peak_mb": TARGET_MB,
                            "met": measured[large]["peak_rss_mb"] <= TARGET_MB, "tracemalloc_at_close": probe})


if __name__ == "__main__":
    main()
