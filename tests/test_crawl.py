"""End to end: the real ``scrapy crawl alinea`` against the local replica, items compared whole."""

import csv
import json

import pytest

from alinea_crawler.items import FIELD_NAMES
from tests.crawl import plain_expectation, run_crawl
from tests.golden import item_from_html

BOILERPLATE_LINES = {"sun", "moon", "a l i n e a dot id", "fakta data kata", "logo alinea.id", "Sponsored",
                     "Berita Lainnya", "×", "tekid"}



@pytest.fixture(scope="module")
def full_crawl(replica, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("full")
    return run_crawl(workdir, {"base_url": replica.url, "render": "never"},
                     feeds=("items.jsonl", "items.csv", "items.json"))


def test_every_reachable_article_once_and_exactly_as_on_the_page(replica, full_crawl):
    assert full_crawl.returncode == 0, full_crawl.log[-3000:]
    ids = [item["article_id"] for item in full_crawl.items]
    assert len(ids) == len(set(ids)), "an article was exported twice"
    site = replica.site
    assert set(ids) == {a.code for a in site.listed_articles}
    for item in full_crawl.items:
        expected = plain_expectation(site, site.by_code[item["article_id"]], replica.url)
        assert {k: item[k] for k in expected} == expected
        assert item["discovered_from"].startswith(replica.url)
        assert (item["language"], item["source"]) == ("id", "alinea.id")
        assert item["word_count"] == len(item["body"].split())


def test_bodies_carry_no_boilerplate_but_keep_the_traps(full_crawl):
    paragraphs = [p for item in full_crawl.items for p in item["body"].split("\n\n")]
    assert not BOILERPLATE_LINES & set(paragraphs)
    text = "\n".join(paragraphs)
    for trap in ("layanan 5×24 jam", "sponsored content", "Sunda", "Sunarti", "moonlight"):
        assert trap in text


def test_stats_account_for_layouts_boilerplate_and_unrendered_lists(replica, full_crawl):
    stats = full_crawl.stats
    layouts = {a.layout for a in replica.site.listed_articles}
    assert {f"alinea/layout/{name}" for name in layouts} <= set(stats)
    assert sum(stats[f"alinea/layout/{name}"] for name in layouts) == len(full_crawl.items)
    assert stats["alinea/boilerplate/ad_slot"] >= 1
    # every exported article's body came from some rung; the classic templates are known: no drift alarm
    assert sum(stats.get(f"alinea/field_source/body/{rung}", 0) for rung in ("layout", "generic")) == len(full_crawl.items)
    assert stats["alinea/field_source/title/ld"] >= 1 and stats["alinea/field_source/published_at_raw/layout"] >= 1
    assert stats["alinea/drift/generic_share"] < 0.2 and "alinea/drift/warning" not in stats
    js_pages = [a for a in replica.site.listed_articles if a.related_mode == "js"]
    assert stats["alinea/render/js_list_unrendered"] == len(js_pages)
    assert stats.get("alinea/request_error/article") is None
    assert stats["alinea/more/exhausted"] == len(replica.site.sections)


def test_csv_json_and_jsonl_exports_agree(full_crawl):
    workdir = full_crawl.workdir
    with (workdir / "items.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == FIELD_NAMES
        rows = list(reader)
    as_json = json.loads((workdir / "items.json").read_text(encoding="utf-8"))
    assert [item["article_id"] for item in as_json] == [row["article_id"] for row in rows] == [
        item["article_id"] for item in full_crawl.items]
    for row, item in zip(rows, full_crawl.items):
        assert row["authors"] == "; ".join(item["authors"])
        assert row["related_urls"] == "; ".join(item["related_urls"])
        assert row["body"] == item["body"]


def test_one_request_per_article_whatever_the_url_variant(replica, full_crawl):
    stats = full_crawl.stats
    assert stats["alinea/articles/requested"] == len(full_crawl.items)
    assert stats["alinea/articles/seen_again"] > 0  # variants and repeats were recognised, not fetched


def test_non_article_page_is_no_item_and_is_counted(replica):
    import urllib.request

    html = urllib.request.urlopen(replica.url_for(replica.site.video_path), timeout=10).read().decode()
    url = replica.url_for(replica.site.video_path).replace("/video/", "/peristiwa/")  # article-shaped URL
    assert item_from_html(html, url) is None


def test_sections_and_max_pages_limit_the_walk(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "sections": "politik", "max_pages": "1",
                                  "follow_related": "0", "render": "never"})
    assert result.returncode == 0
    assert result.stats["alinea/more/stopped/max_pages"] == 1
    assert "alinea/more/exhausted" not in result.stats
    politik_first_page = {a.code for a in replica.site.listing("politik")[:10]}
    got = {item["article_id"] for item in result.items}
    assert politik_first_page <= got
    assert {item["discovered_from"] for item in result.items} <= {
        replica.url + "/", replica.url + "/politik", replica.url + "/indeks", replica.url + "/rss"}


def test_url_argument_crawls_just_that_article(replica, tmp_path):
    article = replica.site.listed_articles[3]
    result = run_crawl(tmp_path, {"url": replica.url_for(article.path) + "?utm_source=x", "follow_related": "0"})
    assert result.returncode == 0
    assert [item["article_id"] for item in result.items] == [article.code]


def test_since_skips_older_cards_and_drops_older_related(replica, tmp_path):
    listed = replica.site.listed_articles
    since = listed[5].published_iso
    result = run_crawl(tmp_path, {"base_url": replica.url, "since": since, "render": "never"},
                       {"ALINEA_MIN_COVERAGE": '{"authors": 0.5}'})  # 6 articles: 2 have no byline
    assert result.returncode == 0
    assert {item["article_id"] for item in result.items} == {a.code for a in listed[:6]}
    assert result.stats["alinea/skipped/before_since"] > 0
    assert result.stats["alinea/more/stopped/since"] >= 1


def test_bad_argument_is_one_line_and_exit_2(tmp_path):
    result = run_crawl(tmp_path, {"max_pages": "ten"})
    assert result.returncode == 2
    assert "spider argument max_pages='ten': expected a positive integer" in result.log
    assert "Traceback" not in result.log
