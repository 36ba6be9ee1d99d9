"""Page objects of navigation, on inline input (no crawler): pagers, listing answers of any shape, sitemaps —
including the hostile ones (a gzip bomb, entity expansion, external entities, a million URLs)."""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc

import pytest
from parsel import Selector

from alinea_crawler.pages.listing import listing_answer
from alinea_crawler.pages.pagination import ArticlePager, article_pager, listing_key, next_listing_url, page_number
from alinea_crawler.pages.sitemap import SitemapRefused, read_sitemap, robots_sitemaps

BASE = "https://www.alinea.id"
A, B = f"{BASE}/politik/judul-bAAAAAAAA", f"{BASE}/bisnis/judul-bBBBBBBBB"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
MiB = 1024 * 1024


def sel(body: str, head: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>", type="html")


# ---------------------------------------------------------------- listing pagers

@pytest.mark.parametrize("url, number", [
    (f"{BASE}/politik", 1), (f"{BASE}/politik?page=3", 3), (f"{BASE}/indeks?hal=2&tanggal=2026-11-20", 2),
    (f"{BASE}/politik/page/4", 4), (f"{BASE}/politik/halaman/5/", 5), (f"{BASE}/politik?page=x", 1)])
def test_page_numbers_in_every_spelling(url, number):
    assert page_number(url) == number


@pytest.mark.parametrize("body, head, expected", [
    ('<a href="/politik?page=2">2</a><a href="/politik?page=3">3</a>', "", "/politik?page=2"),  # numbered
    ('<link rel="next" href="/politik?page=2">', "", "/politik?page=2"),  # <link rel=next> anywhere
    ('<a rel="next nofollow" href="/politik/page/2">›</a>', "", "/politik/page/2"),
    ('<a href="/politik?page=9" class="x">Selanjutnya »</a>', "", "/politik?page=9"),  # the word says next
    ('<ul class="pagination"><li><span>1</span></li></ul>', "", None),  # a one-page pager
    ('<a href="/bisnis?page=2">2</a>', "", None),  # another listing's page 2 is not this one's
    (f'<a rel="next" href="{A}">Berita selanjutnya</a>', "", None),  # an article is no listing page
    ('<a href="https://other.example/politik?page=2" rel="next">2</a>', "", None),  # another host
])
def test_next_listing_page(body, head, expected):
    found = next_listing_url(sel(body, head), f"{BASE}/politik")
    assert found == (expected and BASE + expected)


def test_next_listing_page_moves_forward_from_the_current_page_and_keeps_other_query_parts():
    pager = "".join(f'<a href="/indeks?tanggal=2026-11-20&page={n}">{n}</a>' for n in (1, 2, 3, 4))
    assert next_listing_url(sel(pager), f"{BASE}/indeks?tanggal=2026-11-20&page=2") == \
        f"{BASE}/indeks?tanggal=2026-11-20&page=3"
    assert listing_key(f"{BASE}/indeks?page=2&tanggal=x") == listing_key(f"{BASE}/indeks?tanggal=x")
    assert next_listing_url(sel(pager), f"{BASE}/indeks?tanggal=2026-11-20&page=4") is None


def test_home_pages_like_any_listing():
    assert next_listing_url(sel('<a rel="next" href="/?page=2">Next</a>'), BASE + "/") == BASE + "/?page=2"


# ---------------------------------------------------------------- article pagers

def test_article_pager_next_page_by_number_word_or_rel():
    pager = f'<div>Halaman <span>1</span> <a href="{A}?page=2">2</a> <a href="{A}?page=3">3</a> ' \
            f'<a href="{A}?page=2">Selanjutnya</a></div>'
    assert article_pager(sel(pager), A) == ArticlePager(f"{A}?page=2", None)
    assert article_pager(sel(pager), f"{A}?page=2").next_url == f"{A}?page=3"
    assert article_pager(sel(pager), f"{A}?page=3").next_url is None  # the last page
    assert article_pager(sel("", f'<link rel="next" href="{A}/?page=2">'), A).next_url == f"{A}/?page=2"


@pytest.mark.parametrize("rel, found", [
    ("next", True), ("nofollow\tnext", True), ("\nnext\r\nprev", True), ("  next  ", True),
    ("NEXT", False), ("next\xa0page", False), ("nextpage", False), ("next-page", False),  # one token, "next"
])
def test_rel_next_is_a_token_of_rel(rel, found):
    page = sel(f'<a rel="{rel}" href="{A}?page=2">›</a>', f'<link rel="{rel}" href="{A}?page=3">')
    assert article_pager(page, A).next_url == (f"{A}?page=3" if found else f"{A}?page=2")


def test_article_pager_prefers_nothing_of_another_article():
    other = f'<a href="{B}">Selanjutnya</a><a rel="next" href="{B}?page=2">2</a>'
    assert article_pager(sel(other), A) == ArticlePager(None, None)


@pytest.mark.parametrize("url, href, found", [
    (A, "?page=2", f"{A}?page=2"),  # no path of its own: the page's
    (A + "/", "./?page=2", f"{A}/?page=2"),  # a relative path resolved to the article's own
    (A + "/", "x/..?page=2", f"{A}/?page=2"),
    (A, "/politik/judul-bAAAA\tAAAA?page=2", f"{BASE}/politik/judul-bAAAAAAAA?page=2"),  # a tab inside is dropped
    (A, "/politik/judul-bAAAAAAAA/x/..?page=2", f"{BASE}/politik/judul-bAAAAAAAA/?page=2"),
    (A, " //www.alinea.id/politik/judul-bAAAAAAAA?page=2 ", f"{BASE}/politik/judul-bAAAAAAAA?page=2"),
    (A, "/politik/x/../judul-bBBBBBBBB?page=2", None),  # another article's, however spelled
    (A, "/politik?page=2", None),
])
def test_article_pager_reads_every_spelling_of_the_next_page(url, href, found):
    """Links are ruled out before they are resolved only where no spelling of this article's pages can be."""
    assert article_pager(sel(f'<a href="{href}">Selanjutnya</a>'), url).next_url == found


@pytest.mark.parametrize("link", [f'<a href="{A}?page=all">Tampilkan semua</a>',
                                  f'<a href="{A}?showall=1">Baca dalam satu halaman</a>',
                                  f'<a href="{A}?single=1">Lihat Semua</a>'])
def test_article_single_page_view_when_offered(link):
    pager = sel(f'<a href="{A}?page=2">2</a>{link}')
    found = article_pager(pager, A)
    assert found.single_url and found.single_url.startswith(A + "?")
    assert article_pager(pager, found.single_url).single_url is None  # on the single view: nothing more


# ---------------------------------------------------------------- listing answers of any shape

CARD = '<div class="card-news"><a href="/politik/judul-bAAAAAAAA"><h3>Judul A</h3></a></div>'


@pytest.mark.parametrize("text, shape", [
    (CARD, "html"),
    (json.dumps({"html": CARD, "next": 20}), "json_html"),
    (json.dumps({"status": "ok", "data": {"items": [{"view": CARD}]}}), "json_html"),
    (json.dumps({"data": [{"id": 1, "judul": "Judul A", "link": "/politik/judul-bAAAAAAAA",
                           "created_at": "2026-11-20 09:00:00"}]}), "json_objects"),
    (json.dumps([{"title": "Judul A", "url": A, "date": "2026-11-20T09:00:00+07:00"}]), "json_objects"),
    (json.dumps({"posts": [{"title": "Judul A", "permalink": A}]}), "json_objects"),
])
def test_article_links_are_read_wherever_an_answer_holds_them(text, shape):
    answer = listing_answer(text, BASE)
    assert answer.shape == shape
    assert [card.url for card in answer.cards] == [A]


def test_article_objects_keep_their_title_and_date():
    [card] = listing_answer(json.dumps({"data": [{"title": "Judul A", "url": A, "published_at": "2026-11-20"}]}),
                            BASE).cards
    assert (card.title, card.date_raw) == ("Judul A", "2026-11-20")


@pytest.mark.parametrize("text, shape", [
    ("", "text"), ("   ", "text"), ('{"data": []}', "json"), ('{"html": ""}', "json"), ("null", "html"),
    ("<h1>419 Page Expired</h1>", "html"), ('{"broken": ', "html"), ("[" * 100_000 + "]" * 100_000, "html"),
    (json.dumps({"url": "https://other.example/politik/judul-bAAAAAAAA"}), "json"),
])
def test_answers_without_links_never_raise(text, shape):
    answer = listing_answer(text, BASE)
    assert answer.cards == [] and answer.shape == shape


# ---------------------------------------------------------------- sitemaps

def urlset(*entries: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{"".join(entries)}</urlset>'.encode()


def test_robots_sitemap_lines_absolute_each_once():
    robots = b"User-agent: *\nDisallow: /search\nSitemap: /sitemap.xml\nsitemap: https://www.alinea.id/news.xml\n" \
             b"Sitemap: /sitemap.xml\n"
    assert robots_sitemaps(robots, BASE + "/robots.txt") == [f"{BASE}/sitemap.xml", f"{BASE}/news.xml"]
    assert robots_sitemaps(b"User-agent: *\n", BASE) == []


def test_news_sitemap_entries_carry_their_publication_date_and_title():
    news = urlset(f"<url><loc>{A}</loc><news:news><news:publication><news:name>Alinea</news:name>"
                  "</news:publication><news:publication_date>2026-11-20T09:00:00+07:00</news:publication_date>"
                  "<news:title>Judul A</news:title></news:news></url>",
                  f"<url><loc>{B}</loc><lastmod>2026-11-21</lastmod></url>")
    for body in (news, gzip.compress(news)):  # gzipped or not
        read = read_sitemap(body, MiB, 10)
        assert not read.is_index and not read.truncated
        assert [(e.loc, e.published, e.title, e.lastmod) for e in read.entries] == [
            (A, "2026-11-20T09:00:00+07:00", "Judul A", None), (B, None, None, "2026-11-21")]


def test_sitemap_index_is_told_from_a_sitemap():
    index = f'<sitemapindex {NS}><sitemap><loc>{BASE}/a.xml.gz</loc></sitemap></sitemapindex>'.encode()
    read = read_sitemap(index, MiB, 10)
    assert read.is_index and [e.loc for e in read.entries] == [f"{BASE}/a.xml.gz"]


def refusal(body: bytes, max_size: int = MiB, max_entries: int = 10) -> str:
    with pytest.raises(SitemapRefused) as refused:
        read_sitemap(body, max_size, max_entries)
    return refused.value.reason


def test_a_gzip_bomb_is_refused_once_past_the_size_limit_without_inflating_it_all():
    bomb = gzip.compress(b"<urlset>" + b" " * (64 * MiB) + b"</urlset>", compresslevel=9)
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        assert refusal(bomb, max_size=8 * MiB) == "too_large"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * MiB  # a bounded read: never the 64 MiB the bomb holds


def test_entity_expansion_and_external_entities_are_refused_unread():
    laughs = ('<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
              + f']><urlset {NS}><url><loc>{BASE}/x/&i;-bLAUGHS001</loc></url></urlset>').encode()
    xxe = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           f'<urlset {NS}><url><loc>{BASE}/x/&x;-bXXEXXE001</loc></url></urlset>').encode()
    started = time.monotonic()
    assert refusal(laughs) == "dtd"
    assert refusal(gzip.compress(xxe)) == "dtd"
    assert time.monotonic() - started < 5  # no expansion was attempted


@pytest.mark.parametrize("body", [b"", b"plain text", b"<html><body>404</body></html>", b'{"urls": []}',
                                  b"\x1f\x8b\x08garbage", b"<urlset><url><loc>unclosed"])
def test_anything_else_is_no_sitemap(body):
    try:
        read = read_sitemap(body, MiB, 10)
    except SitemapRefused as refused:
        assert refused.reason == "not_a_sitemap"
    else:  # lxml's recovery may read what is there of a cut sitemap: then nothing unsafe came of it
        assert read.entries == [] or all(e.loc.startswith("unclosed") for e in read.entries)


def test_a_million_urls_are_read_up_to_the_limit_in_bounded_memory():
    entries = b"".join(b"<url><loc>%s/arsip/a-b%08d</loc></url>" % (BASE.encode(), i) for i in range(1_000_000))
    body = urlset().replace(b"</urlset>", entries + b"</urlset>")
    tracemalloc.start()
    try:
        read = read_sitemap(body, len(body) + 1, max_entries=20_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read.truncated and len(read.entries) == 20_000
    assert read.entries[-1].loc == f"{BASE}/arsip/a-b{19_999:08d}"
    assert peak < 64 * MiB  # entries read and freed one by one, not the whole tree


@pytest.mark.parametrize("body", ['<button class="load-more" data-url="/politik?page=2">Muat lebih banyak</button>',
                                  '<a class="btn" href="/politik?page=2">Muat Lebih Banyak</a>',
                                  '<div id="more" data-next-url="/politik/page/2"></div>'])
def test_a_load_more_button_that_names_the_next_page_is_a_pager(body):
    assert next_listing_url(sel(body), f"{BASE}/politik") in (f"{BASE}/politik?page=2", f"{BASE}/politik/page/2")
    assert next_listing_url(sel(body.replace("politik", "bisnis")), f"{BASE}/politik") is None
