"""End to end (the real spider in a subprocess against the replica): a site that lists its articles the way
many Laravel news sites do — a sitemap index with a news sitemap and a gzipped one, sections and /indeks
paged with numbered links, a home feed whose load-more answers JSON, articles over several pages, and
articles found in the sitemaps only — crawled completely; hostile sitemaps refused; a callback error fails
the crawl."""

from __future__ import annotations

import json

import pytest

from tests.crawl import plain_expectation, run_crawl
from tests.replica import Replica
from tests.sabotage import MIDDLEWARE

LARAVEL = {"articles": 36, "seed": 7, "hidden_every": 0, "sitemap": "index", "sitemap_only_every": 6,
           "paging": "numbered", "multipage_every": 4}


def assert_every_article_exported_whole(result, replica):
    site = replica.site
    got = result.by_id()
    wanted = [a for a in site.articles if not a.page_broken]
    assert sorted(got) == sorted(a.code for a in wanted)
    for a in wanted:
        expected = plain_expectation(site, a, replica.url)
        assert {k: got[a.code][k] for k in expected} == expected, a.code


@pytest.mark.timeout(300)
@pytest.mark.parametrize("more_format", ["json_html", "json_objects"])
def test_a_laravel_shaped_site_is_crawled_completely(tmp_path, more_format):
    with Replica(**LARAVEL, more_format=more_format) as replica:
        result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"})
        served = replica.stats()["by_kind"]
    assert result.returncode == 0, result.report.get("failed")
    assert_every_article_exported_whole(result, replica)
    site, stats = replica.site, result.stats
    paged = [a for a in site.articles if a.pages > 1]
    assert paged and stats["alinea/article/multipage"] == len(paged)
    assert stats["alinea/article/pages_joined"] == sum(a.pages for a in paged)
    assert stats[f"alinea/listing/answer/{more_format}"] >= 1 and stats["alinea/paging/followed"] >= 1
    assert not any(key.startswith("alinea/listing/no_links/") for key in stats)
    # the sitemaps: an index, a news sitemap and a gzipped one; articles found there and nowhere else are named
    assert (stats["alinea/sitemap/index"], stats["alinea/sitemap/fetched"], served["sitemap"]) == (1, 2, 3)
    only_in_sitemaps = {a.code for a in site.articles if a.reach == "sitemap"}
    assert only_in_sitemaps
    reported = result.report["completeness"]["sitemap_only"]
    assert {item["url"].rsplit("-", 1)[1] for item in reported} == only_in_sitemaps
    assert all(item["fate"] == "exported" and "/sitemap" in item["sitemap"] for item in reported)
    by_id = result.by_id()
    assert all("/sitemap" in by_id[code]["discovered_from"] for code in only_in_sitemaps)
    assert all("/sitemap" not in item["discovered_from"] for code, item in by_id.items() if code not in only_in_sitemaps)
    assert f"{len(only_in_sitemaps)} reached by no listing" in result.log
    assert stats["alinea/completeness/listings_stopped_early"] == 0


@pytest.mark.timeout(300)
def test_single_page_views_plain_sitemap_fallback_and_classic_load_more(tmp_path):
    """robots.txt names no sitemap: /sitemap.xml is found; paged articles offer "Tampilkan semua"."""
    with Replica(articles=24, seed=3, hidden_every=0, sitemap="plain", sitemap_only_every=5, multipage_every=3,
                 single_view=True) as replica:
        result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"})
    assert result.returncode == 0, result.report.get("failed")
    assert_every_article_exported_whole(result, replica)
    paged = [a for a in replica.site.articles if a.pages > 1]
    assert result.stats["alinea/article/single_view"] == len(paged) == result.stats["alinea/article/multipage"]
    assert "alinea/article/pages_joined" not in result.stats  # the single view, not the pages, was read
    assert result.stats["alinea/sitemap/fetched"] == 1


@pytest.mark.timeout(300)
def test_the_classic_site_without_sitemaps_is_unchanged_and_says_so_once(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"})
    assert result.returncode == 0, result.report.get("failed")
    assert result.stats["alinea/sitemap/absent"] == 1 and "no sitemap: robots.txt names none" in result.log
    assert result.report["completeness"]["sitemap_articles"] == 0
    assert "in sitemaps" not in result.log


@pytest.mark.timeout(300)
def test_hostile_sitemaps_are_refused_counted_and_the_crawl_goes_on(tmp_path):
    with Replica(articles=12, seed=5, hidden_every=0, sitemap="index", sitemap_attack=True) as replica:
        result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"})
        served = replica.stats()["by_kind"]
    assert result.returncode == 0, result.report.get("failed")
    stats = result.stats
    refused = {key.rpartition("/")[2]: value for key, value in stats.items() if key.startswith("alinea/sitemap/refused/")}
    # the bomb and the million URLs inflate past DOWNLOAD_MAXSIZE; entities; the index itself again and the
    # loop back to it; another host (never asked)
    assert refused == {"too_large": 2, "dtd": 2, "repeated": 2, "other_host": 1}
    assert served["sitemap"] == 1 + 2 + 5  # the index, its two good sitemaps, five hostile ones: each once
    assert "other-host.invalid" not in json.dumps(stats) and "DNSLookupError" not in result.log
    assert stats.get("memusage/max", 0) < 1024 ** 3
    assert len(result.items) == len([a for a in replica.site.articles if not a.page_broken])
    assert not any("LAUGHS" in item["url"] or "XXE" in item["url"] or "root:" in item["body"] for item in result.items)
    assert result.log.count("sitemap refused (") == 7


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", ["section", "sitemap"])
def test_an_error_in_any_callback_fails_the_crawl(tmp_path, kind):
    with Replica(articles=12, seed=6, hidden_every=0, sitemap="index") as replica:
        result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"},
                           {"SPIDER_MIDDLEWARES": json.dumps(MIDDLEWARE), "SABOTAGE_RAISE_KIND": kind})
    assert result.returncode == 1
    assert "1 page(s) raised an error in the spider (ValueError 1; see the log)" in result.report["failed"]
    assert result.log.rstrip().endswith(f"crawl failed: {result.report['failed']}")


@pytest.mark.timeout(300)
def test_listings_cut_short_and_sitemap_articles_never_reached_are_said_out_loud(tmp_path):
    """max_pages=1: numbered listings stop at page 1, so the sitemap names articles no listing reached."""
    with Replica(**{**LARAVEL, "articles": 90}, more_format="json_html") as replica:
        result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never", "max_pages": "1",
                                      "follow_related": "0"})
    assert result.returncode == 0, result.report.get("failed")
    found = result.report["completeness"]
    stops = found["listings_stopped_early"]
    assert stops and {stop["reason"] for stop in stops} == {"max_pages"}
    assert {stop["listing"] for stop in stops} >= {"indeks", "home"}
    assert result.stats["alinea/completeness/listings_stopped_early"] == len(stops)
    assert f"listings cut short   {len(stops)} (max_pages {len(stops)})" in result.log
    # beyond the articles listed only there, the sitemap names those on the pages not read
    assert len(found["sitemap_only"]) > len([a for a in replica.site.articles if a.reach == "sitemap"])


def test_sections_of_the_navigation_that_gave_no_article_are_named():
    from alinea_crawler.completeness import account, summary_lines
    from tests.test_navigation import BASE, html_response, page
    from tests.test_paging import with_ledger

    s, ledger = with_ledger()
    nav = '<nav class="main-nav"><a href="/bisnis">Bisnis</a><a href="/kolom">Kolom</a></nav>'
    list(s.parse_home(html_response(BASE + "/", page(nav))))
    list(s.parse_section(html_response(f"{BASE}/bisnis", page(
        f'<div class="box1"><a href="{BASE}/bisnis/judul-bAAAAAAAA">t</a></div>')), "bisnis"))
    list(s.parse_section(html_response(f"{BASE}/kolom", page("<p>Belum ada tulisan</p>")), "kolom"))
    found = account(s.listings, ledger)
    assert found["sections_without_articles"] == ["kolom"]
    assert "  empty sections       1 in the navigation gave no article: kolom" in summary_lines(found)
