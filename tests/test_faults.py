"""A crawl of a flaky, half-broken replica: every article once and clean, every failure reported."""
from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest
from itemadapter import ItemAdapter
from parsel import Selector
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from alinea_crawler.extensions import describe_drop
from alinea_crawler.items import ArticleItem
from alinea_crawler.middlewares import (BackoffRetryMiddleware, PageRejected, is_overload, is_truncated_html,
                                        retry_after)
from alinea_crawler.pages.article import extract_article
from alinea_crawler.pipelines import CleanArticlePipeline, ValidateArticlePipeline
from alinea_crawler.spiders.alinea import AlineaSpider
from tests.crawl import closed_port_url, run_crawl
from tests.replica import Replica, build_site
from tests.replica.faults import BAD_DATE
from tests.replica.pages import article_page

# The crawler's limits, tight enough for the replica's slow and oversized pages to hit them.
FAULT_SETTINGS = {
    "DOWNLOAD_TIMEOUT": "1",
    "DOWNLOAD_MAXSIZE": "200000",
    "ALINEA_RETRY_BACKOFF": "0.1",
    "ALINEA_RETRY_AFTER_MAX": "0.2",  # the replica asks for 1 s; the test need not wait that long
    "RANDOMIZE_DOWNLOAD_DELAY": "0",
    "ALINEA_MAX_ERROR_RATE": "0.5",  # the replica breaks some pages for good
}
BASE = "http://replica.test"


@pytest.fixture(scope="module")
def faulty():
    with Replica(articles=36, seed=11, faults=0.25, fault_seed=5, fault_slow=1.5, fault_oversize=300_000) as r:
        yield r


@pytest.fixture(scope="module")
def crawl(faulty, tmp_path_factory):
    return run_crawl(tmp_path_factory.mktemp("faults"), {"base_url": faulty.url, "render": "never"}, FAULT_SETTINGS)


@pytest.mark.timeout(180)
def test_every_article_served_correctly_is_exported_once_and_clean(faulty, crawl):
    ids = [item["article_id"] for item in crawl.items]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(faulty.faults()["served_ok"])
    assert {a.code for a in faulty.site.listed_articles} - set(ids) <= {
        path.rsplit("-", 1)[-1] for path in faulty.plan.broken()}
    for item in crawl.items:
        expected = faulty.site.expected_item(faulty.site.by_code[item["article_id"]], faulty.url)
        expected.pop("related_urls")
        assert {k: item[k] for k in expected} == expected
        assert "Baca juga" not in item["body"] and "Sponsored" not in item["body"]


@pytest.mark.timeout(180)
def test_every_permanent_failure_is_reported_with_its_reason(faulty, crawl):
    reported = [(urlsplit(f["url"]).path, f["reason"]) for f in crawl.report["failures"]]
    for path, reason in faulty.plan.broken().items():
        assert any(p == path and reason in r for p, r in reported), (path, reason, reported)
    assert crawl.stats["alinea/failures"] == len(reported) == len(faulty.plan.broken())
    assert "page(s) failed:" in crawl.log


@pytest.mark.timeout(180)
def test_transient_faults_are_retried_after_a_wait(faulty, crawl):
    injected = faulty.faults()["injected"]
    assert {"slow", "drop", "truncated"} <= set(injected)
    assert {"throttle_429", "throttle_503"} & set(injected)  # with Retry-After
    assert crawl.stats["retry/count"] >= 1
    assert crawl.stats["alinea/retry/slowed_down"] >= 1
    assert "retry/max_reached" not in crawl.stats


@pytest.mark.timeout(180)
def test_nothing_off_site_is_requested_and_the_endless_load_more_stops(faulty, crawl):
    host = urlsplit(faulty.url).netloc
    assert set(faulty.faults()["hosts"]) == {host}
    # the off-site link in every "Berita Lainnya" is no related article
    assert all(urlsplit(url).netloc == host for item in crawl.items for url in item["related_urls"])
    assert crawl.stats["alinea/more/stopped/repeated"] >= 1


@pytest.mark.timeout(180)
def test_the_ledger_balances_every_article_exported_once_or_named_with_a_reason(faulty, crawl):
    assert crawl.stats["alinea/articles/unaccounted"] == 0 and crawl.report["unaccounted"] == []
    counts = crawl.report["articles"]
    assert counts["discovered"] == sum(n for fate, n in counts.items() if fate != "discovered")
    assert counts["exported"] == len(crawl.items)
    broken_articles = {path for path in faulty.plan.broken() if "berita-hilang" not in path}
    assert counts["failed"] + counts.get("dropped", 0) >= len(broken_articles)
    assert "failed               " in crawl.log and "HTTP 404" in crawl.log.split("Crawl summary")[1]


# ------------------------------------------------------------ a dead site stops the crawl

def test_an_unreachable_site_fails_at_once_with_one_line(tmp_path):
    url = closed_port_url()
    result = run_crawl(tmp_path, {"base_url": url, "render": "never"})
    assert result.returncode == 1
    line = f"site unreachable: {url.split('//')[1]}: DownloadConnectionRefusedError: Connection was refused"
    assert result.stats["finish_reason"] == "site_unreachable" and result.report["failed"].startswith(line)
    assert result.log.count(line) == 3  # the error, the summary's verdict, the last line
    assert result.log.rstrip().splitlines()[-1].endswith("crawl failed: " + result.report["failed"])
    assert "Traceback" not in result.log and "Quality check failed" not in result.log
    assert "request failed" not in result.log  # the queued requests are dropped without a line each
    assert "EMPTY: the crawl failed" in result.log


@pytest.mark.timeout(180)
def test_the_circuit_breaker_stops_a_site_that_fails_every_article(tmp_path):
    # the article server is dead, AMP copies included (with working AMP copies the site half works, and
    # whether the breaker trips would depend on how soon the AMP answers fill its window)
    with Replica(articles=60, seed=4, fault_dead="articles_amp_500") as dead:
        result = run_crawl(tmp_path, {"base_url": dead.url, "render": "never"}, {"ALINEA_RETRY_BACKOFF": "0.1"})
        article_requests = dead.faults()["injected"]["dead_500"]
    assert result.returncode == 1 and result.items == []
    assert result.stats["finish_reason"] == "site_unavailable"
    assert result.report["failed"].startswith(f"site unavailable: {dead.url.split('//')[1]}: ")
    assert "of the last 30 downloads failed (last: HTTP 500)" in result.report["failed"]
    assert article_requests < 4 * len(dead.site.listed_articles)  # it did not work through the queue
    assert result.report["unaccounted"] == [] and result.report["articles"]["not_fetched"] > 0


def test_retries_only_pause_the_whole_site_for_overload():
    crawler = get_crawler(AlineaSpider, {"ALINEA_RETRY_BACKOFF": 1.0})
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    assert is_overload(HtmlResponse(BASE, status=429)) and is_overload(HtmlResponse(BASE, status=503))
    assert is_overload(HtmlResponse(BASE, status=500, headers={"Retry-After": "3"}))
    assert not is_overload(HtmlResponse(BASE, status=500)) and not is_overload(HtmlResponse(BASE, status=502))
    assert middleware._backoff(Request(BASE, meta={"retry_times": 3})) == 4.0


# ------------------------------------------------------------ malformed pages, one by one

def _page(index: int = 0) -> tuple[str, str]:
    site = build_site(12, seed=3)
    a = site.articles[index]
    return BASE + a.path, article_page(BASE, site, a)


def test_truncated_html_is_retried_then_rejected_with_a_reason():
    url, html = _page()
    response = HtmlResponse(url, body=html[: len(html) // 2].encode(), headers={"Content-Type": "text/html"})
    assert is_truncated_html(response)
    assert not is_truncated_html(response.replace(body=html.encode()))
    assert extract_article(Selector(text=response.text), url) is not None  # half a page: no crash
    crawler = get_crawler(AlineaSpider, {"RETRY_TIMES": 1})
    crawler.spider = AlineaSpider.from_crawler(crawler, render="never")
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    retry = asyncio.run(middleware.process_response(Request(url), response))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    with pytest.raises(PageRejected, match="truncated HTML"):
        asyncio.run(middleware.process_response(retry, response))


@pytest.mark.parametrize("encode", [
    lambda html: html.replace('<meta charset="utf-8">', "").encode("cp1252"),  # undeclared windows-1252
    lambda html: b"\xef\xbb\xbf" + html.encode(),  # UTF-8 with a BOM
], ids=["windows-1252", "bom"])
def test_undeclared_windows_1252_and_bom_pages_read_correctly(encode):
    url, html = _page()
    html = html.replace("<p>", "<p>Layanan 5×24 jam. ", 1)
    response = HtmlResponse(url, body=encode(html), headers={"Content-Type": "text/html"})
    page = extract_article(Selector(text=response.text), url)
    assert "5×24" in page.body and not response.text.startswith("\ufeff")


def test_unparseable_date_is_dropped_with_a_clear_reason():
    crawler = get_crawler(AlineaSpider)
    crawler.spider = AlineaSpider.from_crawler(crawler, render="never")
    item = ArticleItem(url=BASE + "/politik/x-b12345678", article_id="b12345678", title="T", body="Satu.",
                       published_at_raw=BAD_DATE)
    CleanArticlePipeline(crawler).process_item(item)
    with pytest.raises(DropItem) as dropped:
        ValidateArticlePipeline(crawler).process_item(item)
    assert describe_drop(item, dropped.value) == f"unparseable date {BAD_DATE!r}"
    assert crawler.stats.get_value("alinea/date/unparsed") == 1
    assert ItemAdapter(item)["published_at"] is None


def test_retry_after_reads_seconds_and_dates():
    response = HtmlResponse(BASE, headers={"Retry-After": "7"})
    assert retry_after(response) == 7
    assert retry_after(response.replace(headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0
    assert retry_after(response.replace(headers={})) is None
