"""Extraction cost in CPU time, robust to a shared machine: ours (and trafilatura) per page, any checkout.

    .venv/bin/python -m bench.cost_ab [--code PATH] [--articles 300] [--repeat 5]
    .venv/bin/python -m bench.cost_ab --against /work/main [--pairs 3]

``--code`` is the root of the checkout whose ``alinea_crawler`` is timed (default: this one), so two
versions are compared by running this twice back to back, e.g. ``--code /work/main`` then without it.
``--against OTHER`` does exactly that ``--pairs`` times (each run in its own process, the other checkout
first), prints each figure's median (min–max) for both and the ratio pair by pair, and writes
``bench/results/cost_ab.json``.
Replica pages (every layout, ``Replica(seed=2021)``) and the 181 pages of the shared benchmark go through
``bench.extraction.ours`` / ``bench.real_pages.ours`` of that checkout; on the real pages trafilatura's
``extract`` takes turns with ours page by page. The replica's figure is also given per layout and for the
known layouts together (every layout but the generic one). Each page's figure is its minimum CPU time
(``time.process_time``) over ``--repeat`` runs (3 on the real pages): a passing load on the other core
inflates wall-clock figures 2-3x here, CPU minima far less. Prints milliseconds per page; a single run
writes nothing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path


def cpu_minimum(run, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, help="checkout whose alinea_crawler is timed (default: this one)")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", type=Path, help="the other checkout: run both in turns, --pairs times")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # one run's figures, for --against
    opts = parser.parse_args()
    if opts.against:
        return in_pairs(opts)
    warnings.filterwarnings("ignore")
    if opts.code:  # its alinea_crawler and bench first on the path (the replica is the same code either way)
        sys.path.insert(0, str(opts.code.resolve()))
    from bench.common import Replica

    extraction, real_pages = importlib.import_module("bench.extraction"), importlib.import_module("bench.real_pages")
    print("code:", Path(importlib.import_module("alinea_crawler").__file__).parent.parent)

    with Replica(articles=opts.articles, seed=2021) as replica:
        pages = []
        for article in replica.site.articles[:opts.articles]:
            with urllib.request.urlopen(replica.url + article.path, timeout=10) as response:
                pages.append((replica.url + article.path, response.read().decode("utf-8")))
    for url, html in pages[:20]:  # warm-up
        extraction.ours(html, url)
    article, common = (importlib.import_module(f"alinea_crawler.pages.{name}") for name in ("article", "common"))
    by_layout: dict[str, list[float]] = {}
    for url, html in pages:
        layout = article.pick_layout(common.parse_html(html), url).name
        by_layout.setdefault(layout, []).append(cpu_minimum(lambda: extraction.ours(html, url), opts.repeat))
    replica_ms = sum(map(sum, by_layout.values()))
    known = [ms for layout, times in by_layout.items() if layout != "generic" for ms in times]
    print(f"replica, {len(pages)} pages: ours {replica_ms * 1000 / len(pages):.3f} ms/page; known layouts "
          f"({len(known)} pages) {sum(known) * 1000 / len(known):.3f}; "
          + ", ".join(f"{layout} ({len(times)}) {sum(times) * 1000 / len(times):.3f}"
                      for layout, times in sorted(by_layout.items())))

    truth, html_of = real_pages.load_pages()
    ours_min: dict[str, float] = {}
    theirs_min: dict[str, float] = {}
    for _ in range(3):
        for key, gold in truth.items():
            ours_min[key] = min(ours_min.get(key, float("inf")),
                                cpu_minimum(lambda: real_pages.ours(html_of[key], gold["url"]), 1))
            theirs_min[key] = min(theirs_min.get(key, float("inf")),
                                  cpu_minimum(lambda: real_pages.trafilatura_default(html_of[key], gold["url"]), 1))
    ours_ms, theirs_ms = (sum(m.values()) * 1000 / len(truth) for m in (ours_min, theirs_min))
    print(f"real pages, {len(truth)}: ours {ours_ms:.2f} ms/page, trafilatura {theirs_ms:.2f} ms/page, "
          f"ratio {ours_ms / theirs_ms:.2f}")
    if opts.json:
        figures = {"known-layout replica page": sum(known) * 1000 / len(known),
                   "every replica page": replica_ms * 1000 / len(pages),
                   **{f"replica {layout} page": sum(t) * 1000 / len(t) for layout, t in sorted(by_layout.items())},
                   "real page, ours": ours_ms, "real page, trafilatura": theirs_ms,
                   "real page, ours / trafilatura": ours_ms / theirs_ms}
        opts.json.write_text(json.dumps(figures))


def in_pairs(opts: argparse.Namespace) -> None:
    """``--pairs`` runs of the other checkout and of this one in turns; medians, ranges, pair ratios."""
    from bench.common import REPO, median, write_result

    runs: dict[str, list[dict[str, float]]] = {"other": [], "this": []}
    with tempfile.TemporaryDirectory(prefix="cost-ab-") as scratch:
        for pair in range(opts.pairs):
            for side, code in (("other", opts.against), ("this", REPO)):
                out = Path(scratch) / f"{side}-{pair}.json"
                subprocess.run([sys.executable, "-m", "bench.cost_ab", "--code", str(code), "--json", str(out),
                                "--articles", str(opts.articles), "--repeat", str(opts.repeat)],
                               cwd=REPO, check=True)
                runs[side].append(json.loads(out.read_text()))
    table = {}
    print(f"\n{opts.pairs} pairs, CPU ms/page, median (min-max): {opts.against.resolve()} | this code | ratio")
    for name in runs["this"][0]:
        other, this = ([run[name] for run in runs[side]] for side in ("other", "this"))
        ratios = [t / o for o, t in zip(other, this)]
        table[name] = {side: {"median": median(values), "min": min(values), "max": max(values), "runs": values}
                       for side, values in (("other", other), ("this", this))}
        table[name]["ratio"] = {"median": median(ratios), "min": min(ratios), "max": max(ratios)}
        print(f"  {name:34} {median(other):7.3f} ({min(other):.3f}-{max(other):.3f}) | {median(this):7.3f} "
              f"({min(this):.3f}-{max(this):.3f}) | {median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})")
    write_result("cost_ab", {"command": f"bench.cost_ab --against {opts.against} --pairs {opts.pairs}",
                             "other": str(opts.against.resolve()), "figures": table})


if __name__ == "__main__":
    main()
