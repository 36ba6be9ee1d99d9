"""The quality check at close: a crawl with nothing to show exits 1 and says why; a healthy one exits 0."""
from __future__ import annotations

import json

import pytest

from tests.crawl import run_crawl
from tests.sabotage import MIDDLEWARE
from tests.replica import Replica


@pytest.mark.timeout(180)
def test_everything_broken_fails_with_a_readable_summary(tmp_path):
    # Every request to every page fails, however often it is retried.
    with Replica(articles=12, seed=4, faults=1.0, fault_max_in_row=1000, fault_slow=1.5) as broken:
        result = run_crawl(tmp_path, {"base_url": broken.url, "render": "never"},
                           {"DOWNLOAD_TIMEOUT": "1", "ALINEA_RETRY_BACKOFF": "0.1", "RETRY_TIMES": "1"})
    assert result.returncode == 1
    summary = result.report["failed"]
    assert summary.startswith("Quality check failed: 0 articles exported (minimum 1)")
    assert "pages failed (100%, limit 10%)" in summary
    assert f"crawl failed: {summary}" in result.log
    assert "Traceback" not in result.log and "AssertionError" not in result.log  # a paragraph, not a traceback
    assert "[Spidermon]" not in result.log  # its per-check lines (FAIL included) are at DEBUG: the paragraph says it
    assert result.stats["alinea/failed"] == summary


@pytest.mark.timeout(180)
def test_a_healthy_crawl_passes(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"})
    assert result.returncode == 0, result.report.get("failed")
    assert result.report["failed"] is None
    assert "verdict              OK" in result.log and "[Spidermon]" not in result.log  # per-check lines: DEBUG


@pytest.mark.timeout(180)
def test_each_check_is_one_line_at_debug(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"}, {"LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.report.get("failed")
    assert "[alinea] DEBUG: [Spidermon] Quality/enough articles... OK" in result.log


@pytest.mark.timeout(180)
def test_thresholds_are_settings(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"},
                       {"ALINEA_MIN_ITEMS": "1000", "ALINEA_MIN_COVERAGE": '{"authors": 1.0}'})
    assert result.returncode == 1
    assert f"{len(result.items)} articles exported (minimum 1000)" in result.report["failed"]
    assert "authors in " in result.report["failed"] and "(minimum 100%)" in result.report["failed"]


@pytest.mark.timeout(180)
def test_a_limit_the_user_set_is_a_finished_crawl(replica, tmp_path):
    limited = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"}, {"CLOSESPIDER_ITEMCOUNT": "3"})
    assert limited.stats["finish_reason"] == "closespider_itemcount"
    assert limited.returncode == 0, limited.report.get("failed")
    assert "verdict              OK" in limited.log
    # what was discovered but not reached by the limit is beyond it, not lost
    counts = limited.report["articles"]
    assert limited.stats["alinea/articles/unaccounted"] == 0
    assert counts["discovered"] == counts["exported"] + counts.get("beyond_limit", 0)


@pytest.mark.timeout(180)
def test_a_field_no_article_has_fails_like_one_at_half(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"},
                       {"SPIDER_MIDDLEWARES": json.dumps(MIDDLEWARE), "SABOTAGE_BLANK": "lead",
                        "ALINEA_MIN_COVERAGE": '{"lead": 0.5}'})
    assert result.returncode == 1
    assert "lead in 0% of articles (minimum 50%)" in result.report["failed"]


@pytest.mark.timeout(180)
def test_coverage_is_judged_only_from_enough_articles(replica, tmp_path):
    # Of the first two articles one has no byline: 50% authors, a two-article crawl is still fine...
    few = [a for a in replica.site.listed_articles if not a.authors][:1] + [
        a for a in replica.site.listed_articles if a.authors][:1]
    urls = ",".join(replica.url_for(a.path) for a in few)
    result = run_crawl(tmp_path / "two", {"url": urls, "render": "never"})
    assert result.returncode == 0, result.report.get("failed")
    # ... unless the threshold says two articles are enough to judge.
    strict = run_crawl(tmp_path / "strict", {"url": urls, "render": "never"}, {"ALINEA_COVERAGE_MIN_ITEMS": "2"})
    assert strict.returncode == 1 and "authors in 50% of articles (minimum 80%)" in strict.report["failed"]


@pytest.mark.parametrize("settings", [
    {},  # the project's: None, falsy and Spidermon's default skip values ("", [], {}, "N/A", "-") not counted
    {"SPIDERMON_FIELD_COVERAGE_SKIP_VALUES": '["N/A", 0, false, ["x"]]', "SPIDERMON_FIELD_COVERAGE_SKIP_FALSY": False,
     "SPIDERMON_FIELD_COVERAGE_SKIP_NONE": False, "SPIDERMON_LIST_FIELDS_COVERAGE_LEVELS": 1},
])
def test_the_field_count_is_spidermons_own(settings):
    """QualityCheck reads the coverage settings once and compares values with the skip values of their type:
    the stats must be those Spidermon's own item_scraped gives, item for item."""
    from scrapy.utils.test import get_crawler
    from spidermon.contrib.scrapy.extensions import Spidermon

    from alinea_crawler.items import ArticleItem
    from alinea_crawler.monitors import QualityCheck
    from alinea_crawler.spiders.alinea import AlineaSpider
    from alinea_crawler import settings as project

    items = [ArticleItem(url="http://x.test/a-b1", article_id="b1", title="N/A", lead="-", authors=["A", "x"],
                         tags=[], word_count=0, body="Isi.", editor=""),
             ArticleItem(url="http://x.test/a-b2", article_id="b2", title="Judul", authors=[], revision=1,
                         tags=["x"], related_urls=["http://x.test/a-b1"], image_url="-", word_count=3),
             {"url": "http://x.test/a-b3", "title": "N/A", "authors": {"nested": "-"}, "n": False, "z": 0}]
    counts = []
    for extension in (Spidermon, QualityCheck):
        crawler = get_crawler(AlineaSpider, {"SPIDERMON_ENABLED": True,
                                             "SPIDERMON_FIELD_COVERAGE_SKIP_NONE": project.SPIDERMON_FIELD_COVERAGE_SKIP_NONE,
                                             **settings})
        crawler.spider = AlineaSpider.from_crawler(crawler, render="never")
        crawler.stats.open_spider()
        check = extension.from_crawler(crawler)
        for item in items:
            check.item_scraped(item, None, crawler.spider)
        counts.append({key: value for key, value in crawler.stats.get_stats().items() if key.startswith("spidermon")})
    assert counts[0] == counts[1]
    assert counts[1]["spidermon_item_scraped_count"] == 3
