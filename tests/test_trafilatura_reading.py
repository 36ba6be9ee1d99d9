"""trafilatura's fast reading, composed from its own functions (``pages/trafilatura_reading``), equals its
``extract`` on every page at hand here, and each Python answer equals the XPath it stands for."""

from copy import copy
from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from trafilatura import html2txt, htmlprocessing, settings, xpaths
from trafilatura.core import ESCALATION_PAGE_SHARE
from trafilatura.settings import Extractor

from alinea_crawler.pages import trafilatura_reading as reading
from alinea_crawler.pages.article import html_tree
from alinea_crawler.pages.common import parse_html

GOLDEN = sorted((Path(__file__).parent / "golden").rglob("*.html"))
URL = "https://www.example.com/berita/judul-berita"
PROSE = ("Pemerintah menyampaikan rencana pembangunan jalan baru di wilayah timur pada tahun depan.",
         "Rencana itu disambut warga yang selama ini menempuh perjalanan jauh untuk sampai ke kota.",
         "Anggaran proyek sudah disetujui dewan dan pekerjaan dimulai setelah musim hujan berakhir.")
BODY = "".join(f"<p>{p}</p>" for p in PROSE)
# one page holding a case of every condition the Python answers test: comment sections and lists, appended
# articles with and without the headline, share buttons, body containers of every BODY_XPATH rung, boilerplate
# by role, data attribute, class and id (in either order: ``@id|@class`` is the first one written), hidden
# elements, captions, teasers, footers, consent banners (a Kelvin sign folds to "k" only in the regex)
EVERY_CASE = f"""<html><head><title>Judul</title></head><body>
<nav role="Navigation"><a href="/">Beranda</a></nav>
<div class="cookie-banner">Kami memakai cookie.</div><div id="CookieConsent">Setuju</div>
<div class="coo\u212aie-notice">Setuju juga</div><div class="footer-links" id="x">Tautan</div>
<div id="footer-2" class="x">Tautan lain</div><div id="y" class="footer-more">Bukan kaki</div>
<main><article class="post"><h1>Judul berita</h1>
<div class="byline" id="authorbox">Oleh Andi</div><div id="share-1" class="tags">Bagikan</div>
<div class="tags" id="share-2">Tag</div><span class="ad-slot">Iklan</span><p data-lp-replacement-content="">x</p>
<div data-component="MostPopularStories">Populer</div>
{BODY}
<div style="display:none">tersembunyi</div><p style="color: red" id="hidden-note">catatan</p>
<div class="reply-form" id="r">Balas</div><div id="reply-form" class="r">Balas juga</div><div id="r2" class="reply-x">Bukan</div>
<span aria-hidden="true">ikon</span><div class="Teaser-box">Baca juga</div><div id="photo-caption">Foto</div>
<figure><img src="/a.jpg"><figcaption class="caption">Keterangan</figcaption></figure>
<div class="elementor-share-buttons">Bagikan</div>
</article></main>
<div class="infinite-scroll"><h1>Artikel berikutnya</h1><p>{PROSE[0]}</p></div>
<div class="infinite-scroll-wrap"><p>{PROSE[1]}</p></div><div id="mvp-post-add-box"><h1>Lagi</h1></div>
<div id="comments"><ol class="commentlist"><li class="comment">Komentar pembaca</li></ol></div>
<ul class="comment-list"><li>Komentar</li></ul><ol id="Commentary"><li>Ulasan</li></ol>
<div id="disqus_thread"></div><ul id="dsq-comments"><li>x</li></ul><section class="post-comments">y</section>
<div id="content"><div class="main-content">Isi</div><div class="page-Content">Isi lain</div>
<section role="article" class="story-body">Cerita</section><div class="FullText">Teks</div></div>
<div class="main-wrapper">Bungkus</div><aside>Samping</aside><footer>Kaki</footer><template>t</template>
</body></html>"""
# the rungs of BODY_XPATH one at a time: each page's first match is a later rung's
BODY_RUNGS = [
    f"<html><body><div class='sidebar'>Menu</div><div itemprop='articleBody'>{BODY}</div></body></html>",
    f"<html><body><div class='x'>{BODY}</div><article>{BODY}</article></body></html>",
    f"<html><body><div id='story'>{BODY}</div><div class='fulltext'>{BODY}</div></body></html>",
    f"<html><body><div class='wrap'><div class='content-main'>{BODY}</div></div></body></html>",
    f"<html><body><section role='main-region'>{BODY}</section><main>{BODY}</main></body></html>",
    f"<html><body><main>{PROSE[0]}</main><div class='main'>{BODY}</div></body></html>",
    f"<html><body><div>{BODY}</div></body></html>",
]
# a short article on a page of text its fast reading leaves (divs of text): its recall escalation runs
ESCALATING = (f"<html><body><article><h1>Judul</h1><p>{' '.join(PROSE)}</p></article><div class='x'>"
              + "".join(f"<div>{p} {p}</div>" for p in PROSE * 6) + "</div></body></html>")
# a few words in no paragraph: its baseline rescue reads them
BASELINE = f"<html><body><div><span>{PROSE[0]}</span></div></body></html>"
# a forum thread (JSON-LD says so, its @type in a list): its posts sit in comment sections, which then stay
FORUM_LD = '{"@context": "https://schema.org", "@type": ["WebPage", "DiscussionForumPosting"], "headline": "Judul"}'
# a page whose JSON-LD only mentions the type in its description: no forum
NOT_FORUM_LD = '{"@context": "https://schema.org", "@type": "WebPage", "description": "DiscussionForumPosting"}'
FORUM, NOT_FORUM = (f"<html><head><script type='application/ld+json'>{ld}</script></head><body><h1>Judul</h1>"
                    f"<div class='comments'>{BODY}</div><div id='comment-2'><p>{PROSE[0]} {PROSE[2]}</p></div>"
                    "</body></html>" for ld in (FORUM_LD, NOT_FORUM_LD))
PAGES = [path.read_text(encoding="utf-8") for path in GOLDEN] + [EVERY_CASE, *BODY_RUNGS, ESCALATING, BASELINE,
                                                                  FORUM, NOT_FORUM]
IDS = [path.name for path in GOLDEN] + ["every-case"] + [f"body-rung-{n}" for n in range(len(BODY_RUNGS))] + [
    "escalating", "baseline", "forum", "not-forum"]

# each Python answer and the XPaths it stands for
ANSWERS = [
    (reading._RAW_TREE_PRUNE, xpaths.RAW_TREE_PRUNE_XPATH),
    (reading._REMOVE_COMMENTS_AND_LISTS, xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH),
    (reading._BODY, xpaths.BODY_XPATH),
    (reading._OVERALL_DISCARD, xpaths.OVERALL_DISCARD_XPATH),
    (reading._DISCARD_IMAGE_ELEMENTS, xpaths.DISCARD_IMAGE_ELEMENTS),
    (reading._TEASER_DISCARD, xpaths.TEASER_DISCARD_XPATH),
    ([reading._basic_clean], [settings.BASIC_CLEAN_XPATH]),
]


def trees(html: str) -> list:
    """The page as trafilatura reads it (``html_tree``), and cleaned and converted as its extractor sees it."""
    raw = html_tree(parse_html(html).root)
    options = Extractor(fast=True, comments=False)
    cleaned = htmlprocessing.convert_tags(htmlprocessing.tree_cleaning(copy(raw), options), options, URL)
    return [raw, cleaned]


@pytest.mark.parametrize("html", PAGES, ids=IDS)
def test_the_fast_reading_is_trafilaturas_and_leaves_the_tree_as_it_was(html):
    tree = html_tree(parse_html(html).root)
    before = etree.tostring(tree)
    expected = trafilatura.extract(tree, url=URL, fast=True, include_comments=False)
    assert expected  # every page here has text to read
    assert reading.fast_reading(tree, URL) == expected
    assert etree.tostring(tree) == before


@pytest.mark.parametrize("html", PAGES, ids=IDS)
def test_each_python_answer_is_the_xpath_it_stands_for(html):
    for tree in trees(html):
        for element in [tree, *tree.iter("div", "section", "article", "main", "body")]:
            for ours, theirs in ANSWERS:
                for answer, xpath in zip(ours, theirs, strict=True):
                    expected = xpath(element)
                    if theirs is xpaths.BODY_XPATH:
                        expected = expected[:1]  # trafilatura takes the first; ours stops there
                    assert answer(element) == expected, (xpath, element.tag, element.get("class"))


def test_the_every_case_page_reaches_every_answer():
    """Each answer finds something on the every-case page: the comparison above is not one of empty lists."""
    raw, cleaned = trees(EVERY_CASE)
    assert all(answer(raw) for answer in (*reading._RAW_TREE_PRUNE, *reading._REMOVE_COMMENTS_AND_LISTS,
                                          reading._basic_clean))
    assert all(answer(cleaned) for answer in (*reading._OVERALL_DISCARD, *reading._DISCARD_IMAGE_ELEMENTS,
                                              *reading._TEASER_DISCARD))
    assert len(reading._basic_clean(raw)) >= 8  # banners (one spelt with a Kelvin sign), footers, aside, template
    for n, html in enumerate(BODY_RUNGS[:5]):
        assert reading._BODY[n](trees(html)[1]), n


@pytest.mark.parametrize("html", PAGES, ids=IDS)
def test_the_page_share_test_is_its_escalations_on_either_side_of_the_bound(html):
    """``chars < 0.2 * len(html2txt(tree))`` on either side of the share: the spaced text decides near it, the
    upper bound where chars pass the page's whole markup; the tree is given back as it was."""
    tree = html_tree(parse_html(html).root)
    before = etree.tostring(tree)
    page = len(html2txt(tree))
    share = next(chars for chars in range(page + 1) if not chars < ESCALATION_PAGE_SHARE * page)
    for chars in (0, 1, share - 1, share, share + 1, page, len(before)):
        assert reading._under_page_share(tree, chars) == (chars < ESCALATION_PAGE_SHARE * page), chars
    assert etree.tostring(tree) == before

