"""Template zoo (#10): unfamiliar article markups, their true items, and what the extraction makes of them.

Replica-side checks (templates served, oracle consistent with the page), then the
extraction: every golden page and a whole crawl of a zoo replica give the true items.
"""

import json
import re
import urllib.request
from html import escape

import pytest

from tests.crawl import plain_expectation, run_crawl
from tests.golden import item_from_html, load_zoo_meta, zoo_case_paths
from tests.golden.regen import SITE_ROOT, ZOO_CASES
from tests.replica import Replica, build_site
from tests.replica.zoo import ZOO

ZOO_META = load_zoo_meta()
NO_SEMANTIC_TAGS = ("<article", "<main", "<header", "<footer", "<nav", "<time", "<figure", "<h1", "<p>", "<p ")
# markup each template must (and the classic layouts do not) carry
SIGNATURES = {
    "newswatch": ('<div class="frontdate">', '<div class="artikelend"></div>', 'class="ads-billboard"',
                  'class="flying_carpet_div"'),
    "nosemantic": ('class="css-1x9k2ab"', 'class="sc-bdVaJa', 'property="og:description"'),
    "brbr": ('<div class="content">', "<br><br><b>Baca juga:</b>", "<br><br>Editor: "),
    "visibledate": ('class="read__info">',),
    "timetext": ('<section class="story">', '<div class="box-related"><span>Baca Juga</span>',
                 '<div class="disclaimer">', "<figcaption>"),
    "ldgraph": ('"@graph"', 'itemprop="articleBody"', "<p>Penyunting: "),
    "standfirst": ('<div class="intro">', '<div class="info-artikel">', "<ul><li>", ">Google News</a></p>",
                   "saluran WhatsApp"),
    "embeds": ('class="instagram-media"', 'class="twitter-tweet"', '<div class="newsletter-box">',
               '<section id="comments">', "<table>", "<h4>Berita Terkait</h4>", "<p>Simak juga video berikut:</p>"),
}



@pytest.fixture(scope="module")
def zoo_replica():
    with Replica(articles=24, seed=2021, templates="zoo") as running:
        yield running


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_zoo_option_changes_markup_only_never_the_content():
    classic, zoo = build_site(templates="classic"), build_site(templates="zoo")
    for a, b in zip(classic.articles, zoo.articles):
        assert (a.code, a.title, a.paragraphs, a.published, a.related) == (b.code, b.title, b.paragraphs,
                                                                           b.published, b.related)
    assert {a.template for a in classic.articles} == {"classic"}
    shares = [a.template for a in zoo.listed_articles]
    assert set(shares) == {"classic", *ZOO}  # a default crawl meets every template
    assert 0.2 < shares.count("classic") / len(shares) < 0.6  # 3/8 of the codes


def test_replica_serves_every_zoo_template_with_what_its_item_says(zoo_replica):
    site = zoo_replica.site
    served = set()
    for a in site.articles:
        if a.template == "classic":
            continue
        html = _get(zoo_replica.url_for(a.path))
        expected = site.expected_item(a, zoo_replica.url)
        for marker in SIGNATURES[a.template]:
            assert marker in html, (a.template, marker)
        if a.template == "nosemantic":
            assert not [tag for tag in NO_SEMANTIC_TAGS if tag in html]
        for text in [expected["title"], expected["published_at_raw"], *expected["authors"],
                     *expected["body"].split("\n\n")]:
            assert escape(text) in html, (a.template, text)
        for chrome in ("sun", "moon", "a l i n e a dot id", "fakta data kata", "×", "tekid"):
            assert f">{chrome}<" in html
        served.add(a.template)
    assert served == set(ZOO)


def test_newswatch_body_sits_in_the_div_just_before_the_first_article(zoo_replica):
    a = next(a for a in zoo_replica.site.listed_articles if a.template == "newswatch")
    html = _get(zoo_replica.url_for(a.path))
    before, _, after = html.partition("<article")
    assert a.paragraphs[-1] in before.rsplit("<div>", 1)[1]
    assert not any(p in after for p in a.paragraphs)
    assert re.search(r'</article><div class="artikelend"></div>', html)


def test_golden_zoo_pages_are_what_the_replica_serves(zoo_replica):
    assert set(ZOO_META) == set(ZOO) == set(ZOO_CASES)
    for template, entry in ZOO_META.items():
        article = zoo_replica.site.by_code[ZOO_CASES[template]]
        assert article.template == template
        html_path, json_path = zoo_case_paths(template)
        served = _get(zoo_replica.url_for(article.path)).replace(zoo_replica.url, SITE_ROOT)
        assert html_path.read_text(encoding="utf-8") == served, f"{template}: run python -m tests.golden.regen --zoo"
        expected = json.loads(json_path.read_text(encoding="utf-8"))
        truth = plain_expectation(zoo_replica.site, article, SITE_ROOT)
        assert {k: expected[k] for k in truth} == truth
        assert entry["layout"] == truth["layout"]


@pytest.mark.parametrize("template", ZOO)
def test_zoo_page_becomes_its_expected_item(template):
    entry = ZOO_META[template]
    html_path, json_path = zoo_case_paths(template)
    expected = json.loads(json_path.read_text(encoding="utf-8"))
    actual = item_from_html(html_path.read_text(encoding="utf-8"), entry["url"])
    assert actual is not None, f"{template}: no item"
    wrong = {f: (actual.get(f), expected[f]) for f in expected if actual.get(f) != expected[f]}
    assert not wrong, f"{template}: fields (got, expected) {wrong}"


def test_zoo_crawl(zoo_replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": zoo_replica.url, "render": "never"})
    assert result.returncode == 0, result.log[-3000:]
    site = zoo_replica.site
    assert sorted(item["article_id"] for item in result.items) == sorted(a.code for a in site.listed_articles)
    for item in result.items:
        expected = plain_expectation(site, site.by_code[item["article_id"]], zoo_replica.url)
        assert {k: item[k] for k in expected} == expected
    # five of the six zoo templates match no known layout: the drift alarm must say the markup changed
    generic = result.stats["alinea/field_source/body/generic"]
    assert generic / len(result.items) > 0.2
    assert "layout drift" in result.stats["alinea/drift/warning"]
    assert "layout drift" in result.log
    assert "  warning              layout drift:" in result.log  # in the end-of-crawl summary too
