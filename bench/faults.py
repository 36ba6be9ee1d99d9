"""Faults: a flaky site's crawl time against the waiting its server asked for; how fast a dead site fails.

    .venv/bin/python -m bench.faults [--articles 200] [--rates 0.1,0.3] [--repeat 2]

* Flaky: the replica with ``--faults RATE`` (HTTP 500/502/503, 429 and 503
  with ``Retry-After: 1``, slow answers, dropped connections, truncated HTML),
  crawled with politeness off (``bench.common.BENCH_PROFILE``), related links
  followed one hop (the default), and, for reference, the same replica
  without faults. "Asked" is the sum of the
  ``Retry-After`` seconds the replica sent (its ``/_admin/faults`` report).
  Target: crawl time <= 2 x asked + 20 s.
* Dead: seconds until ``scrapy crawl`` exits, at the default politeness of
  ``settings.py``: a closed port, a host name that does not resolve, a replica
  answering HTTP 500 to every page, and one answering 500 to every article.
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: bench/ first on sys.path would shadow Twisted's "incremental"
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import Replica, median, print_table, run_crawl, write_result

THROTTLES = ("throttle_429", "throttle_503")  # the replica's faults that send Retry-After: 1
RETRY_AFTER_SECONDS = 1
# settings.py's politeness, which BENCH_PROFILE turns off
DEFAULT_POLITENESS = {"AUTOTHROTTLE_ENABLED": "1", "DOWNLOAD_DELAY": "0.5", "CONCURRENT_REQUESTS": "8",
                      "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}


CRAWL_ARGS = {"related_depth": "1"}


def flaky_run(articles: int, rate: float, seed: int) -> dict:
    with Replica(articles=articles, seed=2021, faults=rate, fault_seed=seed) as replica:
        run = run_crawl(replica.url, spider_args=CRAWL_ARGS)
        injected = replica.faults()["injected"]
    asked = sum(injected.get(kind, 0) for kind in THROTTLES) * RETRY_AFTER_SECONDS
    return {"fault_rate": rate, "fault_seed": seed, "returncode": run.returncode, "items": run.items, "crawl_s": run.elapsed_s,
            "asked_s": asked, "target_s": 2 * asked + 20, "paused_s": run.stats.get("alinea/retry/paused_seconds", 0),
            "retries": run.stats.get("retry/count", 0), "injected": injected}


def clean_run(articles: int) -> float:
    with Replica(articles=articles, seed=2021) as replica:
        return run_crawl(replica.url, spider_args=CRAWL_ARGS).elapsed_s


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def dead_run(name: str, base_url: str) -> dict:
    run = run_crawl(base_url, settings=DEFAULT_POLITENESS)
    reason = run.stats.get("finish_reason")
    last = run.log.strip().splitlines()[-1].split("] ", 1)[-1] if run.log.strip() else ""
    return {"case": name, "returncode": run.returncode, "seconds": run.wall_s, "finish_reason": reason,
            "last_line": last}


def dead_runs(articles: int) -> list[dict]:
    runs = [dead_run("closed port", closed_port()), dead_run("no such host", "http://alinea.invalid")]
    for mode in ("all_500", "articles_500"):
        with Replica(articles=articles, seed=2021, fault_dead=mode) as replica:
            runs.append(dead_run(f"HTTP 500 ({mode})", replica.url))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rates", default="0.1,0.3", help="fault rates, comma list")
    parser.add_argument("--repeat", type=int, default=2, help="flaky crawls per rate, each with another fault seed")
    opts = parser.parse_args()
    rates = [float(rate) for rate in opts.rates.split(",")]

    flaky = [flaky_run(opts.articles, rate, seed) for rate in rates for seed in range(1, opts.repeat + 1)]
    clean = clean_run(opts.articles)
    print(f"flaky site: {opts.articles} articles; the same site without faults: {clean:.1f} s\n")
    print_table(["fault rate", "seed", "rc", "items", "crawl s", "Retry-After asked s", "target s", "paused s",
                 "retries"],
                [[r["fault_rate"], r["fault_seed"], r["returncode"], r["items"], r["crawl_s"], r["asked_s"],
                  r["target_s"], r["paused_s"], r["retries"]] for r in flaky])
    within = all(r["crawl_s"] <= r["target_s"] for r in flaky)
    print(f"\nmedian crawl {median([r['crawl_s'] for r in flaky]):.1f} s; every run within 2 x asked + 20 s: {within}\n")

    dead = dead_runs(40)
    print_table(["dead site", "rc", "seconds to exit", "finish reason"],
                [[d["case"], d["returncode"], d["seconds"], d["finish_reason"]] for d in dead])
    for d in dead:
        print(f"  {d['case']}: {d['last_line']}")
    write_result("faults", {"articles": opts.articles, "fault_rates": rates, "clean_crawl_s": clean,
                            "flaky": flaky, "flaky_within_target": within, "dead_site_articles": 40,
                            "dead_politeness": DEFAULT_POLITENESS, "dead": dead})


if __name__ == "__main__":
    main()
