"""WARC: what capture costs, and how fast a dataset is rebuilt from the archive.

    .venv/bin/python -m bench.warc [--capture-articles 2000] [--replay-articles 10000] [--runs 2]
    .venv/bin/python -m bench.warc --make-archive DIR [--replay-articles 10000]
    .venv/bin/python -m bench.warc --archive DIR --baseline-repo CHECKOUT [--earlier-repo CHECKOUT]
        [--reference-repo CHECKOUT] [--runs 3]

1. Capture cost: crawls of a 2,000-article replica (the throughput profile:
   16 requests, 8 per domain, no delay, ``render=never``, ``related_depth=0``)
   without and with ``ALINEA_WARC_DIR``, alternating; pages/s medians, the
   WARC bytes on disk per exported article, and the capture middleware's own
   time per page (timed over the pages just archived).
2. Re-extraction: a 10,000-article replica is crawled once with WARC capture,
   the replica is stopped, and ``-a from_warc=<dir>`` rebuilds the dataset
   (JSON lines) from the archive; articles/s = items / Scrapy's elapsed time.
   Its ratio is given against the unthrottled crawl of the same replica (pages/s
   of step 1's profile) and against the project's polite default profile
   (DOWNLOAD_DELAY 0.5, AutoThrottle, 2 per domain: the speed a real crawl runs
   at), measured for ``--polite-seconds`` on the same replica.
3. ``--archive``: the replay alone, this code against ``--baseline-repo`` (a checkout of the code to
   compare with, e.g. ``git worktree add --detach /tmp/before <commit>``), alternating runs of the
   baseline, this code on one process (``ALINEA_REPLAY_PROCESSES=1``) and this code on every core
   (the default), each with the concurrency its own ``from_warc`` sets (as the user's command runs it:
   the command line sets none of ``REPLAY_OWN``); articles/s = items / the process's wall time
   (start-up and indexing included), and the CPU time of the process and its workers per article
   (steadier than wall time on a shared machine); items compared (all fields but ``scraped_at``) with
   one untimed replay of ``--reference-repo`` (default: the baseline), ledger counts and verdict too.
   ``--earlier-repo``: a later checkout than the baseline (main before the work measured), timed at its
   default in the same runs and compared likewise: what the work measured adds, in the same conditions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from scrapy.http import Headers
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from alinea_crawler.warc import archived_site, warc_paths
from alinea_crawler.warc.capture import WarcCaptureMiddleware
from alinea_crawler.warc.replay import REPLAY_SETTINGS
from bench.common import (BENCH_ARGS, BENCH_PROFILE, REPO, RESULTS, Replica, _run_measured, median, print_table,
                          run_crawl, write_result)
from tests.crawl import scrapy_command

# What every version's from_warc sets itself (its REPLAY_SETTINGS): a compared replay runs each version with
# its own, as `scrapy crawl alinea -a from_warc=…` does, so these are taken out of the command line.
REPLAY_OWN = ("AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN")
POLITE = {"AUTOTHROTTLE_ENABLED": "1", "DOWNLOAD_DELAY": "0.5", "CONCURRENT_REQUESTS": "8",
          "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}  # settings.py's defaults, undoing BENCH_PROFILE


def crawl(replica: Replica, warc_dir: Path | None = None, settings: dict | None = None) -> dict:
    extra = {"ALINEA_WARC_DIR": str(warc_dir)} if warc_dir else {}
    run = run_crawl(replica.url, {**extra, **(settings or {})})
    if run.returncode != 0:
        raise SystemExit(f"crawl failed (rc {run.returncode}):\n{run.log[-2000:]}")
    return {"pages": run.pages, "items": run.items, "elapsed_s": run.elapsed_s,
            "pages_per_s": run.pages / run.elapsed_s, "items_per_s": run.items / run.elapsed_s,
            "warc_bytes": run.stats.get("alinea/warc/bytes", 0), "load_1m_before": os.getloadavg()[0]}


def capture_cost(articles: int, runs: int) -> dict:
    plain, archived = [], []
    with Replica(articles=articles, seed=2021) as replica:
        for n in range(runs):
            plain.append(crawl(replica))
            with tempfile.TemporaryDirectory(prefix="alinea-warc-") as tmp:
                archived.append(crawl(replica, Path(tmp)))
                on_disk = sum(p.stat().st_size for p in Path(tmp).iterdir())
                archive_ms = archiving_ms_per_page(sorted(Path(tmp).iterdir()))
            archived[-1].update(bytes_on_disk=on_disk, archive_ms_per_page=archive_ms)
            print(f"run {n + 1}: without WARC {plain[-1]['pages_per_s']:.1f} pages/s, "
                  f"with WARC {archived[-1]['pages_per_s']:.1f} pages/s", flush=True)
    without, with_warc = (median([r["pages_per_s"] for r in rs]) for rs in (plain, archived))
    per_article = median([r["bytes_on_disk"] / r["items"] for r in archived])
    return {"articles": articles, "pages_per_s_without": without, "pages_per_s_with": with_warc,
            "slowdown": 1 - with_warc / without, "bytes_per_article": per_article,
            "archive_ms_per_page": median([r["archive_ms_per_page"] for r in archived]),
            "raw": {"without": plain, "with": archived}}


def archiving_ms_per_page(files: list[Path]) -> float:
    """What archiving one page costs the crawl process: the capture middleware on the pages just archived.

    Crawl pages/s on this shared 2-core machine move by ±10% between runs, more than
    capture costs; this times the capture work itself (records built, gzip, written).
    """
    pages = [(record.rec_headers.get_header("WARC-Target-URI"), Headers(record.http_headers.headers),
              record.raw_stream.read())
             for path in files for record in ArchiveIterator(path.open("rb")) if record.rec_type == "response"]
    with tempfile.TemporaryDirectory(prefix="alinea-warc-") as out:
        crawler = get_crawler(settings_dict={"ALINEA_WARC_DIR": out})
        crawler.spider = SimpleNamespace(job_id="bench")
        capture = WarcCaptureMiddleware.from_crawler(crawler)
        request_headers = Headers({"User-Agent": "alinea-crawler", "Accept": "text/html"})
        start = time.perf_counter()
        for url, headers, body in pages:
            capture.archive("GET", url, request_headers, b"", {"kind": "article", "via": url}, 200, headers, body, {})
        elapsed = time.perf_counter() - start
        capture.output.close()
    return elapsed / len(pages) * 1000


def polite_pages_per_s(replica: Replica, seconds: int) -> float:
    run = run_crawl(replica.url, {**POLITE, "CLOSESPIDER_TIMEOUT": str(seconds)})
    return run.pages / run.elapsed_s


def reextraction(articles: int, polite_seconds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="alinea-warc-") as tmp:
        warc_dir = Path(tmp) / "warc"
        with Replica(articles=articles, seed=2021, hidden_every=0) as replica:  # every article listed
            online = crawl(replica, warc_dir)
            polite = polite_pages_per_s(replica, polite_seconds)
        # The replica is stopped: every page below comes from the archive.
        # from_warc's own concurrency (REPLAY_SETTINGS), not the crawl profile's
        run = run_crawl(replica.url, {name: str(value) for name, value in REPLAY_SETTINGS.items()},
                        {"from_warc": str(warc_dir)})
        if run.returncode != 0 or run.items != online["items"]:
            raise SystemExit(f"re-extraction failed (rc {run.returncode}, {run.items} items):\n{run.log[-2000:]}")
        archive_bytes = sum(p.stat().st_size for p in warc_dir.iterdir())
    articles_per_s = run.items / run.elapsed_s
    return {"articles": run.items, "archive_bytes": archive_bytes, "elapsed_s": run.elapsed_s,
            "wall_s": run.wall_s,  # the whole process: start-up and reading the archive's index included
            "articles_per_s": articles_per_s, "pages_per_s": run.pages / run.elapsed_s,
            "crawl_pages_per_s": online["pages_per_s"], "polite_crawl_pages_per_s": polite,
            "ratio_vs_crawl": articles_per_s / online["pages_per_s"],
            "ratio_vs_polite_crawl": articles_per_s / polite,
            "missing": run.stats.get("alinea/warc/missing", 0)}


def replay(archive: Path, base_url: str, processes: int | None, repo: Path, workdir: Path) -> dict:
    """One ``-a from_warc`` run of ``repo``'s code (``processes``: ALINEA_REPLAY_PROCESSES, None: not set)."""
    settings = {} if processes is None else {"ALINEA_REPLAY_PROCESSES": str(processes)}
    argv = without_settings(scrapy_command(workdir, {"base_url": base_url, **BENCH_ARGS, "from_warc": str(archive)},
                                           {**BENCH_PROFILE, **settings}), REPLAY_OWN)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code, wall, _, log = _run_measured(argv, False, 900, cwd=repo)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the crawl and the workers it waited for
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    report = json.loads((workdir / "report.json").read_text()) if (workdir / "report.json").exists() else {}
    if code != 0 or not report:
        raise SystemExit(f"replay failed (rc {code}):\n{log[-3000:]}")
    stats = report["stats"]
    items = stats.get("item_scraped_count", 0)
    return {"items": items, "wall_s": wall, "elapsed_s": stats["elapsed_time_seconds"], "cpu_s": cpu,
            "articles_per_s": items / wall, "elapsed_articles_per_s": items / stats["elapsed_time_seconds"],
            "cpu_ms_per_article": cpu / items * 1000,
            "read_by_workers": stats.get("alinea/warc/read_by_workers", 0), "verdict": report["failed"] or "OK",
            "articles": report["articles"], "load_1m_before": load}


def without_settings(argv: list[str], names: tuple[str, ...]) -> list[str]:
    """``argv`` less its ``-s NAME=…`` pairs for these settings."""
    kept: list[str] = []
    for arg in argv:
        if kept and kept[-1] == "-s" and arg.split("=", 1)[0] in names:
            kept.pop()
        else:
            kept.append(arg)
    return kept


def items_without_scraped_at(path: Path) -> dict[str, dict]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {row["article_id"]: {k: v for k, v in row.items() if k != "scraped_at"} for row in rows}


def parallel_replay(archive: Path, baseline: Path, runs: int, reference: Path | None = None,
                    earlier: Path | None = None) -> dict:
    """Today's replay (``baseline``: a checkout of the code before) against this one, one process and the
    default (one worker per core), alternating. Every run of this code is compared with ``reference``'s
    replay (run once, untimed; default: the baseline's first run): the same items but ``scraped_at``, the
    same ledger counts and verdict. The baseline's items are compared with the reference's where it has them
    (an older baseline may lose articles a later fix recovers). ``earlier``: a later checkout than the
    baseline (main before this work), replayed at its default in the same runs and compared as this code is."""
    base_url = archived_site(warc_paths(str(archive)))
    variants = {"baseline": (baseline, None), **({"earlier": (earlier, None)} if earlier else {}),
                "one_process": (REPO, 1), "every_core": (REPO, None)}
    results: dict[str, list[dict]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(prefix="alinea-replay-") as tmp:
        if reference is not None:
            (Path(tmp) / "reference").mkdir()
            expected = replay(archive, base_url, None, reference, Path(tmp) / "reference")
            print(f"reference ({reference}): {expected['items']} articles", flush=True)
        for n in range(runs):
            for name, (repo, processes) in variants.items():
                workdir = Path(tmp) / f"{name}-{n}"
                workdir.mkdir()
                results[name].append(replay(archive, base_url, processes, repo, workdir))
                print(f"run {n + 1} {name}: {results[name][-1]['articles_per_s']:.1f} articles/s "
                      f"({results[name][-1]['wall_s']:.1f} s wall, {results[name][-1]['cpu_s']:.1f} s CPU, "
                      f"load {results[name][-1]['load_1m_before']:.1f})", flush=True)
        if reference is None:
            expected = results["baseline"][0]
        reference_dir = Path(tmp) / ("reference" if reference is not None else "baseline-0")
        wanted = items_without_scraped_at(reference_dir / "items.jsonl")
        replayed = {name: [items_without_scraped_at(Path(tmp) / f"{name}-{n}" / "items.jsonl") for n in range(runs)]
                    for name in variants}
    identical = {name: all(items == wanted for items in replayed[name]) for name in variants if name != "baseline"}
    identical["baseline_where_it_exported"] = all(items.items() <= wanted.items() for items in replayed["baseline"])
    summary = {name: {key: {"median": median([r[key] for r in rs]), "min": min(r[key] for r in rs),
                            "max": max(r[key] for r in rs)}
                      for key in ("articles_per_s", "elapsed_articles_per_s", "cpu_ms_per_article")}
               for name, rs in results.items()}
    ratios = {name: [r["articles_per_s"] / b["articles_per_s"] for r, b in zip(rs, results["baseline"])]
              for name, rs in results.items() if name != "baseline"}
    if earlier:
        gains = [r["articles_per_s"] / e["articles_per_s"] for r, e in zip(results["every_core"], results["earlier"])]
        summary["every_core"]["ratio_vs_earlier"] = {"median": median(gains), "min": min(gains), "max": max(gains)}
    return {"archive": str(archive), "runs": runs, "reference": str(reference or baseline), "summary": summary,
            "ratio_vs_baseline": {name: {"median": median(r), "min": min(r), "max": max(r)}
                                  for name, r in ratios.items()},
            "articles": {"reference": len(wanted), "baseline": [len(items) for items in replayed["baseline"]]},
            "items_identical_to_reference": identical,
            "same_ledger_and_verdict": all(r["articles"] == expected["articles"] and r["verdict"] == "OK"
                                           for name in variants if name != "baseline" for r in results[name]),
            "raw": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capture-articles", type=int, default=2_000)
    parser.add_argument("--replay-articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--polite-seconds", type=int, default=30)
    parser.add_argument("--archive", type=Path, help="replay only: this archive (a from_warc value) ...")
    parser.add_argument("--baseline-repo", type=Path, help="... against the replay of this checkout's code")
    parser.add_argument("--earlier-repo", type=Path,
                        help="... and, timed in the same runs, this checkout's replay at its default (main before "
                             "this work)")
    parser.add_argument("--reference-repo", type=Path,
                        help="... whose replay this code's items, ledger and verdict must equal (default: baseline)")
    parser.add_argument("--make-archive", type=Path,
                        help="only crawl a replica of --replay-articles articles into this WARC folder (an archive "
                             "for --archive: benchmark profile, every article listed)")
    opts = parser.parse_args()
    if opts.make_archive:
        with Replica(articles=opts.replay_articles, seed=2021, hidden_every=0) as replica:
            run = crawl(replica, opts.make_archive.resolve())
        print(f"{run['items']} articles, {run['pages']} pages archived in {opts.make_archive}")
        return
    if opts.archive:
        compare_replays(opts)
        return
    cost = capture_cost(opts.capture_articles, opts.runs)
    replay = reextraction(opts.replay_articles, opts.polite_seconds)

    print()
    print_table(["capture", "pages/s without", "pages/s with", "slowdown", "archiving ms/page", "bytes/article"],
                [[f"{cost['articles']} articles", cost["pages_per_s_without"], cost["pages_per_s_with"],
                  f"{cost['slowdown']:.1%}", cost["archive_ms_per_page"], round(cost["bytes_per_article"])]])
    print()
    print_table(["re-extraction", "elapsed s", "wall s", "articles/s", "crawl pages/s", "ratio", "polite pages/s",
                 "ratio"],
                [[f"{replay['articles']} articles", replay["elapsed_s"], replay["wall_s"], replay["articles_per_s"],
                  replay["crawl_pages_per_s"], replay["ratio_vs_crawl"], replay["polite_crawl_pages_per_s"],
                  replay["ratio_vs_polite_crawl"]]])
    under_a_minute = replay["wall_s"] < 60
    ten_times = replay["ratio_vs_crawl"] >= 10
    print(f"\n{replay['articles']} articles in {replay['wall_s']:.1f} s wall (target < 60 s): {under_a_minute}; "
          f"ratio vs the unthrottled crawl {replay['ratio_vs_crawl']:.2f} (target >= 10): {ten_times}")
    write_result("warc", {"profile": BENCH_PROFILE, "spider_args": {"render": "never", "related_depth": 0},
                          "capture": cost, "reextraction": replay,
                          "targets": {"reextraction_under_60_s": under_a_minute, "ratio_vs_crawl_ge_10": ten_times}})


def compare_replays(opts) -> None:
    if not opts.baseline_repo:
        raise SystemExit("--archive needs --baseline-repo (a checkout of the code to compare with)")
    result = parallel_replay(opts.archive, opts.baseline_repo.resolve(), opts.runs,
                             opts.reference_repo.resolve() if opts.reference_repo else None,
                             opts.earlier_repo.resolve() if opts.earlier_repo else None)
    print()
    print_table(["replay", "articles/s (median, wall)", "min", "max", "elapsed articles/s", "CPU ms/article",
                 "x baseline", "min", "max"],
                [[name, s["articles_per_s"]["median"], s["articles_per_s"]["min"], s["articles_per_s"]["max"],
                  s["elapsed_articles_per_s"]["median"], s["cpu_ms_per_article"]["median"],
                  *(result["ratio_vs_baseline"].get(name, {"median": 1.0, "min": 1.0, "max": 1.0})[k]
                    for k in ("median", "min", "max"))] for name, s in result["summary"].items()])
    print(f"\nitems identical to the reference's ({result['reference']}, {result['articles']['reference']} "
          f"articles; the baseline exported {result['articles']['baseline']}): "
          f"{result['items_identical_to_reference']}")
    print(f"same ledger and verdict as the reference in every run of this code: {result['same_ledger_and_verdict']}")
    if against_earlier := result["summary"]["every_core"].get("ratio_vs_earlier"):
        print(f"every core, x the earlier checkout's replay in the same runs: {against_earlier['median']:.2f} "
              f"({against_earlier['min']:.2f}-{against_earlier['max']:.2f})")
    path = RESULTS / "warc.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    for key in ("benchmark", "date", "machine"):
        previous.pop(key, None)
    write_result("warc", {**previous, "parallel_replay": result})


if __name__ == "__main__":
    main()
