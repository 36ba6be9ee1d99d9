"""The article ledger: every article discovered is exported or named with its fate; a lost one fails the crawl."""
from __future__ import annotations

import json
import subprocess

import pytest

from alinea_crawler.ledger import ArticleLedger, Entry
from tests.crawl import REPO_ROOT, run_crawl, scrapy_command
from tests.sabotage import MIDDLEWARE

pytestmark = pytest.mark.timeout(180)


def fates(result) -> dict[str, int]:
    prefix = "alinea/articles/"
    return {key[len(prefix):]: value for key, value in result.stats.items()
            if key.startswith(prefix) and key[len(prefix):] not in ("requested", "seen_again")}


def test_a_healthy_crawl_balances_and_ends_with_a_short_summary(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"})
    assert result.returncode == 0, result.log[-3000:]
    listed = {a.code for a in replica.site.listed_articles}
    assert fates(result) == {"discovered": len(listed), "exported": len(listed), "unaccounted": 0}
    assert result.report["articles"] == {"discovered": len(listed), "exported": len(listed)}
    assert result.report["unaccounted"] == []
    summary = result.log[result.log.index("Crawl summary (finished"):]
    assert f"articles discovered  {len(listed)}\n" in summary and f"exported             {len(listed)}\n" in summary
    assert f"items.jsonl: {len(listed)} articles, complete" in summary and "verdict              OK" in summary
    assert "Dumping Scrapy stats" not in result.log  # the summary replaces the 100-line dump
    assert result.log.rstrip().endswith("crawl finished: ok")


def test_articles_lost_without_a_trace_are_named_and_fail_the_crawl(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"},
                       {"SPIDER_MIDDLEWARES": json.dumps(MIDDLEWARE), "SABOTAGE_LOSE": "3"})
    assert result.returncode == 1
    lost = result.report["unaccounted"]
    assert len(lost) == 3 == result.stats["alinea/articles/unaccounted"]
    exported = {item["url"] for item in result.items}
    assert len(exported) == len(replica.site.listed_articles) - 3
    for entry in lost:
        assert entry["url"] not in exported and f"  {entry['url']} (found on {entry['via']})" in result.log
    assert "3 article(s) discovered but never exported, skipped, dropped or failed" in result.report["failed"]
    assert "unaccounted          3 (listed above)" in result.log


def test_an_article_lost_to_a_spider_error_is_failed_with_the_error(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"},
                       {"SPIDER_MIDDLEWARES": json.dumps(MIDDLEWARE), "SABOTAGE_RAISE": "2"})
    counts = fates(result)
    assert counts["failed"] == 2 and counts["unaccounted"] == 0
    assert counts["exported"] == len(replica.site.listed_articles) - 2
    assert "failed               2 (spider error 2)" in result.log
    reasons = [f["reason"] for f in result.report["failures"]]
    assert reasons == ["ValueError: sabotaged"] * 2


def test_stdout_can_be_the_feed(replica, tmp_path):
    argv = scrapy_command(tmp_path, {"base_url": replica.url, "render": "never"}, feeds=())
    proc = subprocess.run([*argv, "-O", "-:jsonlines"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in proc.stdout.splitlines()]  # nothing but the items on stdout
    assert len(items) == len(replica.site.listed_articles)
    assert "Crawl summary" in proc.stderr and proc.stderr.rstrip().endswith("crawl finished: ok")


def test_two_urls_crawl_just_those_two_and_pass(replica, tmp_path):
    wanted = replica.site.listed_articles[:2]
    urls = ",".join(replica.url_for(a.path) for a in wanted)
    result = run_crawl(tmp_path, {"url": urls, "render": "never"})
    assert result.returncode == 0, result.report.get("failed")
    assert sorted(item["article_id"] for item in result.items) == sorted(a.code for a in wanted)
    assert fates(result) == {"discovered": 2, "exported": 2, "unaccounted": 0}
    assert "found on the command line" not in result.log


def test_sections_restrict_the_export_and_the_rest_is_accounted_for(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "sections": "politik", "render": "never"})
    assert result.returncode == 0, result.report.get("failed")
    assert result.items and {item["section"] for item in result.items} == {"politik"}
    counts = fates(result)
    assert counts["other_section"] > 0 and counts["unaccounted"] == 0
    assert counts["discovered"] == counts["exported"] + counts["other_section"]


def test_since_cards_are_out_of_range_not_lost(replica, tmp_path):
    listed = replica.site.listed_articles
    result = run_crawl(tmp_path, {"base_url": replica.url, "since": listed[5].published_iso, "render": "never"})
    assert result.returncode == 0, result.report.get("failed")
    counts = fates(result)
    assert counts["exported"] == 6 and counts["out_of_range"] > 0 and counts["unaccounted"] == 0
    assert counts["discovered"] == counts["exported"] + counts["out_of_range"]


def test_the_api_keeps_the_first_fate_but_exported_wins():
    from scrapy.utils.test import get_crawler

    from alinea_crawler.spiders.alinea import AlineaSpider

    crawler = get_crawler(AlineaSpider)
    crawler.spider = AlineaSpider.from_crawler(crawler, render="never")
    ledger = ArticleLedger(crawler)
    ledger.discovered("b12345678", "http://x.test/a/b12345678", via="http://x.test/")
    ledger.discovered("b12345678", "http://x.test/a/other-b12345678", via="http://x.test/rss")
    ledger.settle("b12345678", "failed", "HTTP 500 (after 3 retries)")
    ledger.settle("b12345678", "dropped", "duplicate")
    assert ledger.details("failed") == {"HTTP 500": 1}
    ledger.settle("b12345678", "exported")
    ledger.settle("bAAAAAAAA", "not_article", url="http://x.test/a/bAAAAAAAA")  # unseen: discovered now
    ledger.discovered("bBBBBBBBB", "http://x.test/a/bBBBBBBBB", via=None)
    assert ledger.fate_counts() == {"exported": 1, "not_article": 1}
    assert [entry.url for entry in ledger.unaccounted()] == ["http://x.test/a/bBBBBBBBB"]
    assert ledger.entries["b12345678"].via == "http://x.test/"
    with pytest.raises(ValueError, match="unknown article fate 'lost'"):
        ledger.settle("bBBBBBBBB", "lost")


def test_the_running_count_equals_the_full_account_also_after_a_resume():
    from scrapy.utils.test import get_crawler

    from alinea_crawler.spiders.alinea import AlineaSpider

    crawler = get_crawler(AlineaSpider)
    crawler.spider = AlineaSpider.from_crawler(crawler, render="never")
    ledger = ArticleLedger(crawler)
    ledger.discovered("bAAAAAAAA", "http://x.test/a/bAAAAAAAA", via="http://x.test/")
    ledger.settle("bAAAAAAAA", "failed", "HTTP 500")
    ledger.discovered("bBBBBBBBB", "http://x.test/a/bBBBBBBBB", via="http://x.test/")
    resumed = ArticleLedger(crawler)  # a resumed crawl: entries from the first run, counted at the first call

    def running(ledger: ArticleLedger) -> tuple[dict[str, int], int]:
        fates, unsettled = ledger.fates_so_far()
        return {fate: n for fate, n in fates.items() if fate and n}, unsettled

    for step in (lambda: None,
                 lambda: resumed.settle("bBBBBBBBB", "dropped", "duplicate"),
                 lambda: resumed.settle("bAAAAAAAA", "exported"),  # exported wins over failed
                 lambda: resumed.settle("bAAAAAAAA", "failed", "late"),  # the first fate stands
                 lambda: resumed.discovered("bCCCCCCCC", "http://x.test/a/bCCCCCCCC", via=None),
                 lambda: resumed.settle("bDDDDDDDD", "not_article", url="http://x.test/a/bDDDDDDDD")):
        step()
        assert running(resumed) == (dict(resumed.fate_counts()), len(resumed.unaccounted()))
    assert running(resumed) == ({"exported": 1, "dropped": 1, "not_article": 1}, 1)
    # JOBDIR: Scrapy's SpiderState replaces spider.state with the first run's when the spider opens
    crawler.spider.state = {"ledger": {"bEEEEEEEE": Entry("http://x.test/a/bEEEEEEEE", None, fate="skipped"),
                                       "bFFFFFFFF": Entry("http://x.test/a/bFFFFFFFF", None)}}
    assert running(resumed) == ({"skipped": 1}, 1)
    resumed.settle("bFFFFFFFF", "exported")
    assert running(resumed) == ({"skipped": 1, "exported": 1}, 0) == (dict(resumed.fate_counts()), 0)
