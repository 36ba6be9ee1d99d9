"""Extraction quality and cost: our page objects + cleaning vs trafilatura and newspaper4k.

    .venv/bin/python -m bench.extraction [--articles 300] [--repeat 3]

Every article page of a replica (all layouts: current, v2021, generic) is
fetched once over HTTP, then each extractor runs on the same HTML string and is
compared with the gold item ``Site.expected_item``:

* body: token F1 (white-space tokens, multiset), averaged over pages;
* title, authors (the list, in order), date (``published_at`` as an instant):
  exact-match rates;
* cost: milliseconds per page, HTML parsing included (for ours also per layout:
  ``current`` and ``v2021`` are the known layouts, ``generic`` pages get the generic
  rung). Each extractor first
  warms up on pages that are not scored, then reads the scored pages once, in
  ``--repeat`` timed chunks; the figure is the best chunk (the machine is
  shared). No page is timed twice: trafilatura's caches (htmldate's
  ``lru_cache``...) make a second pass over the same pages ~40% faster, which
  a crawl, reading every page once, never sees.

Ours is what the crawl does to a page: ``extract_article`` on the page
parsed by ``parse_html`` then the cleaning pipeline's logic (``clean_paragraphs`` on the
body lines, ``split_authors``, ``parse_id_datetime``). Peers run with default
settings. Install them with ``.venv/bin/pip install -r bench/requirements.txt``.
"""

from __future__ import annotations

import argparse
import time
import urllib.request
import warnings
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any, Callable

from bench.common import Replica, print_table, write_result

from alinea_crawler.cleaning import clean_paragraphs
from alinea_crawler.dates import parse_id_datetime
from alinea_crawler.pages.article import extract_article
from alinea_crawler.pages.common import parse_html
from alinea_crawler.pipelines import split_authors

Fields = dict[str, Any]  # body: str | None, title: str | None, authors: list[str], date: datetime | None


def ours(html: str, url: str) -> Fields:
    page = extract_article(parse_html(html), url)
    if page is None:
        return {}
    body = clean_paragraphs(page.body.split("\n\n")).text if page.body else None
    return {"body": body, "title": page.title, "authors": split_authors(page.authors),
            "date": parse_id_datetime(page.published_at_raw)}


def trafilatura_extractor() -> Callable[[str, str], Fields]:
    import trafilatura

    def run(html: str, url: str) -> Fields:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        if doc is None:
            return {}
        authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
        return {"body": doc.text, "title": doc.title, "authors": authors, "date": _instant(doc.date)}

    return run


def newspaper_extractor() -> Callable[[str, str], Fields]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import newspaper

    def run(html: str, url: str) -> Fields:
        article = newspaper.Article(url, language="id", fetch_images=False)
        article.download(input_html=html)
        article.parse()
        return {"body": article.text, "title": article.title, "authors": list(article.authors),
                "date": article.publish_date}

    return run


def _instant(value: str | None) -> datetime | None:
    """A peer's date string as an aware datetime (a bare day becomes midnight WIB: rarely the instant)."""
    return parse_id_datetime(value) if value else None


def token_f1(got: str | None, gold: str) -> float:
    got_tokens, gold_tokens = Counter((got or "").split()), Counter(gold.split())
    common = sum((got_tokens & gold_tokens).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got_tokens.values()), common / sum(gold_tokens.values())
    return 2 * precision * recall / (precision + recall)


def score(fields: Fields, gold: Fields) -> dict[str, float]:
    date = fields.get("date")
    return {
        "body_f1": token_f1(fields.get("body"), gold["body"]),
        "title": float(fields.get("title") == gold["title"]),
        "authors": float(fields.get("authors") == gold["authors"]),
        "date": float(isinstance(date, datetime) and date.tzinfo is not None
                      and date == datetime.fromisoformat(gold["published_at"])),
    }


WARMUP = 20  # articles after the scored ones


def fetch_pages(replica: Replica, articles) -> list[tuple[str, str, Fields]]:
    pages = []
    for article in articles:
        url = replica.url + article.path
        with urllib.request.urlopen(url, timeout=10) as resp:
            html = resp.read().decode("utf-8")
        pages.append((url, html, replica.site.expected_item(article, replica.url)))
    return pages


def measure(extract: Callable[[str, str], Fields], pages, warmup, repeat: int
            ) -> tuple[list[Fields], float, dict[str, float]]:
    """Outputs for ``pages`` (in order), the best chunk's milliseconds per page, and per layout the
    milliseconds per page of the chunk that was best for that layout."""
    for url, html, _ in warmup:
        extract(html, url)
    outputs: list[Fields] = [{}] * len(pages)
    best = float("inf")
    by_layout: dict[str, float] = {}
    for chunk in range(repeat):
        indexes = range(chunk, len(pages), repeat)
        spent: dict[str, list[float]] = defaultdict(list)
        for i in indexes:
            start = time.perf_counter()
            outputs[i] = extract(pages[i][1], pages[i][0])
            spent[pages[i][2]["layout"]].append(time.perf_counter() - start)
        best = min(best, sum(map(sum, spent.values())) / len(indexes))
        for layout, times in spent.items():
            by_layout[layout] = min(by_layout.get(layout, float("inf")), sum(times) * 1000 / len(times))
    return outputs, best * 1000, by_layout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()

    extractors: dict[str, Callable[[str, str], Fields]] = {"alinea_crawler": ours}
    skipped = {}
    for name, factory in (("trafilatura", trafilatura_extractor), ("newspaper4k", newspaper_extractor)):
        try:
            extractors[name] = factory()
        except ImportError as exc:
            skipped[name] = f"not installed: {exc}"
    # news-please 1.6.16 installs from the index, but resolving its dependencies would downgrade cssselect
    # 1.6.0 -> 1.3.0 in the project venv (parsel's CSS translator); it builds on newspaper4k, which is measured.
    skipped["news-please"] = "not installed: would downgrade cssselect 1.6.0 -> 1.3.0 in the venv (it builds on newspaper4k, measured)"

    with Replica(articles=opts.articles + WARMUP, seed=2021) as replica:
        articles = replica.site.articles
        pages = fetch_pages(replica, articles[:opts.articles])
        warmup = fetch_pages(replica, articles[opts.articles:opts.articles + WARMUP])
    layouts = Counter(gold["layout"] for _, _, gold in pages)

    results: dict[str, Any] = {}
    for name, extract in extractors.items():
        outputs, ms, ms_by_layout = measure(extract, pages, warmup, opts.repeat)
        scores = [score(out, gold) for out, (_, _, gold) in zip(outputs, pages)]
        by_layout = defaultdict(list)
        for s, (_, _, gold) in zip(scores, pages):
            by_layout[gold["layout"]].append(s["body_f1"])
        results[name] = {
            **{key: sum(s[key] for s in scores) / len(scores) for key in scores[0]},
            "body_f1_min": min(s["body_f1"] for s in scores),
            "body_f1_by_layout": {layout: sum(v) / len(v) for layout, v in sorted(by_layout.items())},
            "ms_per_page": ms,
            "ms_per_page_by_layout": ms_by_layout,
        }
        print(f"{name}: {ms:.2f} ms/page", flush=True)

    base_ms = results["trafilatura"]["ms_per_page"] if "trafilatura" in results else None
    print(f"\n{len(pages)} pages, layouts {dict(layouts)}\n")
    mine_ms = results["alinea_crawler"]["ms_per_page_by_layout"]
    print("ours, ms/page by layout (best chunk each):", {k: round(v, 3) for k, v in sorted(mine_ms.items())})
    print_table(
        ["extractor", "body F1", "min F1", *[f"F1 {k}" for k in sorted(layouts)], "title", "authors", "date",
         "ms/page", "speed vs trafilatura"],
        [[name, r["body_f1"], r["body_f1_min"], *[r["body_f1_by_layout"].get(k) for k in sorted(layouts)],
          r["title"], r["authors"], r["date"], r["ms_per_page"],
          f"{base_ms / r['ms_per_page']:.1f}x" if base_ms else None]
         for name, r in results.items()],
    )
    mine = results["alinea_crawler"]
    peers = [r for name, r in results.items() if name != "alinea_crawler"]
    checks = {
        "body_f1_ge_0.99": mine["body_f1"] >= 0.99,
        "ahead_of_every_peer": all(mine["body_f1"] > r["body_f1"] for r in peers),
        # issue #16: a page of a known layout (the replica's own templates) in 0.5 ms
        "known_layout_le_0.5ms": all(v <= 0.5 for k, v in mine["ms_per_page_by_layout"].items() if k != "generic"),
    }
    print("\ntargets:", ", ".join(f"{k}={'met' if v else 'MISSED'}" for k, v in checks.items()))
    write_result("extraction", {"articles": len(pages), "layouts": dict(layouts), "repeat": opts.repeat,
                                "results": results, "skipped": skipped, "targets": checks})


if __name__ == "__main__":
    main()
