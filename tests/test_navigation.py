"""Navigation for the site the public record shows (issue #12), driven directly (no network):
sections found in article URLs, the home feed's load-more, the AMP fallback, related lists that
count only same-site article links, and the render budget of the JavaScript-list completer."""

from __future__ import annotations

import json

import pytest
from parsel import Selector
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from alinea_crawler import settings as project_settings
from alinea_crawler.extensions import page_failed
from alinea_crawler.items import ArticleItem
from alinea_crawler.pages.related import related_list
from alinea_crawler.rendering import RelatedListCompleter
from alinea_crawler.spiders.alinea import AlineaSpider
from tests.golden.amp_case import amp_case_paths, item_from_amp_html, load_amp_meta

BASE = "https://www.alinea.id"
A, B, C = (f"{BASE}/politik/judul-{code}" for code in ("bAAAAAAAA", "bBBBBBBBB", "bCCCCCCCC"))
OFFSITE = "https://www.facebook.com/politik/judul-lain-bOFFSITE01"
ALINEA_DEFAULTS = {name: getattr(project_settings, name) for name in dir(project_settings) if name.startswith("ALINEA_")}


def spider(settings: dict | None = None, **kwargs) -> AlineaSpider:
    crawler = get_crawler(AlineaSpider, {"TELNETCONSOLE_ENABLED": False, **ALINEA_DEFAULTS, **(settings or {})})
    crawler.spider = made = AlineaSpider.from_crawler(crawler, **{"render": "never", **kwargs})
    return made


def html_response(url: str, body: str, **meta) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url, meta=meta))


def page(body: str, head: str = "", tail: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}{tail}</body></html>"


def cards(*urls: str) -> str:
    return "".join(f'<div class="box1"><a href="{u}"><h3>t</h3></a><span class="card-date">'
                   f"Jumat, 20 November 2026 09:44 WIB</span></div>" for u in urls)


def requests_of(outputs, kind: str) -> list[Request]:
    return [out for out in outputs if isinstance(out, Request) and out.meta.get("kind") == kind]


# ---------------------------------------------------------------- sections and the home feed

def test_without_section_links_sections_come_from_the_article_urls_of_home():
    s = spider()
    home = page(cards(A, f"{BASE}/pemilu/judul-{'bDDDDDDDD'}", f"{BASE}/indeks"))
    out = list(s.parse_home(html_response(BASE + "/", home)))
    assert [r.url for r in requests_of(out, "section")] == [f"{BASE}/politik", f"{BASE}/pemilu"]
    assert all(r.meta["found_by"] == "article_url" for r in requests_of(out, "section"))
    assert len(requests_of(out, "article")) == 2
    # the same sections from /indeks are not asked for twice
    again = list(s.parse_listing(html_response(BASE + "/indeks", page(cards(A, f"{BASE}/dunia/x-bEEEEEEEE")))))
    assert [r.url for r in requests_of(again, "section")] == [f"{BASE}/dunia"]


def test_navigation_sections_come_first_and_sections_argument_takes_nothing_from_urls():
    s = spider()
    nav = '<nav class="main-nav"><a href="/bisnis">Bisnis</a></nav>'
    out = list(s.parse_home(html_response(BASE + "/", page(nav + cards(A)))))
    assert [(r.url, r.meta["found_by"]) for r in requests_of(out, "section")] == [
        (f"{BASE}/bisnis", "navigation"), (f"{BASE}/politik", "article_url")]
    restricted = spider(sections="bisnis")
    assert not requests_of(restricted.parse_home(html_response(BASE + "/", page(nav + cards(A)))), "section")


def test_a_section_guessed_from_urls_without_an_index_page_is_counted_not_failed():
    s = spider()
    request = s.section_request("nasional", "article_url")
    s.section_failed(_http_failure(request, 404))
    assert s.crawler.stats.get_value("alinea/sections/without_index") == 1
    assert not s.crawler.stats.get_value("alinea/request_error/section")
    navigated = s.section_request("bisnis", "navigation")
    s.section_failed(_http_failure(navigated, 404))
    assert s.crawler.stats.get_value("alinea/request_error/section") == 1


def _http_failure(request: Request, status: int) -> Failure:
    try:
        raise HttpError(Response(request.url, status=status, request=request), "Ignoring non-200 response")
    except HttpError:
        failure = Failure()
    failure.request = request
    return failure


def test_no_sections_fail_the_crawl_only_when_no_article_link_was_found_either():
    empty = spider()
    list(empty.parse_home(html_response(BASE + "/", page("<p>kosong</p>"))))
    empty.closed("finished")
    assert "no sections and no article links" in empty.crawler.stats.get_value("alinea/failed")
    found = spider()
    list(found.parse_rss(HtmlResponse(BASE + "/rss", body=f"<rss><channel><item><link>{A}</link></item></channel></rss>"
                                      .encode(), encoding="utf-8")))
    found.closed("finished")
    assert found.crawler.stats.get_value("alinea/failed") is None


def test_home_feed_pages_through_more_with_the_sites_own_headers_and_an_inline_token():
    s = spider()
    token = "a" * 40
    home = page(cards(A, B), tail=f'<script>var Laravel = {{"_token":"{token}"}};</script>')
    more = requests_of(s.parse_home(html_response(BASE + "/", home)), "more")
    assert len(more) == 1
    request = more[0]
    assert request.method == "POST" and request.url == BASE + "/more"
    assert dict(pair.split("=") for pair in request.body.decode().split("&")) == {
        "_token": token, "next": "10", "categorynext": ""}
    assert request.headers["X-Requested-With"] == b"XMLHttpRequest"
    assert request.headers["Accept"] == b"text/html, */*"
    assert request.meta["cookiejar"] == "home"
    # the next page of the feed: its cards' sections are sections too; the same cards again stop paging
    fragment = cards(C, f"{BASE}/pemilu/judul-bFFFFFFFF")
    out = list(s.parse_more(html_response(BASE + "/more", fragment), "", token, offset=10, page=2))
    assert [r.url for r in requests_of(out, "section")] == [f"{BASE}/pemilu"]  # politik: known from home
    assert requests_of(out, "more")[0].cb_kwargs["offset"] == 20
    repeated = list(s.parse_more(html_response(BASE + "/more", fragment), "", token, offset=20, page=3))
    assert not requests_of(repeated, "more")
    assert s.crawler.stats.get_value("alinea/more/stopped/repeated") == 1


def test_home_feed_stops_at_max_pages_like_a_section():
    s = spider(max_pages="1")
    home = page(cards(A), head='<meta name="csrf-token" content="' + "b" * 40 + '">')
    assert not requests_of(s.parse_home(html_response(BASE + "/", home)), "more")
    assert s.crawler.stats.get_value("alinea/more/stopped/max_pages") == 1


# ---------------------------------------------------------------- AMP fallback

def test_an_article_that_fails_for_good_asks_for_its_amp_page_with_the_card_date():
    s = spider()
    [article] = s.article_requests(A + "?utm_source=home", via=BASE + "/politik", depth=0,
                                   listed_date="Jumat, 20 November 2026 09:44 WIB")
    [amp] = list(s.article_failed(_http_failure(article, 500)))
    assert amp.url == f"{BASE}/amp/politik/judul-bAAAAAAAA"
    assert amp.meta["kind"] == "amp" and amp.meta["amp_for"] == A
    assert amp.meta["listed_date"] == "Jumat, 20 November 2026 09:44 WIB"
    assert amp.meta["via"] == BASE + "/politik"
    assert not s.crawler.stats.get_value("alinea/request_error/article")  # not a failure yet


def test_when_the_amp_page_fails_too_the_original_failure_is_reported():
    s = spider()
    reported = []

    def on_page_failed(url, kind, reason, **_):
        reported.append({"url": url, "kind": kind, "reason": reason})

    s.crawler.signals.connect(on_page_failed, signal=page_failed)
    [article] = s.article_requests(A, via=None, depth=0)
    [amp] = list(s.article_failed(_http_failure(article, 500)))
    assert list(s.amp_failed(_http_failure(amp, 404))) == []
    assert s.crawler.stats.get_value("alinea/amp/failed") == 1
    assert [(r["url"], r["kind"]) for r in reported] == [(A, "article")]
    assert reported[0]["reason"].startswith("HTTP 500") and "AMP page: HTTP 404" in reported[0]["reason"]


def test_a_page_without_body_goes_to_amp_and_is_exported_as_it_was_when_amp_gives_nothing():
    s = spider()
    nobody = page("<main><h1>Judul</h1><article></article></main>", head='<meta property="og:title" content="Judul">')
    out = list(s.parse_article(html_response(A, nobody, via=None), depth=0))
    [amp] = requests_of(out, "amp")
    assert amp.cb_kwargs["why"] == "no body extracted" and amp.cb_kwargs["unread"].title == "Judul"
    gave_nothing = list(s.parse_amp(html_response(amp.url, page("<p>x</p>"), **amp.meta), **amp.cb_kwargs))
    assert gave_nothing == [amp.cb_kwargs["unread"]]  # the pipeline drops it as missing_body, reported
    assert s.crawler.stats.get_value("alinea/amp/failed") == 1


AMP_META = load_amp_meta()


@pytest.mark.parametrize("case", sorted(AMP_META))
def test_amp_golden_page_becomes_its_item_with_canonical_url_layout_amp_and_the_card_date(case):
    html_path, json_path = amp_case_paths(case)
    expected = json.loads(json_path.read_text(encoding="utf-8"))
    actual = item_from_amp_html(html_path.read_text(encoding="utf-8"), AMP_META[case])
    assert actual is not None, "no item from the AMP page"
    assert sorted(actual) == sorted(expected)
    assert actual["url"] == AMP_META[case]["url"] and actual["layout"] == "amp"
    assert actual["published_at_raw"] == AMP_META[case]["listed_date"]
    for field in sorted(expected):  # the lead (the block after the headline) and the <amp-img> image included
        assert actual[field] == expected[field], f"{case}: field {field}"


# ---------------------------------------------------------------- "Berita Lainnya": same-site articles only

BLOCK = '<div class="berita-lainnya"><h3>Berita Lainnya</h3><ul>{}</ul></div>'


@pytest.mark.parametrize("items, pending", [
    ("", True),
    (f'<li><a href="{OFFSITE}">luar</a></li>', True),  # an off-site article link is no list
    ('<li><a href="/tag/politik">tag</a></li><li><a href="/indeks">indeks</a></li>', True),
    (f'<li class="loading"><a href="{B}">b</a></li>', True),  # the page says it is still loading
    (f'<li><a href="{OFFSITE}">luar</a></li><li><a href="{B}">b</a></li>', False),
])
def test_a_related_list_is_complete_only_with_a_same_site_article_link(items, pending):
    links = related_list(Selector(text=page(BLOCK.format(items))), A, exclude="bAAAAAAAA")
    assert links.pending is pending
    assert OFFSITE not in links.urls
    assert all(url.startswith(BASE) for url in links.urls)


@pytest.mark.parametrize("inline", [
    f'<p class="baca-juga"><a href="{B}">b</a></p>',  # by its class alone
    f'<div class="box  baca-juga\tlist"><span><a href="{B}">b</a></span></div>',
    f'<p><strong>Baca Juga:</strong> <a href="{B}">b</a></p>',  # by its bold label
    f'<div>teks<br><b>BACA JUGA</b><a href="{B}">b</a></div>',
])
def test_inline_baca_juga_links_are_related(inline):
    body = f'<div class="body"><p>{"Teks artikel. " * 20}</p>{inline}</div>'
    assert related_list(Selector(text=page(body)), A, exclude="bAAAAAAAA").urls == [B]
    assert related_list(Selector(text=page(body.replace("baca-juga", "baca-jugaan").replace("aca J", "aca X")
                                           .replace("ACA J", "ACA X"))), A, exclude="bAAAAAAAA").urls == []


# ---------------------------------------------------------------- the JavaScript-list completer on its own

class Completer:
    """A RelatedListCompleter with a browser, its finished items collected."""

    def __init__(self, budget: int = 3):
        crawler = get_crawler(AlineaSpider, {**ALINEA_DEFAULTS, "ALINEA_RENDER_BUDGET": budget})
        crawler.spider = AlineaSpider.from_crawler(crawler, render="never")
        self.stats = crawler.stats
        self.finished: list[ArticleItem] = []
        self.reported: list[Failure] = []
        self.completer = RelatedListCompleter(
            crawler, "/usr/bin/chromium", finish=self.finish, on_error=self.reported.append,
            callback=crawler.spider.parse_related_list, errback=crawler.spider.related_list_failed,
            event_handler="learn_related_endpoint", priority=41)

    def finish(self, item: ArticleItem, depth: int):
        self.finished.append(item)
        yield item

    def render(self, request: Request, links: str = "") -> list:
        html = page(BLOCK.format(links))
        response = HtmlResponse(request.url, body=html.encode(), encoding="utf-8", request=request)
        return list(self.completer.parsed(response, **request.cb_kwargs))


def item(code: str) -> ArticleItem:
    return ArticleItem(url=f"{BASE}/politik/judul-{code}", article_id=code)


def test_render_budget_stops_rendering_when_lists_stay_empty_and_parks_nothing_at_the_end():
    c = Completer(budget=3)
    codes = [f"b{n:08d}" for n in range(10)]
    [first] = c.completer.complete(item(codes[0]), 0)
    assert first.meta["playwright"] and first.meta["kind"] == "render"
    for code in codes[1:]:
        assert list(c.completer.complete(item(code), 0)) == []  # parked behind the learning render
    assert c.completer.parked_urls == [item(code).url for code in codes[1:]]
    renders = 1
    out = c.render(first)
    while (nxt := requests_of(out, "render")):
        renders += 1
        out = c.render(nxt[0])
    assert renders == 3
    assert c.stats.get_value("alinea/render/skipped_budget") == 7
    assert len(c.finished) == 10 and c.completer.parked_urls == []
    assert list(c.completer.complete(item("bZZZZZZZZ"), 0)) == [c.finished[-1]]  # no render any more


def test_a_render_that_fills_the_list_keeps_the_budget_whole():
    c = Completer(budget=2)
    [first] = c.completer.complete(item("b00000001"), 0)
    c.render(first, f'<li><a href="{B}">b</a></li>')
    assert c.finished[0].related_urls == [B]
    [second] = c.completer.complete(item("b00000002"), 0)
    c.render(second)  # empty: 1 of 2
    [third] = c.completer.complete(item("b00000003"), 0)
    assert third.meta["kind"] == "render"
    c.render(third)  # empty: 2 of 2, budget spent
    assert list(c.completer.complete(item("b00000004"), 0))[0].article_id == "b00000004"
    assert c.stats.get_value("alinea/render/skipped_budget") == 1


def test_an_off_site_link_rendered_into_the_list_does_not_count_as_filled():
    c = Completer(budget=1)
    [first] = c.completer.complete(item("b00000001"), 0)
    c.render(first, f'<li><a href="{OFFSITE}">luar</a></li>')
    assert c.finished[0].related_urls == []
    assert c.stats.get_value("alinea/render/list_still_empty") == 1


def test_a_learnt_endpoint_is_used_without_the_browser():
    c = Completer()
    c.completer.endpoint.learn("b00000001", f"{BASE}/api/related/b00000001")
    [request] = c.completer.complete(item("b00000002"), 0)
    assert request.url == f"{BASE}/api/related/b00000002" and "playwright" not in request.meta
    body = json.dumps({"data": [{"url": B}, {"url": OFFSITE}]}).encode()
    response = HtmlResponse(request.url, body=body, encoding="utf-8", request=request)
    [done] = list(c.completer.parsed(response, **request.cb_kwargs))
    assert done.related_urls == [B]
    assert c.stats.get_value("alinea/render/endpoint_used") == 1
