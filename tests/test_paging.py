"""The spider's navigation over every listing shape, driven directly (no network): numbered pages and their
stop rules, load-more answers of any shape, sitemaps (ranges, loops, other hosts, depth), articles over
several pages, and where the ledger says an article was found."""

from __future__ import annotations

import gzip
import json

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse

from alinea_crawler.extensions import page_failed
from alinea_crawler.items import ArticleItem
from alinea_crawler.ledger import ArticleLedger
from tests.test_navigation import BASE, _http_failure, cards, html_response, page, requests_of, spider

A, B, C, D = (f"{BASE}/politik/judul-{code}" for code in ("bAAAAAAAA", "bBBBBBBBB", "bCCCCCCCC", "bDDDDDDDD"))
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def with_ledger(**kwargs):
    s = spider(**kwargs)
    ledger = ArticleLedger(s.crawler)
    s.crawler.extensions = type("Extensions", (), {"middlewares": [ledger]})()
    return s, ledger


def json_response(url: str, data, **meta) -> TextResponse:
    return TextResponse(url, body=json.dumps(data).encode(), encoding="utf-8",
                        headers={"Content-Type": "application/json"}, request=Request(url, meta=meta))


def sitemap_response(url: str, body: bytes, depth: int = 0):
    request = Request(url, meta={"kind": "sitemap"}, cb_kwargs={"depth": depth})
    return (Response if body[:2] == b"\x1f\x8b" else XmlResponse)(url, body=body, request=request)


def urlset(*entries: str) -> bytes:
    return f'<urlset {NS}>{"".join(entries)}</urlset>'.encode()


# ---------------------------------------------------------------- numbered pages

def test_a_section_with_numbered_pages_follows_them_with_provenance_and_stops_on_repeated_cards():
    s = spider()
    pager = '<ul class="pagination"><li><span>1</span></li><li><a href="/politik?page=2">2</a></li></ul>'
    out = list(s.parse_section(html_response(f"{BASE}/politik", page(cards(A, B) + pager)), "politik"))
    [nxt] = requests_of(out, "page")
    assert nxt.url == f"{BASE}/politik?page=2" and nxt.cb_kwargs == {"listing": "politik", "page": 2}
    assert nxt.meta["cookiejar"] == "politik"
    pager2 = '<a href="/politik?page=1">1</a><a rel="next" href="/politik?page=3">3</a>'
    out2 = list(s.parse_page(html_response(nxt.url, page(cards(C) + pager2)), "politik", 2))
    assert [r.meta["via"] for r in requests_of(out2, "article")] == [nxt.url]  # discovered_from: page 2
    [third] = requests_of(out2, "page")
    out3 = list(s.parse_page(html_response(third.url, page(cards(C) + '<a href="?page=4">4</a>')), "politik", 3))
    assert not requests_of(out3, "page")
    assert s.crawler.stats.get_value("alinea/paging/stopped/repeated") == 1


def test_numbered_pages_stop_at_max_pages_and_say_the_listing_was_cut_short():
    s = spider(max_pages="1")
    pager = '<a href="/indeks?page=2">2</a>'
    assert not requests_of(s.parse_listing(html_response(f"{BASE}/indeks", page(cards(A) + pager))), "page")
    assert s.crawler.stats.get_value("alinea/paging/stopped/max_pages") == 1
    assert s.listings.stopped == [{"listing": "indeks", "url": f"{BASE}/indeks", "reason": "max_pages"}]


def test_numbered_pages_stop_past_since():
    s = spider(since="2026-11-21")
    pager = '<a href="/politik?page=2">2</a>'
    out = list(s.parse_section(html_response(f"{BASE}/politik", page(cards(A) + pager)), "politik"))
    assert not requests_of(out, "page") and not requests_of(out, "article")  # the card is older than since
    assert s.crawler.stats.get_value("alinea/paging/stopped/since") == 1


def test_an_empty_page_ends_the_listing():
    s = spider()
    assert not list(s.parse_page(html_response(f"{BASE}/politik?page=9", page("<p>Tidak ada berita</p>")),
                                 "politik", 9))
    assert s.crawler.stats.get_value("alinea/paging/exhausted") == 1


# ---------------------------------------------------------------- load-more answers of any shape

def test_load_more_answered_with_json_holding_the_cards_html_or_article_objects():
    s = spider()
    token = "t" * 40
    html_inside = json_response(f"{BASE}/more", {"html": cards(A, B), "next": 20})
    out = list(s.parse_more(html_inside, "politik", token, offset=10, page=2))
    assert [r.url for r in requests_of(out, "article")] == [A, B]
    assert requests_of(out, "more")[0].cb_kwargs["offset"] == 20
    objects = json_response(f"{BASE}/more", {"data": [{"title": "C", "url": C, "published_at": "2026-11-20"}]})
    out = list(s.parse_more(objects, "politik", token, offset=20, page=3))
    assert [r.url for r in requests_of(out, "article")] == [C]
    assert s.crawler.stats.get_value("alinea/listing/answer/json_html") == 1
    assert s.crawler.stats.get_value("alinea/listing/answer/json_objects") == 1
    # the end of a JSON feed is an empty JSON answer: the listing's end, not an unknown shape
    assert not list(s.parse_more(json_response(f"{BASE}/more", {"html": ""}), "politik", token, 30, 4))
    assert s.crawler.stats.get_value("alinea/more/exhausted") == 1
    assert not s.crawler.stats.get_value("alinea/listing/no_links/json")


def test_an_answer_of_an_unseen_shape_without_links_is_said_once_and_counted(caplog):
    s = spider()
    for offset in (10, 20):
        assert not list(s.parse_more(json_response(f"{BASE}/more", {"ok": True, "items": 0}), "", "t", offset, 2))
    warnings = [r.getMessage() for r in caplog.records if "without article links" in r.getMessage()]
    assert warnings == [f"load-more answered application/json without article links: {BASE}/more"]
    assert s.crawler.stats.get_value("alinea/listing/no_links/json") == 2
    assert {stop["reason"] for stop in s.listings.stopped} == {"no_links"}


def test_binary_or_broken_answers_never_raise():
    s = spider()
    image = Response(f"{BASE}/more", body=b"\xff\xd8\xff\xe0", request=Request(f"{BASE}/more"))
    assert not list(s.parse_more(image, "politik", "t", 10, 2))
    assert not list(s.parse_page(image, "politik", 2))
    assert not requests_of(s.parse_section(image, "politik"), "article")
    assert not list(s.parse_more(json_response(f"{BASE}/more", [1, None, {"a": []}]), "politik", "t", 10, 2))


# ---------------------------------------------------------------- sitemaps

def test_robots_names_the_sitemaps_else_sitemap_xml_is_tried_and_its_absence_is_no_failure():
    s = spider()
    robots = TextResponse(f"{BASE}/robots.txt", body=b"User-agent: *\nSitemap: /news.xml\nSitemap: /s.xml.gz\n",
                          request=Request(f"{BASE}/robots.txt"))
    assert [r.url for r in s.parse_robots(robots)] == [f"{BASE}/news.xml", f"{BASE}/s.xml.gz"]
    bare = TextResponse(f"{BASE}/robots.txt", body=b"User-agent: *\n", request=Request(f"{BASE}/robots.txt"))
    [default] = s.parse_robots(bare)
    assert default.url == f"{BASE}/sitemap.xml" and default.meta["kind"] == "sitemap"
    [next_place] = s.sitemap_failed(_http_failure(default, 404))
    assert next_place.url == f"{BASE}/sitemap_index.xml"
    assert not s.crawler.stats.get_value("alinea/request_error/sitemap")


def test_a_sitemap_index_loop_another_host_and_depth_are_refused_counted():
    s = spider(settings={"ALINEA_SITEMAP_MAX_DEPTH": 1})
    index = (f'<sitemapindex {NS}><sitemap><loc>{BASE}/sitemap.xml</loc></sitemap>'
             f'<sitemap><loc>{BASE}/child.xml</loc></sitemap>'
             f'<sitemap><loc>https://evil.example/sitemap.xml</loc></sitemap></sitemapindex>').encode()
    [top] = s.default_sitemap(BASE + "/robots.txt")
    assert top.url == f"{BASE}/sitemap.xml"
    [child] = s.parse_sitemap(sitemap_response(top.url, index), depth=0)  # itself again, and evil: refused
    assert child.url == f"{BASE}/child.xml" and child.cb_kwargs == {"depth": 1}
    grandchild = f'<sitemapindex {NS}><sitemap><loc>{BASE}/deeper.xml</loc></sitemap></sitemapindex>'.encode()
    assert not list(s.parse_sitemap(sitemap_response(child.url, grandchild, 1), depth=1))
    stats = s.crawler.stats
    assert [stats.get_value(f"alinea/sitemap/refused/{why}") for why in ("repeated", "other_host", "too_deep")] \
        == [1, 1, 1]


def test_sitemap_articles_honour_since_until_and_sections_and_carry_lastmod():
    s, ledger = with_ledger(since="2026-11-01", until="2026-11-30", sections="politik")
    news = urlset(
        f"<url><loc>{A}</loc><news:news><news:publication_date>2026-11-20T09:00:00+07:00</news:publication_date>"
        "</news:news><lastmod>2026-11-22T10:00:00+07:00</lastmod></url>",
        f"<url><loc>{B}</loc><lastmod>2026-10-02</lastmod></url>",  # changed last before since
        f"<url><loc>{C}</loc><news:news><news:publication_date>2026-12-02</news:publication_date></news:news></url>",
        f"<url><loc>{BASE}/bisnis/judul-bEEEEEEEE</loc></url>",  # another section
        f"<url><loc>{BASE}/politik</loc></url>",  # no article
        f"<url><loc>https://evil.example/politik/judul-bFFFFFFFF</loc></url>")
    url = f"{BASE}/news.xml.gz"
    out = list(s.parse_sitemap(sitemap_response(url, gzip.compress(news)), depth=1))
    [article] = requests_of(out, "article")
    assert article.url == A and article.meta["via"] == url
    assert article.meta["lastmod"] == "2026-11-22T10:00:00+07:00"
    fates = {code: entry.fate for code, entry in ledger.entries.items()}
    assert fates == {"bAAAAAAAA": None, "bBBBBBBBB": "out_of_range", "bCCCCCCCC": "out_of_range",
                     "bEEEEEEEE": "other_section"}
    assert s.crawler.stats.get_value("alinea/sitemap/not_article") == 2


def test_an_article_found_by_a_listing_too_is_not_sitemap_only():
    s, ledger = with_ledger()
    sitemap = f"{BASE}/sitemap.xml"
    list(s.parse_sitemap(sitemap_response(sitemap, urlset(f"<url><loc>{A}</loc></url>",
                                                          f"<url><loc>{B}</loc></url>")), depth=0))
    list(s.parse_listing(html_response(f"{BASE}/indeks", page(cards(B)))))
    assert (ledger.entries["bAAAAAAAA"].via, ledger.entries["bAAAAAAAA"].sitemap) == (sitemap, sitemap)
    assert (ledger.entries["bBBBBBBBB"].via, ledger.entries["bBBBBBBBB"].sitemap) == (f"{BASE}/indeks", sitemap)
    assert ledger.via("bBBBBBBBB", None) == f"{BASE}/indeks"  # the item's discovered_from
    # a second sitemap listing it keeps it sitemap-only
    list(s.parse_sitemap(sitemap_response(f"{BASE}/news.xml", urlset(f"<url><loc>{A}</loc></url>")), depth=0))
    assert ledger.entries["bAAAAAAAA"].via == sitemap


def test_a_hostile_sitemap_is_refused_with_its_reason():
    s = spider(settings={"DOWNLOAD_MAXSIZE": 1_000_000, "ALINEA_SITEMAP_MAX_URLS": 2})
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    laughs = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc></url></urlset>'
    many = urlset(*(f"<url><loc>{BASE}/politik/x-b{i:08d}</loc></url>" for i in range(5)))
    for name, body in (("bomb.xml.gz", bomb), ("laughs.xml", laughs), ("many.xml", many)):
        list(s.parse_sitemap(sitemap_response(f"{BASE}/{name}", body), depth=0))
    stats = s.crawler.stats
    assert [stats.get_value(f"alinea/sitemap/refused/{why}") for why in ("too_large", "dtd", "too_many_urls")] \
        == [1, 1, 1]
    assert stats.get_value("alinea/sitemap/articles") == 2  # the first two entries of the long one were read


# ---------------------------------------------------------------- articles over several pages

ARTICLE = ('<div class="detail"><h1 class="title">Judul</h1><div class="byline"><div class="frontdate">'
           'Jumat, 20 Nov 2026 09:00 WIB</div></div><div class="artikelend"><article>{paras}</article></div>'
           '{pager}</div>')


def article_page(url: str, paras: list[str], pager: str = "", **meta) -> HtmlResponse:
    body = ARTICLE.format(paras="".join(f"<p>{p}</p>" for p in paras), pager=pager)
    return html_response(url, page(body), **meta)


def pager(current: int, last: int, single: bool = False) -> str:
    links = [f"<span>{n}</span>" if n == current else f'<a href="{A}?page={n}">{n}</a>' for n in range(1, last + 1)]
    nxt = [f'<a href="{A}?page={current + 1}">Selanjutnya</a>'] if current < last else []
    show_all = [f'<a href="{A}?page=all">Tampilkan semua</a>'] if single else []
    return f'<div class="article-pagination">Halaman {" ".join(links + nxt + show_all)}</div>'


WORDS = ("pemerintah daerah menyiapkan anggaran bantuan sosial bagi warga desa yang terdampak banjir "
         "sejak pekan lalu dan meminta dinas terkait mempercepat penyaluran").split()


def paragraphs(page_no: int) -> list[str]:
    """Three long paragraphs per page, each naming its page and place."""
    return [f"Halaman {page_no} paragraf {n}: " + " ".join(WORDS[n:] + WORDS[:n]) + "." for n in range(3)]


FIRST, SECOND = paragraphs(1), paragraphs(2)


def test_an_article_over_two_pages_is_one_item_with_both_bodies_in_order():
    s = spider()
    [nxt] = s.parse_article(article_page(A, FIRST, pager(1, 2), via=f"{BASE}/politik"), depth=0)
    assert nxt.meta["kind"] == "article_page" and nxt.url == f"{A}?page=2" and nxt.dont_filter
    assert nxt.meta["via"] == f"{BASE}/politik"
    [item] = [o for o in s.parse_article_page(article_page(nxt.url, SECOND, pager(2, 2)), **nxt.cb_kwargs)
              if isinstance(o, ArticleItem)]
    assert item.body.split("\n\n") == FIRST + SECOND and item.url == A
    assert s.crawler.stats.get_value("alinea/article/multipage") == 1
    assert s.crawler.stats.get_value("alinea/article/pages_joined") == 2


def test_the_single_page_view_is_preferred_when_offered():
    s = spider()
    [whole] = s.parse_article(article_page(A, FIRST, pager(1, 2, single=True)), depth=0)
    assert whole.url == f"{A}?page=all" and whole.cb_kwargs["single"]
    [item] = [o for o in s.parse_article_page(article_page(whole.url, FIRST + SECOND), **whole.cb_kwargs)
              if isinstance(o, ArticleItem)]
    assert item.body.split("\n\n") == FIRST + SECOND
    assert s.crawler.stats.get_value("alinea/article/single_view") == 1


def test_a_later_page_that_fails_drops_the_article_with_its_reason_never_a_partial_item():
    s, ledger = with_ledger()
    failures = []

    def record(url: str, kind: str, reason: str) -> None:
        failures.append((url, kind, reason))

    s.crawler.signals.connect(record, signal=page_failed)
    list(s.article_requests(A, via=f"{BASE}/politik", depth=0))
    [nxt] = s.parse_article(article_page(A, FIRST, pager(1, 3), via=f"{BASE}/politik"), depth=0)
    [third] = s.parse_article_page(article_page(nxt.url, SECOND, pager(2, 3)), **nxt.cb_kwargs)
    s.article_page_failed(_http_failure(third, 500))
    [(url, kind, reason)] = failures
    assert (url, kind) == (A, "article")
    assert reason.startswith("page 3 of the article failed (HTTP 500)") and reason.endswith("not exported partial")
    assert (ledger.entries["bAAAAAAAA"].fate, ledger.entries["bAAAAAAAA"].detail) == ("failed", reason)
    assert s.crawler.stats.get_value("alinea/article/partial_dropped") == 1


def test_a_pager_that_shows_the_same_text_again_is_not_joined_twice():
    s = spider()
    [nxt] = s.parse_article(article_page(A, FIRST, pager(1, 2)), depth=0)
    [item] = [o for o in s.parse_article_page(article_page(nxt.url, FIRST, pager(2, 2)), **nxt.cb_kwargs)
              if isinstance(o, ArticleItem)]
    assert item.body.split("\n\n") == FIRST
    assert s.crawler.stats.get_value("alinea/article/page_repeated") == 1


def test_an_article_with_more_pages_than_the_limit_is_dropped_not_cut():
    s = spider(settings={"ALINEA_ARTICLE_MAX_PAGES": 2})
    [nxt] = s.parse_article(article_page(A, FIRST, pager(1, 5)), depth=0)
    assert not [o for o in s.parse_article_page(article_page(nxt.url, SECOND, pager(2, 5)), **nxt.cb_kwargs)
                if isinstance(o, ArticleItem)]
    assert s.crawler.stats.get_value("alinea/article/partial_dropped") == 1


# ---------------------------------------------------------------- incremental runs

def test_incremental_revisits_a_known_article_whose_sitemap_lastmod_is_after_its_export_and_stops_numbered_pages(tmp_path):
    from datetime import datetime, timedelta, timezone

    from alinea_crawler.state import Exported
    from tests.test_incremental import make_middleware, output, stat

    mw = make_middleware(str(tmp_path / "state.sqlite3"), ALINEA_REVISIT_DAYS=2)  # the state: a SQLite file
    now = datetime.now(timezone.utc)
    old, exported = (now - timedelta(days=30)).isoformat(), (now - timedelta(days=10)).isoformat()
    mw.store.load((Exported(code, f"{BASE}/x/y-{code}", "h", 1, old), exported)
                  for code in ("bAAAAAAAA", "bBBBBBBBB", "bCCCCCCCC"))  # published 30 days ago, exported 10
    changed, unchanged, listed = (Request(url, meta={"kind": "article"}) for url in (A, B, C))
    changed.meta["lastmod"] = (now - timedelta(days=5)).isoformat()  # changed after its export: not recently
    unchanged.meta["lastmod"] = (now - timedelta(days=12)).isoformat()  # changed before its export
    assert [r.url for r in output(mw, [changed, unchanged, listed])] == [A]
    assert (stat(mw, "revisited"), stat(mw, "skipped")) == (1, 2)
    # a numbered page (HTML or JSON) whose cards are all known: its next page is not asked for
    next_page = Request(f"{BASE}/politik?page=3", meta={"kind": "page"})
    known_html = html_response(f"{BASE}/politik?page=2", page(cards(B, C)))
    known_json = json_response(f"{BASE}/api/politik?page=2", {"data": [{"url": B}, {"url": C}]})
    assert not output(mw, [next_page], known_html) and not output(mw, [next_page], known_json)
    assert output(mw, [next_page], html_response(f"{BASE}/politik?page=2", page(cards(B, D))))
    assert stat(mw, "listing_stopped") == 2


def test_without_a_sitemap_in_robots_the_conventional_places_are_tried_in_turn():
    from alinea_crawler.spiders.alinea import CONVENTIONAL_SITEMAPS

    s = spider()
    [request] = s.default_sitemap(f"{BASE}/robots.txt")
    asked = [request.url]
    while True:
        following = list(s.sitemap_failed(_http_failure(request, 404)) or [])
        if not following:
            break
        [request] = following
        asked.append(request.url)
    assert asked == [BASE + path for path in CONVENTIONAL_SITEMAPS]
    assert s.crawler.stats.get_value("alinea/sitemap/absent") == 1
    # a sitemap robots.txt named that fails is a failure like any page
    named = Request(f"{BASE}/named.xml", meta={"kind": "sitemap"})
    assert not list(s.sitemap_failed(_http_failure(named, 404)) or [])
    assert s.crawler.stats.get_value("alinea/request_error/sitemap") == 1


def test_an_index_skips_sitemaps_last_changed_before_since():
    s = spider(since="2026-11-01")
    index = (f'<sitemapindex {NS}><sitemap><loc>{BASE}/2019-01.xml</loc><lastmod>2019-01-31</lastmod></sitemap>'
             f'<sitemap><loc>{BASE}/2026-11.xml</loc><lastmod>2026-11-20</lastmod></sitemap>'
             f'<sitemap><loc>{BASE}/undated.xml</loc></sitemap></sitemapindex>').encode()
    asked = [r.url for r in s.parse_sitemap(sitemap_response(f"{BASE}/sitemap.xml", index), depth=0)]
    assert asked == [f"{BASE}/2026-11.xml", f"{BASE}/undated.xml"]
    assert s.crawler.stats.get_value("alinea/sitemap/skipped_before_since") == 1
