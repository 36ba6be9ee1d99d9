"""Navigation rules of the spider, driven directly (no network): one request per article, depth from listings."""

from datetime import datetime, timezone

from scrapy.utils.test import get_crawler

from alinea_crawler.items import ArticleItem
from alinea_crawler.spiders.alinea import AlineaSpider

BASE = "https://www.alinea.id"
A, B, C = (f"{BASE}/politik/judul-{code}" for code in ("bAAAAAAAA", "bBBBBBBBB", "bCCCCCCCC"))


def spider(**kwargs) -> AlineaSpider:
    crawler = get_crawler(AlineaSpider, {"TELNETCONSOLE_ENABLED": False})
    crawler.spider = made = AlineaSpider.from_crawler(crawler, render="never", **kwargs)
    return made


def urls(requests) -> list[str]:
    return [request.url for request in requests]


def test_each_article_is_requested_once_whatever_the_url_variant():
    s = spider()
    assert urls(s.article_requests(A + "?utm_source=home", via=BASE, depth=0)) == [A]
    assert urls(s.article_requests(A + "/", via=BASE, depth=0)) == []
    assert urls(s.article_requests(f"{BASE}/nasional/judul-lama-bAAAAAAAA", via=BASE, depth=1)) == []
    assert s.crawler.stats.get_value("alinea/articles/seen_again") == 2


def test_related_links_are_followed_up_to_related_depth():
    s = spider(related_depth="1")
    listed = ArticleItem(url=A, article_id="bAAAAAAAA", related_urls=[B])
    s.requested_ids["bAAAAAAAA"] = 0
    outputs = list(s.finish_article(listed, depth=0))
    assert outputs[0] is listed and urls(outputs[1:]) == [B]
    related = ArticleItem(url=B, article_id="bBBBBBBBB", related_urls=[C])
    assert list(s.finish_article(related, depth=1)) == [related]  # depth limit reached


def test_an_article_found_first_through_a_related_link_counts_as_listed_once_a_listing_names_it():
    s = spider(related_depth="1")
    s.requested_ids["bAAAAAAAA"] = 0
    list(s.article_requests(B, via=A, depth=1))
    related = ArticleItem(url=B, article_id="bBBBBBBBB", related_urls=[C])
    assert list(s.finish_article(related, depth=1)) == [related]
    # later, a section card names B: its own related links are followed after all
    assert urls(s.article_requests(B, via=f"{BASE}/politik", depth=0)) == [C]
    assert s.requested_ids["bBBBBBBBB"] == 0 and "bBBBBBBBB" not in s.unfollowed


def test_follow_related_off_follows_nothing():
    s = spider(follow_related="0")
    item = ArticleItem(url=A, article_id="bAAAAAAAA", related_urls=[B, C])
    assert list(s.finish_article(item, depth=0)) == [item]


def test_since_reads_relative_card_dates_against_now():
    from alinea_crawler.pages.listing import Card

    s = spider(since="2000-01-01")
    assert not s.older_than_since(Card(A, "bAAAAAAAA", "judul", "2 jam lalu"))
    s = spider(since=datetime.now(timezone.utc).isoformat())
    assert s.older_than_since(Card(A, "bAAAAAAAA", "judul", "2 jam lalu"))
    assert s.older_than_since(Card(A, "bAAAAAAAA", "judul", "kemarin"))
    assert not s.older_than_since(Card(A, "bAAAAAAAA", "judul", "tanggal tak terbaca"))  # unknown: keep paging
