"""A crawl of a flaky, half-broken replica: every article once and clean, every failure reported."""
from __future__ import annotations

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
from alinea_crawler.middlewares import BackoffRetryMiddleware, PageRejected, is_truncated_html, retry_after
from alinea_crawler.pages.article import extract_article
from alinea_crawler.pipelines import CleanArticlePipeline, ValidateArticlePipeline
from alinea_crawler.spiders.alinea import AlineaSpider
from tests.crawl import run_crawl
from tests.replica import Replica, build_site
from tests.replica.faults import BAD_DATE
from tests.replica.pages import article_page

# The crawler's limits, tight enough for the replica's slow and oversized pages to hit them.
FAULT_SETTINGS = {
    "DOWNLOAD_TIMEOUT": "1",
    "DOWNLOAD_MAXSIZE": "200000",
    "ALINEA_RETRY_BACKOFF": "0.1",
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
    retry = middleware.process_response(Request(url), response)
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    with pytest.raises(PageRejected, match="truncated HTML"):
        middleware.process_response(retry, response)


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
