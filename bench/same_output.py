"""Same output, other code: every field of an article page's reading and pagers on every page at hand, two
checkouts compared.

    .venv/bin/python -m bench.same_output --code /work/main [--articles 300]

A speed change must change no output. The pages: the replica's article pages (``Replica(seed=2021)``, every
layout, as ``bench.cost_ab`` times them), the 181 pages of the shared benchmark (``bench.real_pages``) and
every WCXB page unpacked under ``~/.cache/alinea-bench`` (both splits, every page type: ``bench.corpus``).
Each checkout reads all of them in its own process (``--code``'s ``alinea_crawler`` first on the path, then
this one's): ``read_article_page`` on ``parse_html`` (the crawl's and the replay workers' reading), every
field of the ``ArticlePage`` (body, sources, errors, boilerplate counts, related links) and of the page's
``ArticlePager``, the page's ``next_listing_url`` (read first, as a listing's pager), the cleaning pipeline's
``clean_paragraphs`` of the body and ``parse_id_datetime`` of both dates. Prints the pages compared per set
and every page whose output differs (first differing field); exit 1 when one does. Writes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import subprocess
import sys
import tempfile
import urllib.request
import warnings
from pathlib import Path

from bench.common import REPO

Pages = dict[str, list[tuple[str, str, str]]]  # page set -> (key, url, html)


def collect_pages(articles: int) -> Pages:
    from bench.common import Replica
    from bench.corpus import corpus_dir
    from bench.corpus import load_pages as wcxb_pages
    from bench.real_pages import load_pages as benchmark_pages

    with Replica(articles=articles, seed=2021) as replica:
        replica_pages = []
        for article in replica.site.articles[:articles]:
            with urllib.request.urlopen(replica.url + article.path, timeout=10) as response:
                replica_pages.append((article.path, replica.url + article.path, response.read().decode("utf-8")))
    truth, html = benchmark_pages()
    wcxb_truth, wcxb_html = wcxb_pages(corpus_dir(None), "all", "all", None)
    return {
        "replica": replica_pages,
        "shared benchmark": [(key, truth[key]["url"], html[key]) for key in truth],
        "wcxb": [(key, wcxb_truth[key]["url"], wcxb_html[key]) for key in wcxb_truth],
    }


def outputs(code: Path, pages: Pages) -> dict[str, dict[str, object]]:
    """Every page's output with ``code``'s ``alinea_crawler`` (call in a fresh process)."""
    sys.path.insert(0, str(code.resolve()))
    import alinea_crawler
    if Path(alinea_crawler.__file__).resolve().parent.parent != code.resolve():
        sys.exit(f"bench.same_output: {alinea_crawler.__file__} is not {code}'s (imported too early)")
    from alinea_crawler.cleaning import clean_paragraphs
    from alinea_crawler.dates import parse_id_datetime
    from alinea_crawler.pages.common import parse_html
    from alinea_crawler.pages.pagination import next_listing_url, read_article_page

    def read(html: str, url: str) -> object:
        try:
            sel = parse_html(html)
            listing_next = next_listing_url(sel, url)
            page, pager = read_article_page(sel, url)
        except Exception as error:  # noqa: BLE001 - a crash is an output too
            return f"crash: {type(error).__name__}: {error}"
        pagers = {"pager": dataclasses.asdict(pager), "next_listing_url": listing_next}
        if page is None:
            return pagers
        fields = {**dataclasses.asdict(page), **pagers}
        fields["clean_body"] = dataclasses.asdict(clean_paragraphs(page.body.split("\n\n"))) if page.body else None
        fields["published_at"] = parse_id_datetime(page.published_at_raw)
        fields["modified_at"] = parse_id_datetime(page.modified_at_raw)
        return fields

    return {name: {key: read(html, url) for key, url, html in entries} for name, entries in pages.items()}


def first_difference(mine: object, theirs: object) -> str | None:
    if mine == theirs:
        return None
    if isinstance(mine, dict) and isinstance(theirs, dict):
        for name in [*mine, *(k for k in theirs if k not in mine)]:
            if mine.get(name) != theirs.get(name):
                return f"{name}: {theirs.get(name)!r:.120} -> {mine.get(name)!r:.120}"
    return f"{theirs!r:.120} -> {mine!r:.120}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, required=True, help="the other checkout (e.g. /work/main)")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--worker", nargs=3, metavar=("CODE", "PAGES", "OUT"), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    warnings.filterwarnings("ignore")
    if opts.worker:
        code, pages_file, out_file = map(Path, opts.worker)
        Path(out_file).write_bytes(pickle.dumps(outputs(code, pickle.loads(pages_file.read_bytes()))))
        return
    pages = collect_pages(opts.articles)
    with tempfile.TemporaryDirectory(prefix="same-output-") as scratch:
        pages_file = Path(scratch) / "pages.pickle"
        pages_file.write_bytes(pickle.dumps(pages))
        results = []
        for code, name in ((opts.code, "theirs"), (REPO, "mine")):
            out = Path(scratch) / f"{name}.pickle"
            subprocess.run([sys.executable, "-m", "bench.same_output", "--code", str(opts.code),
                            "--worker", str(code), str(pages_file), str(out)], cwd=REPO, check=True)
            results.append(pickle.loads(out.read_bytes()))
    theirs, mine = results
    differ = 0
    for name, entries in pages.items():
        changed = [(key, d) for key, _, _ in entries if (d := first_difference(mine[name][key], theirs[name][key]))]
        differ += len(changed)
        print(f"{name}: {len(entries)} pages, {len(entries) - len(changed)} identical, {len(changed)} differ")
        for key, difference in changed:
            print(f"  {key}: {difference}")
    print(f"code compared: {opts.code.resolve()} (theirs) -> {REPO} (mine)")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
