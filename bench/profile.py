"""Where a crawled page's time goes: the crawl of a 2,000-article replica sampled with py-spy.

    .venv/bin/python -m bench.profile [--articles 2000] [--rate 250] [--label after]

The crawl is the benchmark profile of ``bench/throughput.py`` (politeness off, 16/8
concurrency, ``render=never``, ``related_depth=0``, JSON-lines export). py-spy samples
the ``scrapy crawl`` process from outside (its own cost lands on no category; idle time
is not sampled, so the figures are CPU time). Each sample is charged to the innermost
frame of its stack that belongs to a component (``CATEGORIES``, first rule that
matches wins): lxml's xpath called from ``pages/`` is extraction, ``find_datetime``
called from the cleaning pipeline is dates, a ``stats.inc_value`` called from the
ledger is stats. ms/page = category CPU seconds / ``response_received_count``.
Start-up (every import, and whatever runs outside the reactor's loop: settings, components,
the shutdown after it) is its own category: a cost per crawl, not per page.
Results: ``bench/results/profile.json`` under the given ``--label`` (before / after).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.common import BENCH_ARGS, BENCH_PROFILE, RESULTS, Replica, _run_measured, print_table, write_result
from tests.crawl import scrapy_command

# (category, regular expression on "function (file:line)"): the innermost matching frame names the category.
CATEGORIES: list[tuple[str, str]] = [
    ("dates", r"alinea_crawler/dates\.py"),
    ("cleaning", r"alinea_crawler/cleaning\.py"),
    ("hashing", r"\bcontent_hash\b|hashlib|scrapy/utils/request\.py"),
    ("parse", r"\bparse_html\b|lxml/html/|trafilatura/utils\.py.*load_html|\bload_html\b"),
    ("extraction", r"alinea_crawler/pages/|trafilatura/|parsel/"),
    ("ledger", r"alinea_crawler/ledger\.py"),
    ("stats", r"scrapy/statscollectors\.py|alinea_crawler/stats\.py|scrapy/extensions/corestats\.py"),
    ("feed export", r"scrapy/extensions/feedexport\.py|scrapy/exporters\.py|alinea_crawler/exporters\.py"),
    ("logging", r"logging/|scrapy/logformatter\.py|alinea_crawler/logformatter\.py|scrapy/utils/log\.py"),
    ("quality check", r"spidermon/|alinea_crawler/monitors\.py"),
    ("pipelines", r"alinea_crawler/pipelines\.py|itemadapter/"),
    ("spider", r"alinea_crawler/spiders/|alinea_crawler/urls\.py"),
    ("download handling", r"scrapy/core/downloader/|scrapy/downloadermiddlewares/|alinea_crawler/middlewares\.py|"
                          r"alinea_crawler/warc\.py|twisted/web/|scrapy/http/|w3lib/|scrapy/responsetypes\.py|"
                          r"twisted/internet/tcp\.py|scrapy/robotstxt\.py|protego"),
]
RULES = [(name, re.compile(pattern)) for name, pattern in CATEGORIES]
OTHER = "engine/other"
STARTUP = "start-up"
THREADS = "other threads"
IDLE = re.compile(r"^(Condition\.wait|Queue\.get|EpollSelector\.select) ")
IMPORT = re.compile(r"<frozen importlib")
EVENT_LOOP = re.compile(r"run_forever|Reactor\.run ")  # the crawl proper runs inside the reactor's loop


def category(stack: list[str]) -> str:
    """An import anywhere, or anything outside the reactor's loop, is start-up; else the innermost component."""
    if stack[0].startswith("Thread._bootstrap "):  # a helper thread (Twisted's thread pool, a process pool's)
        return THREADS
    if any(IMPORT.search(frame) for frame in stack) or not any(EVENT_LOOP.search(frame) for frame in stack):
        return STARTUP
    for frame in reversed(stack):
        for name, rule in RULES:
            if rule.search(frame):
                return name
    return OTHER


def read_samples(path: Path) -> tuple[Counter[str], int]:
    """py-spy's raw (collapsed) output, ``frame;frame;... count`` per line: samples per category, and
    samples left out (a thread-pool thread waiting for work, which py-spy does not always see as
    idle; a stack without Python frames)."""
    counts: Counter[str] = Counter()
    left_out = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if not stack.strip() or IDLE.search(frames[-1]):
            left_out += int(n)
        else:
            counts[category(frames)] += int(n)
    return counts, left_out


def profile(articles: int, rate: int, keep: Path | None = None) -> dict:
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    with tempfile.TemporaryDirectory(prefix="alinea-profile-") as tmp, Replica(articles=articles, seed=2021) as replica:
        workdir = Path(tmp)
        crawl = scrapy_command(workdir, {"base_url": replica.url, **BENCH_ARGS}, BENCH_PROFILE)
        stacks = workdir / "stacks.txt"
        code, wall, _, log = _run_measured([pyspy, "record", "--format", "raw", "--rate", str(rate),
                                            "--output", str(stacks), "--", *crawl], False, 600)
        if code != 0:
            raise SystemExit(f"profiled crawl failed (rc {code}):\n{log[-3000:]}")
        stats = json.loads((workdir / "report.json").read_text())["stats"]
        counts, left_out = read_samples(stacks)
        if keep:
            shutil.copy(stacks, keep)
    pages = int(stats["response_received_count"])
    total = sum(counts.values())
    rows = {name: {"samples": counts.get(name, 0), "cpu_s": round(counts.get(name, 0) / rate, 3),
                   "share": round(counts.get(name, 0) / total, 4),
                   "ms_per_page": round(counts.get(name, 0) / rate * 1000 / pages, 3)}
            for name in [STARTUP, *(n for n, _ in CATEGORIES), OTHER, THREADS]}
    per_page = sum(r["ms_per_page"] for n, r in rows.items() if n not in (STARTUP, THREADS))
    return {"articles": articles, "rate_hz": rate, "pages": pages, "items": stats.get("item_scraped_count"),
            "wall_s": round(wall, 2), "elapsed_s": stats.get("elapsed_time_seconds"),
            "cpu_s": round(total / rate, 2), "left_out_s": round(left_out / rate, 2),
            "ms_per_page_without_startup": round(per_page, 3),
            "categories": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--label", default="after", help="the key in results/profile.json (before, after)")
    parser.add_argument("--stacks", type=Path, help="keep py-spy's raw stacks here (for a flame graph, or a look)")
    opts = parser.parse_args()
    result = profile(opts.articles, opts.rate, opts.stacks)
    print_table(["category", "CPU s", "share", "ms/page"],
                [[name, r["cpu_s"], f"{r['share']:.1%}", r["ms_per_page"]] for name, r in result["categories"].items()])
    print(f"\n{result['pages']} pages, {result['items']} items, {result['cpu_s']} s CPU sampled, "
          f"{result['wall_s']} s wall (process), {result['elapsed_s']} s spider open to close; "
          f"{result['ms_per_page_without_startup']} ms CPU per page besides start-up")
    path = RESULTS / "profile.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    measured = {**previous.get("measured", {}), opts.label: result}
    write_result("profile", {"categories_rules": CATEGORIES, "measured": measured})


if __name__ == "__main__":
    main()
