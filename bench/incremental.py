"""Incremental cost: requests of a first run, a second run over the unchanged replica, and a run after K new articles.

    .venv/bin/python -m bench.incremental [--articles 10000] [--publish 50]

Uses ``-s ALINEA_INCREMENTAL=1 -s ALINEA_STATE_PATH=<temp file>`` (the
``IncrementalMiddleware``: article requests whose id an earlier run exported are
dropped, and so is the next ``POST /more`` of a listing page that shows nothing
new). Requests are counted twice: by the crawler (``downloader/request_count``,
robots.txt included) and by the replica (``/_admin/stats``, per kind).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a file: bench/ first on sys.path would shadow Twisted's "incremental"
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import Replica, print_table, run_crawl, write_result


def counted_run(replica: Replica, state: Path) -> dict:
    before = replica.stats()["by_kind"]
    run = run_crawl(replica.url, settings={"ALINEA_INCREMENTAL": "1", "ALINEA_STATE_PATH": str(state)})
    if run.returncode != 0:
        raise SystemExit(f"crawl failed (rc {run.returncode}):\n{run.log[-2000:]}")
    after = replica.stats()["by_kind"]
    served = {kind: after[kind] - before[kind] for kind in after}
    return {
        "requests": int(run.stats.get("downloader/request_count", 0)),
        "served": served, "items": run.items, "elapsed_s": run.elapsed_s,
        "skipped": int(run.stats.get("alinea/incremental/skipped", 0)),
        "listing_stopped": int(run.stats.get("alinea/incremental/listing_stopped", 0)),
        "recorded": int(run.stats.get("alinea/incremental/recorded", 0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--publish", type=int, default=50)
    opts = parser.parse_args()

    runs = {}
    with tempfile.TemporaryDirectory() as tmp, Replica(articles=opts.articles, seed=2021) as replica:
        state = Path(tmp) / "state.sqlite3"
        runs["first"] = counted_run(replica, state)
        runs["unchanged"] = counted_run(replica, state)
        replica.publish(opts.publish)
        runs[f"after_publish_{opts.publish}"] = counted_run(replica, state)

    print()
    print_table(
        ["run", "requests", "articles", "POST /more", "listings", "items", "skipped", "listing stopped", "s"],
        [[name, r["requests"], r["served"]["article"], r["served"]["more"],
          r["served"]["home"] + r["served"]["section"] + r["served"]["other"],
          r["items"], r["skipped"], r["listing_stopped"], r["elapsed_s"]] for name, r in runs.items()],
    )
    first = runs["first"]["requests"]
    for name, r in list(runs.items())[1:]:
        print(f"{name}: {r['requests']} requests = {r['requests'] / first:.1%} of the first run, {r['items']} items")
    write_result("incremental", {"articles": opts.articles, "published": opts.publish, "runs": runs})


if __name__ == "__main__":
    main()
