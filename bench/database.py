"""PostgreSQL costs: the database sink against JSON Lines alone, and state lookups, PostgreSQL vs SQLite.

    .venv/bin/python -m bench.database [--articles 2000] [--runs 3] [--lookups 2000]

Starts its own PostgreSQL (``tests/postgres.py``: initdb + pg_ctl as the
``postgres`` user on a free loopback port; run as root, as CI does) with its
defaults except ``fsync=off``, like the tests (the figure is the sink's CPU and
round trips, not this machine's disk).

1. Sink: a full crawl of the replica exporting JSON Lines, with and without
   ``ALINEA_DATABASE_URL`` (a fresh database each run), taking turns, ``--runs``
   each; medians of Scrapy's ``elapsed_time_seconds`` with min and max.
2. State lookups: ``published(ids)`` for one listing page's ten card ids and
   for one article id (what the incremental middleware asks per ``POST /more``
   and per article request), on a store holding every article of the replica,
   SQLite file vs PostgreSQL table, best of 5 rounds of ``--lookups`` calls.
3. The same incremental crawl twice (first run, then over the unchanged
   replica) with the state in SQLite and in PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: bench/ first on sys.path would shadow Twisted's "incremental"
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import Replica, median, print_table, run_crawl, write_result
from tests.postgres import PostgresServer, binaries

from alinea_crawler.state import Exported, open_store

PAGE = 10  # cards per listing page (ALINEA_MORE_STEP)


def crawl(replica: Replica, settings: dict[str, str]) -> dict:
    run = run_crawl(replica.url, settings=settings)
    if run.returncode != 0:
        raise SystemExit(f"crawl failed (rc {run.returncode}):\n{run.log[-2000:]}")
    return {"elapsed_s": run.elapsed_s, "items": run.items, "requests": int(run.stats.get("downloader/request_count", 0)),
            "rows": int(run.stats.get("alinea/database/rows", 0))}


def spread(values: list[float]) -> dict[str, float]:
    return {"median": median(values), "min": min(values), "max": max(values)}


def sink_cost(replica: Replica, server: PostgresServer, runs: int) -> dict:
    times: dict[str, list[float]] = {"jsonl": [], "jsonl+database": []}
    items = 0
    for _ in range(runs):  # taking turns: the machine's load hits both alike
        times["jsonl"].append(crawl(replica, {})["elapsed_s"])
        with_db = crawl(replica, {"ALINEA_DATABASE_URL": server.url(server.new_database())})
        assert with_db["rows"] == with_db["items"], with_db
        times["jsonl+database"].append(with_db["elapsed_s"])
        items = with_db["items"]
    plain, sink = median(times["jsonl"]), median(times["jsonl+database"])
    return {"items": items, "seconds": {name: spread(values) for name, values in times.items()},
            "runs": times, "slower_pct": 100 * (sink / plain - 1), "ms_per_article": 1000 * (sink - plain) / items}


def lookup_times(store, ids: list[str], lookups: int) -> dict[str, float]:
    rng = random.Random(7)
    pages = [rng.sample(ids, PAGE) for _ in range(lookups)]
    best = {"page_us": float("inf"), "article_us": float("inf")}
    for _ in range(5):
        start = time.perf_counter()
        for page in pages:
            store.published(page)
        best["page_us"] = min(best["page_us"], 1e6 * (time.perf_counter() - start) / lookups)
        start = time.perf_counter()
        for page in pages:
            store.published(page[:1])
        best["article_us"] = min(best["article_us"], 1e6 * (time.perf_counter() - start) / lookups)
    return best


def lookups(replica: Replica, server: PostgresServer, tmp: Path, count: int) -> dict:
    rows = [Exported(a.code, replica.url + a.path, "h" * 64, 1, a.published_iso) for a in replica.site.articles]
    ids = [row.article_id for row in rows]
    stores = {"sqlite": open_store(str(tmp / "lookups.sqlite3")), "postgresql": open_store(server.url(server.new_database()))}
    for store in stores.values():
        store.record(rows)
    return {name: lookup_times(store, ids, count) for name, store in stores.items()}


def incremental_runs(replica: Replica, server: PostgresServer, tmp: Path) -> dict:
    states = {"sqlite": str(tmp / "crawl.sqlite3"), "postgresql": server.url(server.new_database())}
    result = {}
    for name, state in states.items():
        settings = {"ALINEA_INCREMENTAL": "1", "ALINEA_STATE_URL": state}
        result[name] = {"first": crawl(replica, settings), "unchanged": crawl(replica, settings)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=2000)
    opts = parser.parse_args()
    bin_dir = binaries()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    server = PostgresServer(bin_dir)
    try:
        server.init()
        with tempfile.TemporaryDirectory() as tmp, Replica(articles=opts.articles, seed=2021) as replica:
            sink = sink_cost(replica, server, opts.runs)
            print_sink(sink)
            state = lookups(replica, server, Path(tmp), opts.lookups)
            print_table(["state", "µs per listing page (10 ids)", "µs per article id"],
                        [[name, t["page_us"], t["article_us"]] for name, t in state.items()])
            runs = incremental_runs(replica, server, Path(tmp))
            print_table(["state", "first run s", "requests", "unchanged run s", "requests"],
                        [[name, r["first"]["elapsed_s"], r["first"]["requests"], r["unchanged"]["elapsed_s"],
                          r["unchanged"]["requests"]] for name, r in runs.items()])
    finally:
        server.remove()
    write_result("database", {"articles": opts.articles, "sink": sink, "lookups": state, "incremental": runs,
                              "postgresql": str(bin_dir)})


def print_sink(sink: dict) -> None:
    print_table(["crawl", "median s", "min", "max"],
                [[name, s["median"], s["min"], s["max"]] for name, s in sink["seconds"].items()])
    print(f"\n{sink['items']} articles: the sink makes the crawl {sink['slower_pct']:.1f}% slower, "
          f"{sink['ms_per_article']:.3f} ms per article\n", flush=True)


if __name__ == "__main__":
    main()
