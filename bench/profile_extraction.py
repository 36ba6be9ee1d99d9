"""Where extraction spends its time: cProfile over the replica's pages and the 181 real pages.

    .venv/bin/python -m bench.profile_extraction [--articles 300] [--top 25] [--only replica|real]
    .venv/bin/python -m bench.profile_extraction --stages [--only real] [--code CHECKOUT] [--label NAME]
    .venv/bin/python -m bench.profile_extraction --reading

Runs exactly what ``bench.extraction`` and ``bench.real_pages`` time as "ours" (parse,
every field, body, cleaning) under ``cProfile``, once per page after a warm-up pass,
and prints for each page set the milliseconds per page and the functions with the most
cumulative time. The share of the big stages (parsing, the generic rung's trafilatura,
the body choice, boilerplate removal, the fields) is saved to
``bench/results/profile_extraction[_LABEL].json``. cProfile's own overhead inflates the absolute
figures by ~1.5-2×; the shares are what to read.

``--stages`` times each stage of a known-layout replica page instead (no profiler): parsing, the layout
choice, structured data, the body choice, the related links, each field, the body read, the cleaning
pipeline's part, each stage's minimum CPU time over 7 runs of the page, summed over the known-layout
pages (``--only real``: over the 181 real pages instead, every rung); ``--code`` times another checkout's
``alinea_crawler`` (run it both ways, back to back). Saved to
``bench/results/profile_extraction_stages[_real][_LABEL].json``.

``--reading`` times trafilatura's fast reading of the copies the generic rung hands it on the 181 real
pages: its ``extract`` and ``trafilatura_reading.fast_reading`` taking turns page by page (each page's
minimum CPU time over 3 turns), and checks that every text is the same. Saved to
``bench/results/profile_extraction_reading[_LABEL].json``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
import warnings
from io import StringIO

import sys
from collections import defaultdict
from pathlib import Path

from bench.common import Replica, write_result

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


def stage_times(pages: list[tuple[str, str]], known_only: bool = True) -> dict[str, float]:
    """µs per page of each stage (known-layout pages only, or every page): its minimum CPU time over 7 runs of the
    page, summed."""
    from alinea_crawler.cleaning import clean_paragraphs
    from alinea_crawler.dates import parse_id_datetime
    from alinea_crawler.pages.article import FIELDS, ArticlePage, pick_layout
    from alinea_crawler.pages.common import parse_html
    from alinea_crawler.pipelines import split_authors

    def stages(url: str, html: str) -> dict[str, float]:
        clock, times = time.process_time, {}
        start = clock()
        sel = parse_html(html)
        times["parse"], start = clock() - start, clock()
        page = pick_layout(sel, url)
        times["layout choice"], start = clock() - start, clock()
        page.is_article()
        times["JSON-LD and meta (is_article)"], start = clock() - start, clock()
        item = ArticlePage(url=page.url, article_id=None, section=None, layout=page.name, title=None, lead=None,
                           authors=[], editor=None, published_at_raw=None, modified_at_raw=None, tags=[],
                           image_url=None, image_caption=None, body=None, related_urls=[], related_pending=False)
        times["url"], start = clock() - start, clock()
        _ = page._candidate  # cached properties: each read once here
        times["body choice"], start = clock() - start, clock()
        _ = page._related
        times["related links"], start = clock() - start, clock()
        for name in FIELDS:
            page._read(item, name, getattr(page, name))
            times[name], start = clock() - start, clock()
        page._read(item, "body", lambda: page._body(item))
        times["body read"], start = clock() - start, clock()
        if item.body:
            clean_paragraphs(item.body.split("\n\n"))
        split_authors(item.authors)
        parse_id_datetime(item.published_at_raw)
        times["cleaning pipeline's part"] = clock() - start
        return times

    known = [(url, html) for url, html in pages
             if not known_only or pick_layout(parse_html(html), url).name != "generic"]
    totals: dict[str, float] = defaultdict(float)
    for url, html in known:
        best: dict[str, float] = {}
        for _ in range(7):
            for stage, seconds in stages(url, html).items():
                best[stage] = min(best.get(stage, seconds), seconds)
        for stage, seconds in best.items():
            totals[stage] += seconds
    return {stage: round(seconds * 1e6 / len(known), 1) for stage, seconds in totals.items()}


def reading_times(pages: list[tuple[str, str]]) -> dict:
    """trafilatura's fast reading of the pages the generic rung hands it (its copy, ``html_tree``): its own
    ``extract(fast=True, include_comments=False)`` and ``trafilatura_reading.fast_reading`` taking turns page by
    page, each page's minimum CPU time over 3 turns, and whether every text is the same."""
    import trafilatura

    from alinea_crawler.pages import article
    from alinea_crawler.pages.trafilatura_reading import fast_reading
    from bench.real_pages import ours

    handed: list[tuple[object, str]] = []  # both readings leave the copy as it was: kept as the rung made it
    rung_copy = article.html_tree

    def recorded(root: object) -> object:
        handed.append((rung_copy(root), url))
        return handed[-1][0]

    article.html_tree = recorded
    try:
        for url, html in pages:
            ours(html, url)
    finally:
        article.html_tree = rung_copy
    readings = {"extract": lambda tree, url: trafilatura.extract(tree, url=url, fast=True, include_comments=False),
                "fast_reading": fast_reading}
    best = {name: [float("inf")] * len(handed) for name in readings}
    same = True
    for _ in range(3):
        for index, (tree, url) in enumerate(handed):
            texts = []
            for name, read in readings.items():
                start = time.process_time()
                texts.append(read(tree, url))
                best[name][index] = min(best[name][index], time.process_time() - start)
            same = same and texts[0] == texts[1]
    ms = {name: round(sum(times) * 1000 / len(handed), 3) for name, times in best.items()}
    return {"pages": len(handed), "ms_per_page": ms, "ratio": round(ms["fast_reading"] / ms["extract"], 3),
            "same_text": same}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", choices=("replica", "real"))
    parser.add_argument("--label", default="", help="saved as results/profile_extraction[_LABEL].json")
    parser.add_argument("--stages", action="store_true", help="time each stage of a known-layout replica page")
    parser.add_argument("--code", type=Path, help="with --stages: checkout whose alinea_crawler is timed")
    parser.add_argument("--reading", action="store_true",
                        help="time trafilatura's fast reading of the real pages' generic rung, its extract and ours")
    opts = parser.parse_args()
    warnings.filterwarnings("ignore")
    if opts.code:  # its alinea_crawler first on the path (the replica is the same code either way)
        sys.path.insert(0, str(opts.code.resolve()))
    from bench.extraction import WARMUP, fetch_pages
    from bench.extraction import ours as ours_replica
    from bench.real_pages import load_pages
    from bench.real_pages import ours as ours_real

    if opts.reading:
        truth, html = load_pages()
        figures = reading_times([(truth[key]["url"], html[key]) for key in truth])
        print(f"trafilatura's fast reading of {figures['pages']} generic real pages, CPU ms/page: extract "
              f"{figures['ms_per_page']['extract']}, fast_reading {figures['ms_per_page']['fast_reading']} "
              f"({figures['ratio']}x), same text: {figures['same_text']}")
        write_result("profile_extraction_reading" + (f"_{opts.label}" if opts.label else ""), figures)
        return
    if opts.stages:
        if opts.only == "real":
            truth, html = load_pages()
            pages, known_only, what = [(truth[key]["url"], html[key]) for key in truth], False, "real page"
        else:
            with Replica(articles=opts.articles + WARMUP, seed=2021) as replica:
                pages = [(url, html) for url, html, _ in fetch_pages(replica, replica.site.articles[:opts.articles])]
            known_only, what = True, "known-layout page"
        times = stage_times(pages, known_only)
        code = Path(sys.modules["alinea_crawler"].__file__).parent.parent
        for stage, us in times.items():
            print(f"  {stage:32} {us:7.1f} µs")
        print(f"  {'sum':32} {sum(times.values()):7.1f} µs per {what} ({code})")
        write_result("profile_extraction_stages" + ("_real" if opts.only == "real" else "")
                     + (f"_{opts.label}" if opts.label else ""),
                     {"code": str(code), f"us_per_{what.replace(' ', '_').replace('-', '_')}": times,
                      "sum_us": round(sum(times.values()), 1)})
        return
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
