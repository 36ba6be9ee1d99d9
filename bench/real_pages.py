"""Extraction on real pages nobody here wrote: the public article-extraction benchmark.

    .venv/bin/python -m bench.real_pages [--repeat 3]

The 181 pages of ``../shared/benchmarks/article-extraction-benchmark`` (real news
and blog pages of many sites, none of them alinea.id) are read from there at
run time, never copied into this repository. Each page goes through what the
crawl does to an article page — ``extract_article`` on a fresh Selector, then the
cleaning pipeline's line rules — and the body is scored by the benchmark's own
``evaluate.py`` (shingle F1), next to the published outputs of other extractors
and to trafilatura run here on the same pages. Also counted: pages called "not
an article" (all 181 are articles), crashes, and field errors.

Cost is milliseconds per page, parsing included, best of ``--repeat`` passes, for
ours and for trafilatura with its default settings, taking turns page by page
(the machine is shared: a passing load falls on both alike).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench.common import REPO, print_table, write_result

from alinea_crawler.cleaning import clean_paragraphs
from alinea_crawler.pages.article import extract_article
from alinea_crawler.pages.common import parse_html

BENCHMARK = REPO.parent / "shared" / "benchmarks" / "article-extraction-benchmark"


def load_pages() -> tuple[dict[str, dict], dict[str, str]]:
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for key in truth:
        with gzip.open(BENCHMARK / "html" / f"{key}.html.gz", "rt", encoding="utf8") as handle:
            pages[key] = handle.read()
    return truth, pages


def ours(html: str, url: str) -> tuple[str | None, str]:
    """(body, outcome): outcome is ``article``, ``not_article`` or ``crash: …``."""
    try:
        page = extract_article(parse_html(html), url)
    except Exception as error:  # noqa: BLE001 - counted: the benchmark's point is that nothing crashes
        return None, f"crash: {type(error).__name__}: {error}"
    if page is None:
        return None, "not_article"
    body = clean_paragraphs(page.body.split("\n\n")).text if page.body else None
    return body, "field_error" if page.field_errors else "article"


def trafilatura_default(html: str, url: str) -> str | None:
    import trafilatura

    return trafilatura.extract(html, url=url)


def timed(extractors: dict, truth: dict, pages: dict, repeat: int) -> tuple[dict[str, dict], dict[str, float]]:
    """Outputs of each extractor, and its best pass's milliseconds per page.

    The extractors take turns page by page, so a load that comes and goes on a shared machine
    falls on all of them alike.
    """
    outputs = {name: {} for name in extractors}
    best = dict.fromkeys(extractors, float("inf"))
    for _ in range(repeat):
        spent = dict.fromkeys(extractors, 0.0)
        for key in truth:
            for name, extractor in extractors.items():
                start = time.perf_counter()
                outputs[name][key] = extractor(pages[key], truth[key]["url"])
                spent[name] += time.perf_counter() - start
        best = {name: min(best[name], spent[name] * 1000 / len(truth)) for name in extractors}
    return outputs, best


def evaluate(predictions: dict[str, dict[str, str]]) -> dict[str, dict]:
    """The benchmark's evaluate.py in a scratch copy: published outputs plus ours."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        shutil.copy(BENCHMARK / "evaluate.py", work)
        shutil.copy(BENCHMARK / "ground-truth.json", work)
        shutil.copytree(BENCHMARK / "output", work / "output")
        for name, bodies in predictions.items():
            output = {key: {"articleBody": body or ""} for key, body in bodies.items()}
            (work / "output" / f"{name}.json").write_text(json.dumps({"version": "here", "output": output}))
        subprocess.run([sys.executable, "evaluate.py", "--n-bootstrap", "200", "--output", "metrics.json"],
                       cwd=work, check=True, capture_output=True)
        return json.loads((work / "metrics.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    truth, pages = load_pages()

    outputs, ms = timed({"ours": ours, "trafilatura": trafilatura_default}, truth, pages, args.repeat)
    (ours_out, ours_ms), (traf_out, traf_ms) = (outputs["ours"], ms["ours"]), (outputs["trafilatura"], ms["trafilatura"])
    outcomes = [outcome for _, outcome in ours_out.values()]
    metrics = evaluate({"alinea_crawler": {k: body for k, (body, _) in ours_out.items()},
                        "trafilatura_here": traf_out})

    rows = [[name, m["version"], m["f1"], m["precision"], m["recall"], m["accuracy"]]
            for name, m in sorted(metrics.items(), key=lambda item: -item[1]["f1"])]
    print_table(["extractor", "version", "F1", "precision", "recall", "accuracy"], rows)
    not_article = outcomes.count("not_article")
    crashes = [o for o in outcomes if o.startswith("crash")]
    print(f"\npages: {len(truth)}; called not an article: {not_article}; crashes: {len(crashes)}; "
          f"pages with a field error: {outcomes.count('field_error')}")
    print(f"cost per page: ours {ours_ms:.1f} ms, trafilatura (default settings) {traf_ms:.1f} ms "
          f"({traf_ms / ours_ms:.2f}x ours)")
    write_result("real_pages", {
        "pages": len(truth), "not_article": not_article, "crashes": crashes,
        "field_error_pages": outcomes.count("field_error"),
        "ms_per_page": {"alinea_crawler": round(ours_ms, 2), "trafilatura_default": round(traf_ms, 2)},
        "scores": {name: {k: round(m[k], 4) for k in ("f1", "precision", "recall", "accuracy")} | {"version": m["version"]}
                   for name, m in metrics.items()},
    })


if __name__ == "__main__":
    main()
