"""PostgreSQL costs: the database sink against JSON Lines alone, and state lookups, PostgreSQL vs SQLite.

    .venv/bin/python -m bench.database [--articles 2000] [--runs 3] [--lookups 2000]

Starts its own PostgreSQL (``tests/postgres.py``: initdb + pg_ctl as the
``postgres`` user on a free loopback port; run as root, as CI does) with its
defaults except ``fsync=off``, like the tests (the figure is the sink's CPU and
round trips, not this machine's disk).

1. Sink: a full crawl of the replica exporting JSON Lines, with and without
   ``ALINEA_DATABASE_URL`` (a fresh database each run), taking turns, ``--runs``
   each; medians of Scrapy's ``elapsed_time_seconds`` with min and max. And
   the cost per article without the crawl around it: every replica article
   through the JSON Lines exporter's ``export_item``, through
   ``DatabasePipeline.process_item`` (the work left in the crawl's thread), and
   written in batches of 100 (``DatabasePipeline.write``, which a crawl runs in
   a pool thread), taking turns, best of ``--runs``.
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

from alinea_crawler.database import DatabasePipeline
from alinea_crawler.exporters import FlushingJsonLinesItemExporter
from alinea_crawler.items import FIELD_NAMES
from alinea_crawler.state import Exported, open_store
from scrapy.utils.test import get_crawler

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


def replica_items(replica: Replica) -> list[dict]:
    """Every listed article as the crawl exports it (the fields the replica does not model: plausible values)."""
    items = []
    for article in replica.site.listed_articles:
        item = dict.fromkeys(FIELD_NAMES) | replica.site.expected_item(article, replica.url)
        item.update(word_count=len(item["body"].split()), revision=1, content_hash="0" * 64,
                    scraped_at="2026-12-04T20:00:00+00:00", language="id", source="alinea.id")
        items.append(item)
    return items


def per_article_cost(items: list[dict], server: PostgresServer, tmp: Path, runs: int) -> dict:
    """µs per article: the JSON Lines exporter, the sink's work in the crawl's thread, its writes (wall, and the
    CPU they take in this process: what a crawl host pays when PostgreSQL runs elsewhere)."""
    best = dict.fromkeys(("jsonl_us", "sink_in_crawl_thread_us", "sink_write_us", "sink_write_client_cpu_us"),
                         float("inf"))
    for n in range(runs):
        with open(tmp / f"bench-{n}.jsonl", "wb") as file:
            exporter = FlushingJsonLinesItemExporter(file)
            start = time.perf_counter()
            for item in items:
                exporter.export_item(item)
            best["jsonl_us"] = min(best["jsonl_us"], 1e6 * (time.perf_counter() - start) / len(items))
        crawler = get_crawler(settings_dict={"ALINEA_DATABASE_URL": server.url(server.new_database()),
                                             "ALINEA_DATABASE_BATCH": len(items) + 1})  # no write while timed
        crawler.spider = type("Spider", (), {"job_id": "bench"})()
        pipeline = DatabasePipeline.from_crawler(crawler)  # connects and creates the tables: not timed
        start = time.perf_counter()
        for item in items:
            pipeline.process_item(item)
        best["sink_in_crawl_thread_us"] = min(best["sink_in_crawl_thread_us"],
                                              1e6 * (time.perf_counter() - start) / len(items))
        rows, start, cpu = pipeline.batch, time.perf_counter(), time.thread_time()
        for first in range(0, len(rows), 100):  # the default ALINEA_DATABASE_BATCH
            pipeline.write(rows[first:first + 100])
        best["sink_write_us"] = min(best["sink_write_us"], 1e6 * (time.perf_counter() - start) / len(items))
        best["sink_write_client_cpu_us"] = min(best["sink_write_client_cpu_us"],
                                               1e6 * (time.thread_time() - cpu) / len(items))
        pipeline.conn.close()
    return {"articles": len(items), **best}


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
            sink["per_article"] = per_article_cost(replica_items(replica), server, Path(tmp), opts.runs)
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
    cost = sink["per_article"]
    print(f"\n{sink['items']} articles: with the sink the crawl took {sink['slower_pct']:+.1f}% "
          f"({sink['ms_per_article']:+.3f} ms per article)")
    print(f"per article, {cost['articles']} articles: JSON Lines exporter {cost['jsonl_us']:.1f} µs; database sink "
          f"{cost['sink_in_crawl_thread_us']:.1f} µs in the crawl's thread + {cost['sink_write_us']:.1f} µs of "
          f"writing in a pool thread, of which {cost['sink_write_client_cpu_us']:.1f} µs CPU in the crawl's process\n",
          flush=True)


if __name__ == "__main__":
    main()
