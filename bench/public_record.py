"""Navigation cost on the site the public record shows: the replica's ``--public-record`` mode (no section
links in the menu, a paged home feed, "Berita Lainnya" that never fills, one article page in 11 answering
500 forever while its AMP page works) against its default mode, each with ``render=auto`` (compared) and
``render=never`` (for reference: requests per article without any list completion).

    .venv/bin/python -m bench.public_record [--articles 2000] [--runs 3] [--retry-backoff 1.0] [-s NAME=VALUE ...]

Targets (issue #12): pages/s in public-record mode within 10% of the default mode; at most 3 pages
rendered; requests per exported article reported for both modes (``related_depth=1``, the default). Requests are Scrapy's
``downloader/request_count`` (retries and robots.txt included); pages/s = responses / elapsed seconds
(a retried 500 is a request, not a page). Runs alternate between the modes; speeds are medians.
``--retry-backoff`` is ``ALINEA_RETRY_BACKOFF`` (the project default is 1.0 s): each 500 is retried
after a wait that slows the whole site (alinea_crawler/middlewares.py), which the figures show.
"""

from __future__ import annotations

import argparse

from bench.common import Replica, median, print_table, run_crawl, write_result

ARGS = {"related_depth": "1"}  # the crawler's own default


def measure(mode: str, render: str, articles: int, settings: dict[str, str]) -> dict:
    with Replica(articles=articles, seed=2021, public_record=mode == "public_record") as replica:
        run = run_crawl(replica.url, {"RANDOMIZE_DOWNLOAD_DELAY": "0", **settings},
                        spider_args={**ARGS, "render": render}, timeout=1500)
        served = replica.stats()
        # without the browser, articles linked only from a JavaScript list stay unknown (none in public record)
        expected = len(replica.site.listed_articles if render == "never" else replica.site.articles)
    if run.returncode != 0 or run.items != expected:
        raise SystemExit(f"{mode} render={render} crawl failed (rc {run.returncode}, {run.items}/{expected} items):\n{run.log[-2000:]}")
    stats = run.stats
    requests = int(stats.get("downloader/request_count", 0))
    return {
        "mode": mode,
        "render": render,
        "items": run.items,
        "pages": run.pages,
        "requests": requests,
        "requests_per_article": round(requests / run.items, 3),
        "seconds": round(run.elapsed_s, 2),
        "pages_per_s": round(run.pages / run.elapsed_s, 1),
        "requests_per_s": round(requests / run.elapsed_s, 1),
        "rendered": stats.get("alinea/render/pages", 0),
        "render_skipped_budget": stats.get("alinea/render/skipped_budget", 0),
        "endpoint_used": stats.get("alinea/render/endpoint_used", 0),
        "amp_fallback": stats.get("alinea/amp/fallback", 0),
        "retries": stats.get("retry/count", 0),
        "more_requests": served["by_kind"]["more"],
        "more_with_xhr_header": served["more_headers"]["xhr"],
    }


def summary(rows: list[dict]) -> dict:
    """The first run's counts (the crawl is deterministic), the median of the speeds."""
    return {**rows[0], **{key: round(median([row[key] for row in rows]), 2)
                          for key in ("seconds", "pages_per_s", "requests_per_s")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--retry-backoff", type=float, default=1.0)
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="another Scrapy setting for every crawl")
    opts = parser.parse_args()
    settings = dict(pair.split("=", 1) for pair in opts.settings)
    settings["ALINEA_RETRY_BACKOFF"] = str(opts.retry_backoff)
    combos = [(mode, render) for render in ("auto", "never") for mode in ("default", "public_record")]
    raw = {combo: [] for combo in combos}
    for n in range(opts.runs):
        for combo in combos:
            raw[combo].append(measure(*combo, opts.articles, settings))
            print(f"run {n + 1} {combo}: {raw[combo][-1]['pages_per_s']} pages/s", flush=True)
    runs = [summary(raw[combo]) for combo in combos]
    default, public = runs[0], runs[1]
    columns = list(default)
    print_table(columns, [[row[c] for c in columns] for row in runs])
    ratio = public["pages_per_s"] / default["pages_per_s"]
    met = ratio >= 0.9 and public["rendered"] <= 3
    print(f"\nrender=auto: public-record/default pages/s = {ratio:.2f} (target >= 0.90); rendered "
          f"{public['rendered']} (target <= 3); requests per exported article {default['requests_per_article']} "
          f"(default) vs {public['requests_per_article']} (public record)")
    name = "public_record_" + "_".join(f"{k.removeprefix('ALINEA_').lower()}_{v}" for k, v in sorted(settings.items()))
    write_result(name, {
        "articles": opts.articles, "spider_args": ARGS, "settings": settings,
        "runs": opts.runs, "medians": runs, "raw": [row for rows in raw.values() for row in rows],
        "public_over_default_pages_per_s": round(ratio, 3), "targets_met": met})


if __name__ == "__main__":
    main()
