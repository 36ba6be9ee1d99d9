"""Page objects on inline HTML, no crawler: the body chosen by content, fields read independently,
"not an article" only on positive evidence, and the rung that gave each field."""

import json

import lxml.html
import pytest
import trafilatura
from lxml import etree
from parsel import Selector

from alinea_crawler.pages.article import (
    ArticleGeneric, ArticleV2021, Found, agreed_paragraphs, extract_article, html_tree, pick_layout,
    trafilatura_paragraphs, with_twin_chunks,
)
from alinea_crawler.pages.body import MIN_BODY_CHARS
from alinea_crawler.pages.common import parse_html

URL = "https://www.alinea.id/dunia/biden-putin-terlibat-pembicaraan-serius-mengenai-ukraina-b2cFF9AnQ"
PARAGRAPHS = [
    "Presiden Amerika Serikat Joe Biden dan Presiden Rusia Vladimir Putin terlibat pembicaraan serius.",
    "Seperti dikutip Reuters, dalam sambungan telepon 50 menit Biden meminta Rusia mengurangi pasukan.",
    "Gedung Putih menyebut, Presiden Putin lah yang meminta panggilan itu, kata Jen Psaki kepada wartawan.",
]
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def page(html: str, url: str = URL):
    return extract_article(parse_html(html), url)


def test_body_in_a_div_before_an_unrelated_article_with_artikelend_as_a_marker():
    """The shape a public scraper of the live site reads (SITE.md): the text decides, not the first selector."""
    html = (f"<html><body><div class='detail'><h1>Judul</h1><div class='frontdate'>Jumat, 31 Des 2021 13:15 WIB"
            f"</div><div>{BODY}</div><article><a href='/tag/x'>x</a> Bagikan</article>"
            f"<div class='artikelend'></div></div></body></html>")
    article = page(html)
    assert article.layout == "v2021"
    assert article.body.split("\n\n") == PARAGRAPHS
    assert article.published_at_raw == "Jumat, 31 Des 2021 13:15 WIB"


def test_a_known_container_with_only_a_teaser_is_no_body():
    html = f"<html><body><h1>Judul</h1><article><p>Singkat.</p></article><div class='x1'>{BODY}</div></body></html>"
    assert page(html).body.split("\n\n") == PARAGRAPHS
    assert page(f"<html><body><h1>Judul</h1><article><p>{'Pendek. ' * 5}</p></article></body></html>").body is None
    assert len("Pendek. " * 5) < MIN_BODY_CHARS


def test_the_body_container_wins_over_the_article_wrapping_headline_lead_and_byline():
    html = ("<html><body><article class='article'><h1 class='article__title'>Judul berita hari ini</h1>"
            "<p class='article__summary'>Ringkasan berita yang agak panjang untuk pembaca setia kami.</p>"
            f"<div class='article__byline'>Penulis: Ayu Lestari</div><div class='article__body'>{BODY}</div>"
            "</article></body></html>")
    article = page(html)
    assert (article.layout, article.field_sources["body"]) == ("current", "layout")
    assert article.body.split("\n\n") == PARAGRAPHS


def test_a_page_without_article_element_or_json_ld_is_read_by_the_generic_rung():
    html = ("<html><head><meta property='og:title' content='Judul dari meta'></head><body>"
            "<div class='css-1x9k2ab'>Judul dari meta</div>"
            "<div class='sc-a'>Oleh Nadia Lutfiana Mawarni · 31/12/2021, 13:15 WITA</div>"
            f"<div class='sc-b'>{''.join(f'<div>{p}</div>' for p in PARAGRAPHS)}</div></body></html>")
    article = page(html)
    assert article is not None, "an article-shaped URL with a headline and text is an article"
    assert article.body.split("\n\n") == PARAGRAPHS
    assert article.authors == ["Nadia Lutfiana Mawarni"]
    assert article.published_at_raw == "31/12/2021, 13:15 WITA"
    assert article.field_sources == {"title": "meta", "authors": "generic", "published_at_raw": "generic",
                                     "body": "generic"}


@pytest.mark.parametrize(
    ("head", "is_article"),
    [
        ("<meta property='og:type' content='video.other'>", False),
        ("<meta property='og:type' content='profile'>", False),
        ('<script type="application/ld+json">{"@type": "ImageGallery", "name": "Foto"}</script>', False),
        ('<script type="application/ld+json">{"@type": "CollectionPage"}</script>', False),
        # an article that embeds a video is an article (cnn.com pages do this)
        ("<meta property='og:type' content='article'>"
         '<script type="application/ld+json">{"@type": "VideoObject", "name": "Klip"}</script>', True),
        ("", True),
    ],
)
def test_not_an_article_needs_positive_evidence(head, is_article):
    html = f"<html><head>{head}</head><body><h1>Judul</h1><div>{BODY}</div></body></html>"
    assert (page(html) is not None) is is_article


def test_og_type_website_is_not_an_article_only_without_article_text():
    head = "<head><meta property='og:type' content='website'></head>"
    assert page(f"<html>{head}<body><h1>Indeks</h1><ul><li><a href='/a'>A</a></li></ul></body></html>") is None
    assert page(f"<html>{head}<body><h1>Judul</h1><div>{BODY}</div></body></html>") is not None


def test_odd_json_ld_shapes_are_read_not_crashed_on():
    ld = {"@context": "https://schema.org", "@graph": [{
        "@type": "NewsArticle", "headline": ["Judul dalam daftar"], "keywords": [["pemilu", "kpu"], {"name": "dpr"}],
        "author": ["Ayu Lestari", {"@type": "Person", "name": "Budi Santoso"}, 7],
        "image": [{"@type": "ImageObject", "url": "/img/a.jpg", "caption": "Ilustrasi. iStock"}],
        "datePublished": "2021-12-31T13:15:00+07:00", "editor": {"name": "Dewi"}}]}
    html = f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body>{BODY}</body></html>'
    article = page(html)
    assert article.field_errors == {}
    assert (article.title, article.tags, article.authors) == (
        "Judul dalam daftar", ["pemilu", "kpu", "dpr"], ["Ayu Lestari", "Budi Santoso"])
    assert (article.image_url, article.image_caption, article.editor) == (
        "https://www.alinea.id/img/a.jpg", "Ilustrasi. iStock", "Dewi")


class _BrokenTags(ArticleGeneric):
    def tags(self) -> Found:
        raise AttributeError("'list' object has no attribute 'split'")


def test_a_field_that_fails_is_empty_with_its_error_and_the_rest_survives():
    html = f"<html><body><h1>Judul</h1><div class='frontdate'>31 Des 2021</div><div>{BODY}</div></body></html>"
    article = _BrokenTags(parse_html(html), URL).extract()
    assert article.tags == []
    assert article.field_errors == {"tags": "AttributeError: 'list' object has no attribute 'split'"}
    assert (article.title, article.body.split("\n\n")) == ("Judul", PARAGRAPHS)


def test_a_byline_and_the_headline_repeated_in_the_body_are_not_body_text():
    html = ("<html><body><h1>Judul berita</h1><div class='written__reporter'><div class='reporter__nama'>"
            "Nadia Lutfiana Mawarni</div></div><div class='frontdate'>31 Des 2021</div>"
            f"<div class='artikelend'><article><p>Nadia Lutfiana Mawarni</p><p>Judul berita</p>{BODY}</article>"
            "</div></body></html>")
    assert page(html).body.split("\n\n") == PARAGRAPHS


def test_layout_is_chosen_by_markup_and_generic_matches_anything():
    assert isinstance(pick_layout(Selector(text="<div class='artikelend'></div>"), URL), ArticleV2021)
    assert type(pick_layout(Selector(text="<p>x</p>"), URL)) is ArticleGeneric


def _with_header(header: str, head: str = "") -> str:
    return (f"<html><head>{head}</head><body><div class='wrap'><h1>Judul berita yang cukup panjang</h1>{header}"
            f"<div class='isi'>{BODY}</div></div></body></html>")


STANDFIRST = "Pemerintah menyiapkan langkah baru untuk menekan harga beras menjelang Lebaran tahun ini."


@pytest.mark.parametrize(
    "header",
    [
        f"<div class='sub'>{STANDFIRST}</div><div>Andi Saputra  Senin, 3 Feb 2025 09:10 WIB</div>",
        f"<div>Oleh Andi Saputra · 3/2/2025</div><figure><img src='a.jpg'><figcaption>Ilustrasi foto yang "
        f"menyertai berita ini. Antara</figcaption></figure><p>{STANDFIRST}</p>",
        f"<header><h2>{STANDFIRST}</h2></header><time>Senin, 3 Feb 2025</time>",
    ],
)
def test_the_visible_standfirst_is_the_lead_when_no_description_exists(header):
    article = page(_with_header(header))
    assert (article.lead, article.field_sources["lead"]) == (STANDFIRST, "generic")
    assert article.body.split("\n\n") == PARAGRAPHS


def test_no_standfirst_from_a_byline_a_date_the_first_body_paragraph_or_when_a_description_exists():
    assert page(_with_header("<div>Andi Saputra | Senin, 3 Feb 2025 09:10 WIB</div>")).lead is None
    assert page(_with_header(f"<p>{PARAGRAPHS[0]}</p>")).lead is None  # the body's first paragraph repeated
    described = page(_with_header(f"<div>{STANDFIRST}</div>", "<meta name='description' content='Ringkasan.'>"))
    assert (described.lead, described.field_sources["lead"]) == ("Ringkasan.", "meta")


@pytest.mark.parametrize(
    ("byline", "authors", "date"),
    [
        ("<div>Andi Saputra  Senin, 3 Feb 2025 09:10 WIB</div>", ["Andi Saputra"], "Senin, 3 Feb 2025 09:10 WIB"),
        ("<div>Andi Saputra Senin, 3 Feb 2025 09:10 WIB</div>", ["Andi Saputra"], "Senin, 3 Feb 2025 09:10 WIB"),
        ("<div>Andi Saputra | 03/02/2025 09:10</div>", ["Andi Saputra"], "03/02/2025 09:10"),
        ("<div>Andi Saputra<br>Senin, 3 Feb 2025</div>", ["Andi Saputra"], "Senin, 3 Feb 2025"),
        ("<div><a href='/x/andi'>Andi Saputra</a>, <a href='/x/budi'>Budi Santoso</a> dan Citra Lestari - "
         "3 Februari 2025</div>", ["Andi Saputra", "Budi Santoso", "Citra Lestari"], "3 Februari 2025"),
        ("<div><a href='/penulis/hermansah'>Hermansah</a> 3 Feb 2025 09:10 WIB</div>", ["Hermansah"],
         "3 Feb 2025 09:10 WIB"),
        ("<div>Oleh: Andi Saputra — 3 Feb 2025</div>", ["Andi Saputra"], "3 Feb 2025"),
        # a dateline is no author; neither is a sentence with a date
        ("<div>JAKARTA - 3 Feb 2025</div>", [], "3 Feb 2025"),
        ("<div>Jakarta, 3 Feb 2025</div>", [], "3 Feb 2025"),
        (f"<div>{STANDFIRST} Sejak 3 Feb 2025.</div>", [], "3 Feb 2025"),
    ],
)
def test_bylines_in_any_arrangement(byline, authors, date):
    from alinea_crawler.pipelines import split_authors

    article = page(_with_header(byline))
    assert split_authors(article.authors) == authors
    assert article.published_at_raw == date


def test_calls_to_action_embeds_comments_and_pagers_leave_the_body_and_mentions_stay():
    from alinea_crawler.cleaning import clean_paragraphs

    mention = "Komentar warganet di Instagram ramai, dan lalu lintas dari Google News turun sejak Oktober."
    html = _with_header("").replace(
        "</div></div></body>",
        f"<p>{mention}</p><p>Simak berita lainnya di <a href='https://news.google.com/x'>Google News</a></p>"
        "<blockquote class='twitter-tweet'><p>Rapat ditunda sampai pekan depan, kata ketua DPR hari ini.</p>"
        "</blockquote><div class='pagination'><a href='?page=2'>2</a> <a href='?page=2'>Selanjutnya</a></div>"
        "</div><section id='comments'><h3>2 Komentar</h3><p>Semoga pemerintah segera menindaklanjuti persoalan "
        "ini dengan serius karena sudah terlalu lama.</p></section></div></body>")
    article = page(html)
    assert clean_paragraphs(article.body.split("\n\n")).text.split("\n\n") == [*PARAGRAPHS, mention]


PROSE = [f"Kalimat panjang nomor {i} tentang kebijakan anggaran daerah yang dibahas para anggota dewan kemarin."
         for i in range(6)]


@pytest.mark.parametrize(
    ("theirs", "body"),
    [
        # trafilatura read elsewhere, in prose: its reading stands
        (["Sebuah paragraf lain di halaman yang sama sekali bukan bagian dari wilayah kita, cukup panjang."], "theirs"),
        # it read the site's menu (mostly short lines): our region stands
        ([f"Menu {i}" for i in range(40)], "ours"),
        # it read the page's layout table as one row holding our region: our region stands
        ([f"| Judul | {' '.join(PROSE)} |"], "ours"),
        # nothing from it: our region
        ([], "ours"),
    ],
)
def test_a_disagreeing_second_opinion_stands_unless_it_is_a_menu_or_a_layout_table(theirs, body):
    assert agreed_paragraphs(theirs, PROSE) == {"ours": PROSE, "theirs": theirs}[body]


def test_twin_chunks_of_a_kept_chunk_come_back_without_their_short_labels():
    chunks = "".join(f"<div class='chunk'><p>{PROSE[2 * i]}</p><p>{PROSE[2 * i + 1]}</p><p>Iklan</p></div>"
                     for i in range(3))
    region = etree.fromstring(f"<html><body><div class='body'>{chunks}</div></body></html>",
                              etree.HTMLParser()).find(".//div[@class='body']")
    ours = [*PROSE[:2], "Iklan", *PROSE[2:4], "Iklan", *PROSE[4:], "Iklan"]
    assert with_twin_chunks(region, PROSE[:2], ours) == PROSE  # the first chunk was kept: its twins vouch
    assert with_twin_chunks(region, PROSE[:1], ours) == PROSE[:1]  # half a chunk vouches for nothing


def test_a_readers_comment_thread_is_not_taken_for_a_short_article():
    thread = "".join(f"<p>{p} Saya setuju, dan ingin menambahkan beberapa hal lagi di sini.</p>" for p in PROSE)
    html = (f"<html><body><h1>Judul</h1><div class='entry'>{BODY}</div><div id='comments'><ol class='commentlist'>"
            f"<li class='comment'><div class='comment-content'>{thread}</div></li></ol></div></body></html>")
    assert pick_layout(parse_html(html), URL)._candidate.node.get("class") == "entry"
    assert page(html).body.split("\n\n") == PARAGRAPHS


def test_trafilatura_reads_a_copy_of_our_tree_as_it_reads_the_page_serialised():
    """lxml.html's elements (its ``text_content``, the form classes it never calls), none of what it never reads
    (icons, style sheets, scripts, the head's meta) but the JSON-LD (its baseline reads ``articleBody`` there),
    the text after a dropped element kept, our tree untouched."""
    icon = "<svg viewBox='0 0 9 9'><path d='M0 0'/><path d='M1 1'/></svg>"
    html = (f"<html lang='id'><head><title>Judul</title><meta name='description' content='Ringkas'><style>p "
            f"{{color: red}}</style><script type='application/ld+json'>{{\"@type\": \"NewsArticle\"}}</script>"
            f"<script src='/a.js'></script></head><body><nav><a href='/'>Beranda</a>{icon}</nav><article><h1>"
            f"Judul</h1>{BODY}<form><input name='q'><p>Cari {icon}berita<script>var x = 1;</script> terbaru</p>"
            f"</form></article><footer>Hak cipta {icon} 2024</footer></body></html>")
    root = parse_html(html).root
    before = etree.tostring(root)
    tree = html_tree(root)
    assert etree.tostring(root) == before
    assert all(isinstance(element, lxml.html.HtmlElement) for element in tree.iter(etree.Element))
    assert tree.get("lang") == "id" and not tree.xpath("//svg|//style|//meta|//title|//script[@src]")
    assert [script.get("type") for script in tree.iter("script")] == ["application/ld+json"]
    assert tree.xpath("string(//form//p)") == "Cari berita terbaru"
    serialised = etree.tostring(root, encoding="unicode", method="html")
    for fast in (True, False):
        assert trafilatura_paragraphs(tree, URL, fast) == ["Judul", *PARAGRAPHS]
        assert trafilatura.extract(tree, url=URL, fast=fast, include_comments=False) == trafilatura.extract(
            serialised, url=URL, fast=fast, include_comments=False)
