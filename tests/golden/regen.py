"""Regenerate the golden files.

    python -m tests.golden.regen              # save replica pages; JSON from the replica's gold model
    python -m tests.golden.regen --json-only  # rewrite every JSON from today's extraction: read the diff!
    python -m tests.golden.regen --zoo        # save the zoo/ pages (replica --templates zoo) and their gold JSON

The default mode never writes what the extractor says: the expected items come
from the replica's content model, an oracle independent of the crawler.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from datetime import date

from alinea_crawler.pipelines import content_hash
from tests.golden import GOLDEN, VOLATILE, ZOO, case_paths, item_from_html, load_meta, zoo_case_paths
from tests.golden.amp_case import AMP, amp_case_paths
from tests.replica import Replica
from tests.replica.model import display_date

SITE_ROOT = "https://www.alinea.id"
# case name -> article code in Replica(articles=24, seed=2021)
REPLICA_CASES = {
    "static-wib": "b2WvMus9T",
    "wita-old-section": "boEQVuKRe",
    "wit-js-list-sunda": "b3xhcE1te",
    "three-authors-baca-juga": "b6bnEjll2H",
    "two-authors-js-list-sponsored-content": "bCieGFHZTO",
    "layanan-5x24-jam": "b1HpN8DdqD",
    "generic-old-section": "bC9RBo2Hlh",
}
AMP_CASES = {"amp-stock-caption": "b2WvMus9T"}  # an AMP page (the article's own page failed)


def save_replica_cases() -> None:
    meta = load_meta()
    with Replica(articles=24, seed=2021) as replica:
        for case, code in REPLICA_CASES.items():
            article = replica.site.by_code[code]
            html = _fetch(replica.url_for(article.path)).replace(replica.url, SITE_ROOT)
            html_path, json_path = case_paths(case, article.layout)
            html_path.parent.mkdir(parents=True, exist_ok=True)
            html_path.write_text(html, encoding="utf-8")
            _write_json(json_path, _gold(replica.site, article))
            meta[case] = {"url": SITE_ROOT + article.path, "layout": article.layout,
                          "saved_on": date.today().isoformat(), "source": "tests/replica articles=24 seed=2021"}
    (GOLDEN / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def save_amp_cases() -> None:
    meta = {}
    with Replica(articles=24, seed=2021) as replica:
        for case, code in AMP_CASES.items():
            article = replica.site.by_code[code]
            html = _fetch(replica.url_for("/amp" + article.path)).replace(replica.url, SITE_ROOT)
            html_path, json_path = amp_case_paths(case)
            html_path.parent.mkdir(parents=True, exist_ok=True)
            html_path.write_text(html, encoding="utf-8")
            gold = replica.site.expected_amp_item(article, SITE_ROOT)
            gold.update(word_count=len(gold["body"].split()), language="id", source="alinea.id", revision=1,
                        content_hash=content_hash(gold["title"], gold["lead"], gold["body"]))
            _write_json(json_path, {key: gold[key] for key in sorted(gold) if key not in VOLATILE})
            meta[case] = {"url": SITE_ROOT + article.path, "amp_url": SITE_ROOT + "/amp" + article.path,
                          "listed_date": display_date(article), "saved_on": date.today().isoformat(),
                          "source": "tests/replica articles=24 seed=2021, /amp page; listed_date: its listing card"}
    (AMP / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")


# zoo template -> article code in Replica(articles=24, seed=2021, templates="zoo")
ZOO_CASES = {
    "newswatch": "bGAzM508Q",
    "nosemantic": "boEQVuKRe",
    "brbr": "bPEOz0AjB",
    "visibledate": "bAlR9ZRWB",
    "timetext": "b60bnKPU0",
    "ldgraph": "bCieGFHZTO",
    "standfirst": "bvJUcnGrlB",
    "embeds": "b2WvMus9T",
}


def save_zoo_cases() -> None:
    meta = {}
    with Replica(articles=24, seed=2021, templates="zoo") as replica:
        for template, code in ZOO_CASES.items():
            article = replica.site.by_code[code]
            assert article.template == template, (code, article.template)
            html = _fetch(replica.url_for(article.path)).replace(replica.url, SITE_ROOT)
            html_path, json_path = zoo_case_paths(template)
            html_path.parent.mkdir(parents=True, exist_ok=True)
            html_path.write_text(html, encoding="utf-8")
            _write_json(json_path, _gold(replica.site, article))
            meta[template] = {"url": SITE_ROOT + article.path, "layout": replica.site.expected_item(
                article, SITE_ROOT)["layout"], "saved_on": date.today().isoformat(),
                "source": "tests/replica articles=24 seed=2021 templates=zoo"}
    (ZOO / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _gold(site, article) -> dict:
    """The model's item, with what a plain (unrendered) page can give: JS lists stay empty."""
    gold = site.expected_item(article, SITE_ROOT)
    if article.related_mode == "js":
        gold["related_urls"] = [SITE_ROOT + site.by_code[c].path for c in article.baca_juga]
    body = gold["body"]
    gold.update(word_count=len(body.split()), language="id", source="alinea.id", revision=1,
                content_hash=content_hash(gold["title"], gold["lead"], body))
    return {key: gold[key] for key in sorted(gold) if key not in VOLATILE}


def rewrite_json_from_extraction() -> None:
    for case, entry in load_meta().items():
        html_path, json_path = case_paths(case, entry["layout"])
        _write_json(json_path, item_from_html(html_path.read_text(encoding="utf-8"), entry["url"]))


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _write_json(path, data) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json-only", action="store_true", help="rewrite the JSON of every case from extraction")
    parser.add_argument("--zoo", action="store_true", help="save the zoo/ cases (pages and gold JSON) instead")
    args = parser.parse_args()
    if args.zoo:
        save_zoo_cases()
    elif args.json_only:
        rewrite_json_from_extraction()
    else:
        save_replica_cases()
        save_amp_cases()
