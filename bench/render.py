"""Rendering cost: a crawl in render=auto against render=never, and the browser's start-up apart.

    .venv/bin/python -m bench.render [--articles 1000] [--runs 3] [--baseline-repo CHECKOUT]

The replica has half its articles fill "Berita Lainnya" with JavaScript and every 8th reachable only
from such a list (``related_depth=1``): ``auto`` renders one page, learns the list's endpoint from
it and asks the endpoint for the other lists (so it fetches more than ``never`` and exports the
JavaScript-only articles too). Runs alternate (never, auto, ...), each against a fresh replica
server; times are the crawl process's wall time (start-up included). The browser's start-up
(Playwright launching Chromium with the crawl's launch options, until a page is open) is timed
on its own, as often as the crawls. With ``--baseline-repo``, each run also crawls in ``auto`` with that
checkout's code (an earlier commit: ``git worktree add --detach /tmp/before <commit>``), measured against
the same run's ``never`` and start-up: before and after at the same load. Each crawl's CPU wait (its
main thread ready to run, waiting for a core) is recorded, and the ratio printed again with every crawl's
wall time less that wait, a figure other work on a shared machine moves much less; the target is judged
on wall time.

Targets: issue #4, fewer than 5% of article pages rendered; issue #20, ``auto`` within
1.25 × ``never`` + the browser's start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
from pathlib import Path

import psutil

from alinea_crawler.rendering import find_browser, launch_options
from bench.common import REPO, Replica, median, print_table, run_crawl, write_result

TARGET = 1.25


class CpuWait:
    """Seconds the crawl process's main thread spent ready to run but waiting for a CPU (Linux
    /proc/<pid>/schedstat, read every 50 ms until it exits): what other work on the machine added."""

    def __init__(self):
        self.seconds = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def __enter__(self) -> CpuWait:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()

    def watch(self) -> None:
        while not self.done.wait(0.05):
            for child in psutil.Process().children():
                try:
                    if "crawl" in child.cmdline():
                        self.seconds = int(Path(f"/proc/{child.pid}/schedstat").read_text().split()[1]) / 1e9
                except (psutil.Error, OSError):
                    pass


def measure(articles: int, render: str, repo: Path = REPO) -> dict:
    with Replica(articles=articles, hidden_every=8) as replica, CpuWait() as waited:
        run = run_crawl(replica.url, spider_args={"render": render, "related_depth": "1"}, repo=repo)
    if run.returncode != 0:
        raise SystemExit(f"render={render} crawl of {repo} failed:\n{run.log[-2000:]}")
    stats = run.stats
    requested = stats.get("alinea/articles/requested", 0)
    rendered = stats.get("alinea/render/pages", 0)
    return {"render": render, "items": run.items, "pages": run.pages, "wall_s": round(run.wall_s, 2),
            "elapsed_s": round(run.elapsed_s, 2), "cpu_wait_s": round(waited.seconds, 2),
            "article_pages": requested, "rendered": rendered,
            "rendered_share": round(rendered / requested, 4) if requested else 0.0,
            "endpoint_used": stats.get("alinea/render/endpoint_used", 0),
            # times the crawl had nothing else to do while a page rendered (the browser then at its priority)
            "browser_foreground": stats.get("alinea/render/browser_foreground", 0)}


def browser_startup() -> float:
    """Seconds from nothing to an open page in the crawl's Chromium (Playwright's driver included)."""
    from playwright.async_api import async_playwright

    executable, _ = find_browser(None)

    async def launch() -> float:
        start = time.perf_counter()
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**launch_options(executable))
            page = await browser.new_page()
            elapsed = time.perf_counter() - start
            await page.close()
            await browser.close()
        return elapsed

    return asyncio.run(launch())


def budget_shares(never: list[dict], auto: list[dict], startup: list[float], waits: bool = False) -> list[float]:
    """Each run's auto time over its own budget: 1.25 x that run's never + the start-up measured right after.

    ``waits``: the crawls' times less their CPU waits (``CpuWait``), a figure less moved by other work on
    the machine (the start-up is taken as measured, waits included: that errs in auto's favour)."""
    def crawl_time(run: dict) -> float:
        return run["wall_s"] - run["cpu_wait_s"] if waits else run["wall_s"]

    return [crawl_time(a) / (TARGET * crawl_time(n) + s) for n, a, s in zip(never, auto, startup)]


def spread(values: list[float]) -> dict[str, float]:
    return {"median": median(values), "min": min(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="after", help="the key in results/render.json (before, after)")
    parser.add_argument("--baseline-repo", type=Path,
                        help="also crawl in auto with this checkout's code, in the same runs (before/after)")
    args = parser.parse_args()
    never, auto, baseline, startup, loads = [], [], [], [], []  # loads: 1-minute load average after each run
    for n in range(args.runs):
        never.append(measure(args.articles, "never"))
        auto.append(measure(args.articles, "auto"))
        if args.baseline_repo:
            before = measure(args.articles, "auto", args.baseline_repo.resolve())
            baseline.append({**before, "render": "auto, baseline"})
        startup.append(browser_startup())
        loads.append(round(os.getloadavg()[0], 2))
        print(f"run {n + 1}: never {never[-1]['wall_s']} s, auto {auto[-1]['wall_s']} s, "
              + (f"baseline auto {baseline[-1]['wall_s']} s, " if baseline else "")
              + f"browser start-up {startup[-1]:.2f} s; load {loads[-1]}", flush=True)
    columns = list(never[0])
    print_table(columns, [[row[c] for c in columns] for row in [*never, *auto, *baseline]])
    shares = budget_shares(never, auto, startup)
    ratios = [a["wall_s"] / n["wall_s"] for n, a in zip(never, auto)]
    summary = {
        "never_wall_s": median([r["wall_s"] for r in never]), "auto_wall_s": median([r["wall_s"] for r in auto]),
        "browser_startup_s": median(startup), "startup_range_s": [min(startup), max(startup)],
        "auto_over_never": spread(ratios), "auto_over_budget": spread(shares),
        "auto_over_budget_less_cpu_waits": spread(budget_shares(never, auto, startup, waits=True)),
        "rendered_share": max(r["rendered_share"] for r in auto),
    }
    if baseline:
        summary["baseline_auto_wall_s"] = median([r["wall_s"] for r in baseline])
        summary["baseline_auto_over_budget"] = spread(budget_shares(never, baseline, startup))
        summary["baseline_auto_over_budget_less_cpu_waits"] = spread(budget_shares(never, baseline, startup, True))
    for name, key in (("", "auto_over_budget"), ("baseline ", "baseline_auto_over_budget")):
        if key in summary:
            wall, less = summary[key], summary[f"{key}_less_cpu_waits"]
            print(f"\n{name}auto / (1.25 x never + start-up): {wall['median']:.2f} "
                  f"({wall['min']:.2f}-{wall['max']:.2f}); "
                  f"less the crawls' CPU waits {less['median']:.2f} ({less['min']:.2f}-{less['max']:.2f})", end="")
    print()
    print(f"\nbrowser start-up {summary['browser_startup_s']:.2f} s ({min(startup):.2f}-{max(startup):.2f}); "
          f"auto / never {summary['auto_over_never']['median']:.2f} ({min(ratios):.2f}-{max(ratios):.2f}); "
          f"auto / (1.25 x never + start-up) {summary['auto_over_budget']['median']:.2f} "
          f"({min(shares):.2f}-{max(shares):.2f}), target <= 1; "
          f"{summary['rendered_share']:.2%} of article pages rendered (target < 5%)")
    write_result("render", {"articles": args.articles, "runs": args.runs, "label": args.label, "summary": summary,
                            "met": summary["auto_over_budget"]["median"] <= 1 and summary["rendered_share"] < 0.05,
                            "baseline_repo": str(args.baseline_repo or ""),
                            "raw": {"never": never, "auto": auto, "baseline_auto": baseline,
                                    "browser_startup_s": startup, "load_1m": loads}})


if __name__ == "__main__":
    main()
