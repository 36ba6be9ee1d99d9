"""IncrementalMiddleware and RevisionPipeline on plain requests and signals: no network, no reactor.

Every test that touches the state runs twice, against each backend: a SQLite
file and a real PostgreSQL database (``state`` fixture).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from alinea_crawler.addons import ExportDirAddon
from alinea_crawler.incremental import ArticleUnchanged, IncrementalMiddleware, RevisionPipeline
from alinea_crawler.items import ArticleItem
from alinea_crawler.spiders.alinea import AlineaSpider
from alinea_crawler.state import Exported, open_store
from tests.replica import build_site
from tests.replica.pages import section_page

BASE = "http://alinea.test"
SITE = build_site(articles=24, seed=2021)
SECTION = next(s for s in SITE.sections if SITE.listing(s))
FEED = "/tmp/items-%(batch_id)d.jsonl"


def make_crawler(state: str, refresh: bool = False, **settings):
    crawler = get_crawler(AlineaSpider, {"ALINEA_INCREMENTAL": True, "ALINEA_STATE_URL": state, **settings})
    crawler.spider = AlineaSpider(base_url=BASE, refresh=str(int(refresh)))  # no from_crawler: no browser lookup
    return crawler


def make_middleware(state: str, refresh: bool = False, **settings) -> IncrementalMiddleware:
    return IncrementalMiddleware.from_crawler(make_crawler(state, refresh, **settings))


def article(code: str) -> scrapy.Request:
    return scrapy.Request(f"{BASE}/politik/judul-{code}", meta={"kind": "article"})


def section_response() -> HtmlResponse:
    html = section_page(BASE, SITE, SECTION, token="t" * 40)
    return HtmlResponse(f"{BASE}/{SECTION}", body=html, encoding="utf-8")


def more_request() -> scrapy.FormRequest:
    return scrapy.FormRequest(f"{BASE}/more", formdata={"next": "10"}, meta={"kind": "more"})


def output(mw: IncrementalMiddleware, requests: list[scrapy.Request], response=None) -> list[scrapy.Request]:
    return list(mw.process_spider_output(response, requests))


def record(mw: IncrementalMiddleware, codes: list[str]) -> None:
    mw.store.record(Exported(code, f"{BASE}/x/y-{code}") for code in codes)


def stat(mw: IncrementalMiddleware, what: str) -> int:
    return mw.crawler.stats.get_value(f"alinea/incremental/{what}", 0)


def scrape(mw: IncrementalMiddleware, codes: list[str]) -> None:
    for code in codes:
        mw.crawler.signals.send_catch_log(signals.item_scraped, item={"article_id": code, "url": f"{BASE}/x/y-{code}"},
                                          response=None, spider=mw.crawler.spider)


def close_slot(mw: IncrementalMiddleware, itemcount: int, uri: str = FEED) -> None:
    mw.crawler.signals.send_catch_log(signals.feed_slot_closed, slot=SimpleNamespace(uri_template=uri, itemcount=itemcount))


def test_off_by_default(tmp_path):
    crawler = get_crawler(AlineaSpider, {"ALINEA_STATE_PATH": str(tmp_path / "s.sqlite3")})
    with pytest.raises(NotConfigured):
        IncrementalMiddleware.from_crawler(crawler)


def test_known_article_requests_are_skipped(state):
    mw = make_middleware(state)
    record(mw, ["bAAAAAAAA1"])
    kept = output(mw, [article("bAAAAAAAA1"), article("bBBBBBBBB2"), scrapy.Request(f"{BASE}/politik")])
    assert [r.url for r in kept] == [f"{BASE}/politik/judul-bBBBBBBBB2", f"{BASE}/politik"]
    assert stat(mw, "skipped") == 1


def test_more_request_dropped_when_every_card_is_known(state):
    mw = make_middleware(state)
    codes = [a.code for a in SITE.listing(SECTION)]
    record(mw, codes[1:])
    assert output(mw, [more_request()], section_response()), "one card is new: page 2 may hold more"
    record(mw, codes[:1])
    assert output(mw, [more_request()], section_response()) == []
    assert stat(mw, "listing_stopped") == 1


def test_refresh_skips_nothing_but_records(state):
    mw = make_middleware(state, refresh=True, FEEDS={FEED: {"format": "jsonlines"}})
    record(mw, [a.code for a in SITE.listing(SECTION)] + ["bAAAAAAAA1"])
    assert len(output(mw, [article("bAAAAAAAA1"), more_request()], section_response())) == 2
    scrape(mw, ["bCCCCCCCC3"])
    close_slot(mw, 1)
    assert mw.store.known(["bCCCCCCCC3"]) == {"bCCCCCCCC3"}
    assert stat(mw, "skipped") == stat(mw, "listing_stopped") == 0


def test_ids_recorded_only_when_their_feed_batch_is_stored(state):
    mw = make_middleware(state, FEEDS={FEED: {"format": "jsonlines", "batch_item_count": 2}})
    scrape(mw, ["bAAAAAAAA1", "bBBBBBBBB2", "bCCCCCCCC3"])
    assert mw.store.count() == 0, "scraped is not stored: nothing recorded before a slot closes"
    close_slot(mw, 2)
    assert mw.store.known(["bAAAAAAAA1", "bBBBBBBBB2", "bCCCCCCCC3"]) == {"bAAAAAAAA1", "bBBBBBBBB2"}
    close_slot(mw, 1)
    assert mw.store.count() == 3 and stat(mw, "recorded") == 3


def test_every_feed_must_be_stored(state):
    mw = make_middleware(state, FEEDS={FEED: {"format": "jsonlines"}, "/tmp/b.csv": {"format": "csv"}})
    scrape(mw, ["bAAAAAAAA1"])
    close_slot(mw, 1)
    assert mw.store.count() == 0
    close_slot(mw, 1, uri="/tmp/b.csv")
    assert mw.store.count() == 1


def test_failed_feed_storage_records_nothing(state):
    mw = make_middleware(state, FEEDS={FEED: {"format": "jsonlines"}})
    scrape(mw, ["bAAAAAAAA1"])
    mw.crawler.stats.inc_value("feedexport/failed_count/FileFeedStorage")
    close_slot(mw, 1)
    assert mw.store.count() == 0


@pytest.mark.parametrize(("reason", "recorded"), [("finished", 1), ("shutdown", 0)])
def test_without_feeds_recorded_when_crawl_finishes(state, reason, recorded):
    mw = make_middleware(state)
    scrape(mw, ["bAAAAAAAA1"])
    mw.crawler.signals.send_catch_log(signals.spider_closed, spider=mw.crawler.spider, reason=reason)
    assert mw.store.count() == recorded


def test_store_upserts(state):
    store = open_store(state)
    store.record([Exported("bAAAAAAAA1", "u1", "h1", 1, "2026-01-01T10:00:00+07:00")])
    store.record([Exported("bAAAAAAAA1", "u2", "h2", 2, "2026-01-01T10:00:00+07:00")])
    assert store.count() == 1
    assert store.conn.execute("SELECT url FROM exported").fetchone() == ("u2",)
    assert store.latest("bAAAAAAAA1") == ("h2", 2) and store.latest("bZZZZZZZZ9") is None
    assert store.published(["bAAAAAAAA1", "bZZZZZZZZ9"]) == {"bAAAAAAAA1": "2026-01-01T10:00:00+07:00"}


def test_store_knows_when_each_article_was_exported(state):
    store = open_store(state)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    store.record([Exported("bAAAAAAAA1", "u1", "h1", 1, None)])
    exported = store.exported_at("bAAAAAAAA1")
    assert before <= exported <= datetime.now(timezone.utc) and exported.utcoffset() == timedelta(0)
    assert store.exported_at("bZZZZZZZZ9") is None


def test_export_dir_addon_adds_feeds_next_to_existing(tmp_path):
    settings = Settings({"ALINEA_EXPORT_DIR": str(tmp_path / "100%"), "FEEDS": {"a.jsonl": {"format": "jsonlines"}}})
    ExportDirAddon().update_settings(settings)
    feeds = settings.getdict("FEEDS")
    folder = str(tmp_path / "100%%")
    assert set(feeds) == {"a.jsonl", f"{folder}/alinea-%(job_id)s.csv", f"{folder}/alinea-%(job_id)s.jsonl"}
    assert feeds[f"{folder}/alinea-%(job_id)s.csv"]["format"] == "csv"


def record_published(mw: IncrementalMiddleware, codes: list[str], published_at: str) -> None:
    mw.store.record(Exported(code, f"{BASE}/x/y-{code}", "h", 1, published_at) for code in codes)


def test_recent_articles_are_revisited_and_keep_listings_paging(state):
    mw = make_middleware(state, ALINEA_REVISIT_DAYS=2)
    now = datetime.now(timezone.utc)
    record_published(mw, ["bAAAAAAAA1"], (now - timedelta(days=1)).isoformat())
    record_published(mw, ["bBBBBBBBB2"], (now - timedelta(days=3)).isoformat())
    kept = output(mw, [article("bAAAAAAAA1"), article("bBBBBBBBB2")])
    assert [r.url for r in kept] == [f"{BASE}/politik/judul-bAAAAAAAA1"]
    assert stat(mw, "revisited") == stat(mw, "skipped") == 1
    codes = [a.code for a in SITE.listing(SECTION)]
    record_published(mw, codes[1:], (now - timedelta(days=3)).isoformat())
    record_published(mw, codes[:1], (now - timedelta(hours=5)).isoformat())
    assert output(mw, [more_request()], section_response()), "a card due for a revisit counts as new"


def test_revisions_need_a_changed_hash(state):
    crawler = make_crawler(state)
    pipeline = RevisionPipeline.from_crawler(crawler)
    pipeline.store.record([Exported("bAAAAAAAA1", f"{BASE}/x/y-bAAAAAAAA1", "a" * 64, 1)])

    def item(code: str, digest: str) -> ArticleItem:
        return ArticleItem(url=f"{BASE}/x/y-{code}", article_id=code, content_hash=digest, revision=1)

    assert pipeline.process_item(item("bBBBBBBBB2", "b" * 64)).revision == 1, "new: revision 1"
    assert pipeline.process_item(item("bAAAAAAAA1", "c" * 64)).revision == 2, "edited: revision + 1"
    with pytest.raises(ArticleUnchanged):
        pipeline.process_item(item("bAAAAAAAA1", "a" * 64))
    assert crawler.stats.get_value("alinea/incremental/revised") == 1
    assert crawler.stats.get_value("alinea/incremental/unchanged") == 1
