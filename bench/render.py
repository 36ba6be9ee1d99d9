"""Rendering cost: a crawl in render=auto against render=never, on a replica where half the
articles fill "Berita Lainnya" with JavaScript and every 8th is reachable only from such a list.

    .venv/bin/python -m bench.render [--articles 2000]

Targets (issue #4): with a learnable endpoint fewer than 5% of article pages go through the
browser, and pages/s in auto mode stay within 2x of never.
"""

from __future__ import annotations

import argparse

from bench.common import Replica, print_table, run_crawl, write_result


def measure(base_url: str, render: str) -> dict:
    run = run_crawl(base_url, spider_args={"render": render, "related_depth": "1"})
    if run.returncode != 0:
        raise SystemExit(f"render={render} crawl failed:\n{run.log[-2000:]}")
    stats = run.stats
    articles = stats.get("alinea/articles/requested", 0)
    rendered = stats.get("alinea/render/pages", 0)
    return {
        "render": render,
        "items": run.items,
        "pages": run.pages,
        "seconds": round(run.elapsed_s, 2),
        "pages_per_s": round(run.pages / run.elapsed_s, 1),
        "article_pages": articles,
        "rendered": rendered,
        "rendered_share": round(rendered / articles, 4) if articles else 0.0,
        "endpoint_used": stats.get("alinea/render/endpoint_used", 0),
        "js_lists_unrendered": stats.get("alinea/render/js_list_unrendered", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    with Replica(articles=args.articles, hidden_every=8) as replica:
        never, auto = measure(replica.url, "never"), measure(replica.url, "auto")
    rows = [never, auto]
    columns = list(never)
    print_table(columns, [[row[c] for c in columns] for row in rows])
    slowdown = never["pages_per_s"] / auto["pages_per_s"]
    print(f"\nauto exports {auto['items'] - never['items']} more articles (the JavaScript-only ones); "
          f"{auto['rendered_share']:.2%} of article pages rendered (target < 5%); "
          f"never/auto pages/s = {slowdown:.2f} (target <= 2)")
    write_result("render", {"articles": args.articles, "runs": rows, "never_over_auto_pages_per_s": round(slowdown, 2),
                            "targets_met": auto["rendered_share"] < 0.05 and slowdown <= 2})


if __name__ == "__main__":
    main()
