"""Extraction cost in CPU time, robust to a shared machine: ours (and trafilatura) per page, any checkout.

    .venv/bin/python -m bench.cost_ab [--code PATH] [--articles 300] [--repeat 5]

``--code`` is the root of the checkout whose ``alinea_crawler`` is timed (default: this one), so two
versions are compared by running this twice back to back, e.g. ``--code /work/main`` then without it.
Replica pages (every layout, ``Replica(seed=2021)``) and the 181 pages of the shared benchmark go through
``bench.extraction.ours`` / ``bench.real_pages.ours`` of that checkout; on the real pages trafilatura's
``extract`` takes turns with ours page by page. Each page's figure is its minimum CPU time
(``time.process_time``) over ``--repeat`` runs (3 on the real pages): a passing load on the other core
inflates wall-clock figures 2-3x here, CPU minima far less. Prints milliseconds per page; writes nothing.
"""

from __future__ import annotations

import argparse
import importlib
import sys
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
    opts = parser.parse_args()
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
    replica_ms = sum(cpu_minimum(lambda: extraction.ours(html, url), opts.repeat) for url, html in pages)
    print(f"replica, {len(pages)} pages: ours {replica_ms * 1000 / len(pages):.3f} ms/page")

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


if __name__ == "__main__":
    main()
