"""Navigation cost on the site the public record shows: the replica's ``--public-record`` mode (no section
links in the menu, a paged home feed, "Berita Lainnya" that never fills, one article page in 11 answering
500 forever while its AMP page works) against its default mode, both with ``render=auto``.

    .venv/bin/python -m bench.public_record [--articles 2000] [--retry-backoff 1.0]

Targets (issue #12): pages/s in public-record mode within 10% of the default mode; at most 3 pages
rendered; requests per exported article reported for both modes. Requests are Scrapy's
``downloader/request_count`` (retries and robots.txt included); pages/s = responses / elapsed seconds.
``--retry-backoff`` is ``ALINEA_RETRY_BACKOFF`` (the project default is 1.0 s): each 500 is retried
after a wait that slows the whole site (alinea_crawler/middlewares.py), which the figures show.
"""

from __future__ import annotations

import argparse

from bench.common import Replica, print_table, run_crawl, write_result

ARGS = {"render": "auto", "related_depth": "1"}  # the crawler's own defaults


def measure(mode: str, articles: int, backoff: float) -> dict:
    with Replica(articles=articles, seed=2021, public_record=mode == "public_record") as replica:
        run = run_crawl(replica.url, {"ALINEA_RETRY_BACKOFF": str(backoff), "RANDOMIZE_DOWNLOAD_DELAY": "0"},
                        spider_args=ARGS, timeout=900)
        served = replica.stats()
        expected = len(replica.site.articles)
    if run.returncode != 0 or run.items != expected:
        raise SystemExit(f"{mode} crawl failed (rc {run.returncode}, {run.items}/{expected} items):\n{run.log[-2000:]}")
    stats = run.stats
    requests = int(stats.get("downloader/request_count", 0))
    return {
        "mode": mode,
        "items": run.items,
        "pages": run.pages,
        "requests": requests,
        "requests_per_article": round(requests / run.items, 3),
        "seconds": round(run.elapsed_s, 2),
        "pages_per_s": round(run.pages / run.elapsed_s, 1),
        "rendered": stats.get("alinea/render/pages", 0),
        "render_skipped_budget": stats.get("alinea/render/skipped_budget", 0),
        "endpoint_used": stats.get("alinea/render/endpoint_used", 0),
        "amp_fallback": stats.get("alinea/amp/fallback", 0),
        "retries": stats.get("retry/count", 0),
        "more_requests": served["by_kind"]["more"],
        "more_with_xhr_header": served["more_headers"]["xhr"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--retry-backoff", type=float, default=1.0)
    opts = parser.parse_args()
    default = measure("default", opts.articles, opts.retry_backoff)
    public = measure("public_record", opts.articles, opts.retry_backoff)
    columns = list(default)
    print_table(columns, [[row[c] for c in columns] for row in (default, public)])
    ratio = public["pages_per_s"] / default["pages_per_s"]
    met = ratio >= 0.9 and public["rendered"] <= 3
    print(f"\npublic-record/default pages/s = {ratio:.2f} (target >= 0.90); rendered {public['rendered']} "
          f"(target <= 3); requests per exported article {default['requests_per_article']} (default) vs "
          f"{public['requests_per_article']} (public record)")
    write_result(f"public_record_backoff_{opts.retry_backoff:g}", {
        "articles": opts.articles, "spider_args": ARGS, "retry_backoff": opts.retry_backoff,
        "runs": [default, public], "public_over_default_pages_per_s": round(ratio, 3), "targets_met": met})


if __name__ == "__main__":
    main()
