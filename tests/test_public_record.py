"""End to end against the replica as the public record shows alinea.id (``--public-record``): no section
links in the menu, a paged home feed, "Berita Lainnya" that never fills even in a browser, article pages
that answer 500 forever while their AMP page works. And a JavaScript list whose HTML already holds an
off-site link (the fault replica) still gets its hidden articles."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from alinea_crawler.rendering import find_browser
from tests.crawl import run_crawl
from tests.replica import Replica
from tests.replica.faults import OFFSITE_CODE

pytestmark = pytest.mark.skipif(find_browser(None)[0] is None, reason="needs Chromium: apt-get install chromium")
QUICK_RETRIES = {"ALINEA_RETRY_BACKOFF": "0.1", "RANDOMIZE_DOWNLOAD_DELAY": "0"}
# One article page in 11 answers 500 forever: the circuit breaker (default settings) must not take that for a
# site that is down — it counts each page once, not each retry.
PUBLIC_RECORD = QUICK_RETRIES


@pytest.fixture(scope="module")
def public_record():
    with Replica(articles=60, seed=2021, public_record=True) as replica:
        yield replica


@pytest.fixture(scope="module")
def crawl(public_record, tmp_path_factory):
    result = run_crawl(tmp_path_factory.mktemp("public-record"), {"base_url": public_record.url, "render": "auto"},
                       PUBLIC_RECORD)
    assert result.returncode == 0, result.log[-3000:]
    return result


@pytest.mark.timeout(240)
def test_every_article_is_exported_once(public_record, crawl):
    ids = [item["article_id"] for item in crawl.items]
    assert len(ids) == len(set(ids))
    assert set(ids) == {a.code for a in public_record.site.articles}
    for item in crawl.items:
        article = public_record.site.by_code[item["article_id"]]
        if not article.page_broken:
            expected = public_record.site.expected_item(article, public_record.url)
            assert {k: item[k] for k in expected} == expected


@pytest.mark.timeout(240)
def test_sections_come_from_article_urls_and_the_home_feed_is_paged_with_the_sites_headers(public_record, crawl):
    site, stats = public_record.site, crawl.stats
    assert not site.nav_sections
    assert stats["alinea/sections/found_by_article_url"] >= len(site.sections)
    assert "alinea/sections/found_by_navigation" not in stats
    headers = public_record.stats()["more_headers"]
    assert headers["xhr"] > 0 and headers["plain"] == 0
    feed_only = [a for a in site.articles if a.reach == "feed"]
    assert feed_only, "the replica hides articles in the home feed"
    for a in feed_only:
        via = crawl.by_id()[a.code]["discovered_from"]
        assert urlsplit(via).path == "/more" and parse_qs(urlsplit(via).query, keep_blank_values=True)["categorynext"] == [""]
    section_only = [a for a in site.articles if a.reach == "section"]
    assert section_only and all(urlsplit(crawl.by_id()[a.code]["discovered_from"]).path != "/" for a in section_only)


@pytest.mark.timeout(240)
def test_lists_that_never_fill_cost_at_most_three_renders(public_record, crawl):
    stats = crawl.stats
    assert stats["alinea/render/pages"] <= 3
    assert stats["playwright/page_count"] <= 3
    assert stats["alinea/render/skipped_budget"] > 0
    assert crawl.log.count("no more pages are rendered (ALINEA_RENDER_BUDGET=3)") == 1


@pytest.mark.timeout(240)
def test_pages_that_fail_for_good_are_read_from_amp_with_their_canonical_url(public_record, crawl):
    broken = [a for a in public_record.site.articles if a.page_broken]
    assert broken
    assert crawl.stats["alinea/amp/fallback"] == len(broken)
    assert "alinea/amp/failed" not in crawl.stats and crawl.report["failures"] == []
    for a in broken:
        item = crawl.by_id()[a.code]
        expected = public_record.site.expected_amp_item(a, public_record.url)
        assert item["url"] == expected["url"] and "/amp/" not in item["url"]
        assert item["layout"] == "amp"
        for field in ("title", "body", "image_caption", "published_at", "published_at_raw", "section", "authors"):
            assert item[field] == expected[field], field


@pytest.mark.timeout(240)
def test_a_js_list_with_a_prerendered_off_site_link_still_finds_the_hidden_articles(tmp_path):
    # faults: the replica's traps (an off-site link in every "Berita Lainnya") at a fault rate too low to matter
    with Replica(articles=24, seed=2021, faults=0.0001, fault_seed=1) as faulty:
        assert not faulty.plan.quirks
        result = run_crawl(tmp_path, {"base_url": faulty.url, "render": "auto"}, QUICK_RETRIES)
        site = faulty.site
    assert result.returncode == 0, result.log[-3000:]
    got = result.by_id()
    assert site.hidden_articles and {a.code for a in site.hidden_articles} <= set(got)
    assert set(got) == {a.code for a in site.articles}
    for item in result.items:
        assert all(OFFSITE_CODE not in url and url.startswith(faulty.url) for url in item["related_urls"])
        expected = site.expected_item(site.by_code[item["article_id"]], faulty.url)
        assert item["related_urls"] == expected["related_urls"]


def test_a_crawl_is_not_over_while_a_retry_waits_out_its_backoff(public_record, tmp_path):
    """The only page of the crawl answers 500 forever: its retries wait (freeing their download place) and
    the crawl must stay open for them and then for its AMP page, not close as idle in between."""
    broken = next(a for a in public_record.site.articles if a.page_broken)
    # one retry waiting 6 s: longer than the engine's 5 s heartbeat, which is when Scrapy checks for idleness
    result = run_crawl(tmp_path, {"base_url": public_record.url, "url": public_record.url + broken.path,
                                  "render": "never"}, {"ALINEA_RETRY_BACKOFF": "6", "RETRY_TIMES": "1"})
    stats = result.stats
    assert stats["retry/count"] == 1
    assert stats["alinea/amp/fallback"] == 1
    assert stats.get("alinea/articles/unaccounted", 0) == 0, result.log[-2000:]
