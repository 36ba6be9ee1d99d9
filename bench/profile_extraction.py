"""Where extraction spends its time: cProfile over the replica's pages and the 181 real pages.

    .venv/bin/python -m bench.profile_extraction [--articles 300] [--top 25] [--only replica|real]

Runs exactly what ``bench.extraction`` and ``bench.real_pages`` time as "ours" (parse,
every field, body, cleaning) under ``cProfile``, once per page after a warm-up pass,
and prints for each page set the milliseconds per page and the functions with the most
cumulative time. The share of the big stages (parsing, the generic rung's trafilatura,
the body choice, boilerplate removal, the fields) is saved to
``bench/results/profile_extraction[_LABEL].json``. cProfile's own overhead inflates the absolute
figures by ~1.5-2×; the shares are what to read.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
import warnings
from io import StringIO

from bench.common import Replica, write_result
from bench.extraction import WARMUP, fetch_pages
from bench.extraction import ours as ours_replica
from bench.real_pages import load_pages
from bench.real_pages import ours as ours_real

# stage -> (module path fragment, function name) whose cumulative time is the stage's
STAGES = {
    "parse_html": ("pages/common.py", "parse_html"),
    "trafilatura (generic rung)": ("pages/article.py", "trafilatura_paragraphs"),
    "choose_body": ("pages/body.py", "choose_body"),
    "boilerplate elements": ("cleaning.py", "drop_boilerplate_elements"),
    "related links": ("pages/related.py", "related_list"),
    "body text": ("pages/body.py", "text_blocks"),
    "extract (all fields and body)": ("pages/article.py", "extract"),
}


def profile(run, pages) -> tuple[pstats.Stats, float]:
    for url, html in pages:  # warm-up: imports, compiled XPaths, caches
        run(html, url)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for url, html in pages:
        run(html, url)
    profiler.disable()
    ms = (time.perf_counter() - start) * 1000 / len(pages)
    return pstats.Stats(profiler), ms


def stage_shares(stats: pstats.Stats) -> dict[str, float]:
    total = stats.total_tt
    shares = {}
    for stage, (path, name) in STAGES.items():
        cumulative = sum(ct for (file, _, func), (_, _, _, ct, _) in stats.stats.items()
                         if func == name and file.endswith(path))
        shares[stage] = round(cumulative / total, 3)
    return shares


def report(label: str, stats: pstats.Stats, ms: float, top: int) -> dict:
    out = StringIO()
    stats.stream = out
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n=== {label}: {ms:.2f} ms/page under cProfile ===")
    print("\n".join(out.getvalue().splitlines()[6:]))
    shares = stage_shares(stats)
    for stage, share in shares.items():
        print(f"  {stage:32} {share:6.1%}")
    return {"ms_per_page_profiled": round(ms, 3), "stage_share": shares}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", choices=("replica", "real"))
    parser.add_argument("--label", default="", help="saved as results/profile_extraction[_LABEL].json")
    opts = parser.parse_args()
    warnings.filterwarnings("ignore")
    result = {}
    if opts.only != "real":
        with Replica(articles=opts.articles + WARMUP, seed=2021) as replica:
            pages = [(url, html) for url, html, _ in fetch_pages(replica, replica.site.articles[:opts.articles])]
        result["replica"] = report(f"replica, {len(pages)} pages", *profile(ours_replica, pages), opts.top)
    if opts.only != "replica":
        truth, html = load_pages()
        pages = [(truth[key]["url"], html[key]) for key in truth]
        result["real_pages"] = report(f"real pages, {len(pages)}", *profile(ours_real, pages), opts.top)
    write_result("profile_extraction" + (f"_{opts.label}" if opts.label else ""), result)


if __name__ == "__main__":
    main()
