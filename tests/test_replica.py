"""Fast checks of the alinea.id replica itself (tests/replica)."""
from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.replica import Replica, build_site


@pytest.fixture(scope="module")
def replica():
    with Replica(articles=60, seed=7) as r:
        yield r


def _opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def fetch(url, data=None, opener=None):
    """(status, body text) for GET, or POST when ``data`` is a dict."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with (opener or _opener()).open(url, body, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_model_is_deterministic():
    a, b = build_site(200, seed=5), build_site(200, seed=5)
    assert [a.expected_item(x, "http://h") for x in a.articles] == \
        [b.expected_item(x, "http://h") for x in b.articles]
    assert [x.code for x in build_site(200, seed=6).articles] != [x.code for x in a.articles]
    assert a.publish(3) == b.publish(3)


def test_model_invariants():
    site = build_site(500)
    codes = [a.code for a in site.articles]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"b[A-Za-z0-9]{8,9}", c) for c in codes)
    assert site.video_code not in site.by_code
    times = [a.published for a in site.articles]
    assert times == sorted(times, reverse=True)
    assert {a.layout for a in site.articles} == {"v2021", "current", "generic"}
    js_lists = {c for a in site.listed_articles if a.related_mode == "js" for c in a.related}
    static = {c for a in site.articles if a.related_mode == "static" for c in a.related}
    baca = {c for a in site.articles for c in a.baca_juga}
    for h in site.hidden_articles:
        assert h.code in js_lists and h.code not in static | baca
    body = "\n".join("\n".join(a.paragraphs) for a in site.articles)
    for trap in ("layanan 5×24 jam", "sponsored content", "Sunda", "Sunarti", "moonlight"):
        assert trap in body


def test_routes(replica):
    site = replica.site
    assert fetch(replica.url_for("/robots.txt"))[1].startswith("User-agent: *")
    status, home = fetch(replica.url + "/")
    assert status == 200 and 'class="main-nav"' in home and site.video_path in home
    for a in site.articles[:12]:
        status, html = fetch(replica.url_for(a.path))
        assert status == 200 and f'rel="canonical" href="{replica.url}{a.path}"' in html
    a = site.articles[0]
    for variant in (a.path + "/", a.path + "?utm_source=x", f"/dunia/lain-{a.code}"):
        assert fetch(replica.url_for(variant))[0] == 200
    assert fetch(replica.url_for("/peristiwa/nope-bAAAAAAAA"))[0] == 404
    status, video = fetch(replica.url_for(site.video_path))
    assert status == 200 and '"VideoObject"' in video and "<article" not in video
    related = json.loads(fetch(replica.url_for(f"/api/related/{a.code}"))[1])["data"]
    assert [d["url"] for d in related] == [replica.url + site.by_code[c].path for c in a.related]


def test_more_needs_token_and_exhausts(replica):
    section = max(replica.site.sections, key=lambda s: len(replica.site.listing(s)))
    expected = replica.site.listing(section)
    opener = _opener()
    html = fetch(replica.url_for("/" + section), opener=opener)[1]
    token = re.search(r'name="csrf-token" content="([0-9a-f]{40})"', html).group(1)
    assert fetch(replica.url_for("/more"), {"_token": "x" * 40, "next": 10,
                                            "categorynext": section}, opener) == (419, "Page Expired")
    assert fetch(replica.url_for("/more"), {"_token": token, "next": 10,
                                            "categorynext": section})[0] == 419  # no cookie
    codes, offset = re.findall(r"-(b[A-Za-z0-9]{8,9})[/?\"]", html), 10
    while True:
        status, frag = fetch(replica.url_for("/more"), {"_token": token, "next": offset,
                                                        "categorynext": section}, opener)
        assert status == 200
        if not frag:
            break
        codes += re.findall(r"-(b[A-Za-z0-9]{8,9})[/?\"]", frag)
        offset += 10
    assert codes == [a.code for a in expected]


def test_hidden_articles_not_listed(replica):
    site = replica.site
    pages = [fetch(replica.url_for(p))[1] for p in ("/", "/indeks", "/rss")]
    pages += [fetch(replica.url_for("/" + s))[1] for s in site.sections]
    assert site.hidden_articles
    for h in site.hidden_articles:
        assert all(h.code not in page for page in pages)
        assert fetch(replica.url_for(h.path))[0] == 200


def test_publish_and_stats(replica):
    before = replica.stats()["requests"]
    codes = replica.publish(2)
    assert [a.code for a in replica.site.articles[:2]] == codes
    assert codes[0] in fetch(replica.url_for("/indeks"))[1]
    stats = replica.stats()
    assert stats["requests"] == before + 1 and stats["by_kind"]["other"] >= 1
