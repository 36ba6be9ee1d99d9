"""HTML/JSON/RSS rendering of the replica: plain f-strings, no template engine.

Every function takes ``base`` (``http://<Host header>``) so absolute links point
back to whatever host the client used.
"""
from __future__ import annotations

import json
import zlib
from email.utils import format_datetime
from html import escape

from .model import AUTHORS, SECTION_LABELS, Article, Site, amp_caption, display_date, slugify

OFFSITE = ("https://www.facebook.com/alineaid", "https://twitter.com/alineaid")


def _h(text: str) -> int:
    return zlib.crc32(text.encode())


def link(base: str, path: str) -> str:
    """Absolute or relative href for ``path``, chosen deterministically."""
    return base + path if _h(path) & 1 else path


def _variant_path(a: Article, where: str) -> str:
    """About 1 in 7 cards link to an equivalent, non-canonical article URL."""
    h = _h(a.code + where)
    if h % 7:
        return a.path
    kind = (h // 7) % 3
    if kind == 0:
        return a.path + f"?utm_source={where}"
    if kind == 1:
        return a.path + "/"
    return f"/{a.section}/berita-{'-'.join(a.slug.split('-')[:3])}-{a.code}"


# ---------------------------------------------------------------- page frame

def _nav(base: str, sections) -> str:
    items = "".join(f'<li><a href="{link(base, "/" + s)}">{SECTION_LABELS[s]}</a></li>'
                    for s in sections)
    return f'<nav class="main-nav"><ul>{items}</ul></nav>'


def header(base: str, sections) -> str:
    return ('<header class="site-header"><div class="theme-toggle">'
            '<span class="icon-sun">sun</span><span class="icon-moon">moon</span></div>'
            '<a class="logo" href="/"><span class="logo-text">a l i n e a dot id</span>'
            '<span class="tagline">fakta data kata</span>'
            '<img src="/img/logo.png" alt="logo alinea.id"></a>'
            f'{_nav(base, sections)}</header>')


FOOTER = ('<footer class="site-footer"><div class="popup" id="popup">'
          '<button class="popup-close">×</button><div class="popup-body">'
          '<p>Dapatkan berita terbaru setiap hari.</p></div></div>'
          '<div class="widget-tekid">tekid</div><ul class="social">'
          + "".join(f'<li><a href="{u}">{u.split("/")[2]}</a></li>' for u in OFFSITE)
          + '</ul></footer>')


def page(base: str, site: Site, title: str, body: str, head: str = "",
         tail: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
            f'<title>{escape(title)}</title>{head}</head><body>'
            f'{header(base, site.nav_sections)}{body}{FOOTER}{tail}</body></html>')


def og_meta(og_type: str, title: str, url: str, description: str = "",
            image: str = "") -> str:
    meta = [("og:type", og_type), ("og:title", title), ("og:url", url)]
    if description:
        meta.append(("og:description", description))
    if image:
        meta.append(("og:image", image))
    return ("".join(f'<meta property="{p}" content="{escape(v)}">' for p, v in meta)
            + f'<link rel="canonical" href="{url}">')


# ---------------------------------------------------------------- cards

def card(base: str, a: Article, where: str) -> str:
    return (f'<div class="box1 card-news"><a class="card-link" '
            f'href="{escape(link(base, _variant_path(a, where)))}">'
            f'<h3 class="card-title">{escape(a.title)}</h3></a>'
            f'<span class="card-date">{display_date(a)}</span></div>')


def cards(base: str, articles, where: str) -> str:
    return "".join(card(base, a, where) for a in articles)


def listing_page(base: str, site: Site, title: str, articles, where: str,
                 extra: str = "") -> str:
    body = (f'<main class="listing"><h1 class="page-title">{escape(title)}</h1>'
            f'<div class="list-news">{cards(base, articles, where)}</div>{extra}</main>')
    return page(base, site, f"{title} - Alinea.id", body)


def popular(base: str, site: Site) -> str:
    picks = site.latest[6::7][:4]
    return f'<div class="section-popular"><h2>Terpopuler</h2>{cards(base, picks, "popular")}</div>'


def home(base: str, site: Site, token: str | None = None) -> str:
    """Public-record mode (``token``): ten cards of the home feed and its load-more (``categorynext=""``),
    the token only inline (``"_token":"…"``), no csrf-token meta; else six headline cards."""
    paths = ["/indeks", "/rss", site.video_path, "/tentang-kami", "/pedoman-media-siber",
             "/search?q=banjir", "/tag/politik", f"/penulis/{slugify(AUTHORS[0])}"]
    more = "".join(f'<li><a href="{escape(link(base, p))}">{p}</a></li>' for p in paths)
    shown = site.home_feed[:10] if token else site.listed_articles[:6]
    load_more = '<button id="loadmore" data-next="10" data-category="">Muat lebih banyak</button>' if token else ""
    body = (f'<main class="home"><div class="headline{" list-news" if token else ""}">'
            f'{cards(base, shown, "home")}</div>{load_more}'
            f'{popular(base, site)}<ul class="more-links">{more}</ul></main>')
    tail = f'<script>var Laravel = {{"_token":"{token}"}};</script>{LOADMORE_JS}' if token else ""
    return page(base, site, "Alinea.id - fakta data kata", body, tail=tail)


LOADMORE_JS = """<script>
document.addEventListener('DOMContentLoaded', function () {
  var btn = document.getElementById('loadmore');
  btn.addEventListener('click', function () {
    var form = new URLSearchParams();
    form.append('_token', Laravel._token);
    form.append('next', btn.getAttribute('data-next'));
    form.append('categorynext', btn.getAttribute('data-category'));
    fetch('/more', {method: 'POST', body: form, credentials: 'same-origin'})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (!html) { btn.remove(); return; }
        document.querySelector('.list-news').insertAdjacentHTML('beforeend', html);
        btn.setAttribute('data-next', String(Number(btn.getAttribute('data-next')) + 10));
      });
  });
});
</script>"""


def section_page(base: str, site: Site, section: str, token: str) -> str:
    head = f'<meta name="csrf-token" content="{token}">'
    body = (f'<main class="section"><h1 class="page-title">{SECTION_LABELS[section]}</h1>'
            f'<div class="list-news">{cards(base, site.listing(section)[:10], section)}</div>'
            f'<button id="loadmore" data-next="10" data-category="{section}">'
            f'Muat lebih banyak</button></main>')
    tail = f'<script>var Laravel = {{"_token":"{token}"}};</script>{LOADMORE_JS}'
    return page(base, site, f"{SECTION_LABELS[section]} - Alinea.id", body, head, tail)


def search_page(base: str, site: Site, query: str, page_no: int) -> str:
    q = query.lower()
    hits = [a for a in site.listed_articles if q and q in a.title.lower()]
    shown = hits[(page_no - 1) * 10:page_no * 10]
    body = (f'<main class="search"><h1>Hasil pencarian: {escape(query)}</h1>'
            f'<div class="hasilcari">{cards(base, shown, "search")}</div>'
            f'{popular(base, site)}</main>')
    return page(base, site, f"Cari {query} - Alinea.id", body)


def plain_page(base: str, site: Site, title: str, text: str) -> str:
    body = f'<main class="static-page"><h1>{escape(title)}</h1><p>{escape(text)}</p></main>'
    return page(base, site, f"{title} - Alinea.id", body)


def not_found(base: str, site: Site) -> str:
    return plain_page(base, site, "Halaman tidak ditemukan", "Maaf, halaman tidak ada.")


def video_page(base: str, site: Site) -> str:
    url = base + site.video_path
    title = "Video: " + site.video_slug.replace("-", " ").capitalize()
    ld = json.dumps({"@context": "https://schema.org", "@type": "VideoObject",
                     "name": title, "uploadDate": "2026-11-20T08:00:00+07:00",
                     "thumbnailUrl": base + "/img/video.jpg",
                     "contentUrl": base + "/img/video.mp4"})
    head = og_meta("video.other", title, url) + f'<script type="application/ld+json">{ld}</script>'
    body = (f'<main class="video-page"><h1 class="video-title">{escape(title)}</h1>'
            f'<video controls src="/img/video.mp4" poster="/img/video.jpg"></video></main>')
    return page(base, site, title, body, head)


def rss(base: str, site: Site) -> str:
    items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{base}{a.path}</link>"
        f'<guid isPermaLink="true">{base}{a.path}</guid>'
        f"<pubDate>{format_datetime(a.local_published)}</pubDate>"
        f"<description>{escape(a.lead)}</description></item>"
        for a in site.latest[:20])
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Alinea.id</title><link>{base}/</link>"
            f"<description>fakta data kata</description>{items}</channel></rss>")


def related_json(base: str, site: Site, a: Article) -> str:
    data = [{"title": site.by_code[c].title, "url": base + site.by_code[c].path}
            for c in a.related]
    return json.dumps({"data": data}, ensure_ascii=False)


# ---------------------------------------------------------------- article pages

RELATED_JS = """<script>
document.addEventListener('DOMContentLoaded', function () {
  var box = document.getElementById('berita-lainnya');
  var list = box.querySelector('ul');
  fetch('/api/related/' + box.getAttribute('data-code'))
    .then(function (r) { return r.json(); })
    .then(function (json) {
      json.data.forEach(function (item) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = item.url;
        a.textContent = item.title;
        li.appendChild(a);
        list.appendChild(li);
      });
    });
});
</script>"""


def _related_items(base: str, site: Site, a: Article) -> str:
    if a.related_mode != "static":
        return ""
    return "".join(f'<li><a href="{link(base, site.by_code[c].path)}">'
                   f'{escape(site.by_code[c].title)}</a></li>' for c in a.related)


def _berita_lainnya(base: str, site: Site, a: Article, tag: str) -> str:
    return (f'<{tag} class="berita-lainnya" id="berita-lainnya" data-code="{a.code}">'
            f'<h3>Berita Lainnya</h3><ul class="related-list">'
            f'{_related_items(base, site, a)}</ul></{tag}>')


def _paras(paragraphs, inserts: dict) -> str:
    """``<p>`` paragraphs with ``inserts[i]`` (HTML) placed after paragraph ``i``."""
    return "".join(f"<p>{escape(p)}</p>{inserts.get(i, '')}" for i, p in enumerate(paragraphs))


def _ad(unit: bool) -> str:
    return ('<div class="ads-slot"><div class="ads-label">Sponsored</div>'
            + ('<div class="ad-unit"></div>' if unit else "") + "</div>")


def _article_head(base: str, a: Article) -> str:
    image = base + a.image_url if a.image_url else ""
    return og_meta("article", a.title, base + a.path, a.lead, image)


def v2021(base: str, site: Site, a: Article, pager: str = "") -> str:
    author = escape(a.authors[0])
    return (f'<div class="detail"><h1 class="title">{escape(a.title)}</h1>'
            f'<div class="lead"><p>{escape(a.lead)}</p></div>'
            f'<div class="written__reporter"><div class="reporter__avatar">'
            f'<img src="/img/a.png" alt=""><div class="reporter__nama">{author}</div>'
            f'</div></div><div class="byline"><div class="written__reporter">'
            f'<div class="reporter__nama">{author}</div></div> '
            f'<div class="frontdate">{escape(a.published_raw)}</div></div>'
            f'<div class="title-repeat"><h2>{escape(a.title)}</h2></div>'
            f'<div class="artikelend"><article>{_paras(a.paragraphs, {2: _ad(True)})}'
            f'</article></div>{pager}{_berita_lainnya(base, site, a, "div")}</div>')


def _people(names) -> str:
    spans = [f'<span class="article__author">{escape(n)}</span>' for n in names]
    if len(spans) < 2:
        return "".join(spans)
    joiner = ", " if len(spans) == 2 and _h(names[0]) & 1 else " dan "
    return ", ".join(spans[:-1]) + joiner + spans[-1]


def _json_ld(base: str, a: Article) -> str:
    url = base + a.path
    person = lambda n: {"@type": "Person", "name": n}  # noqa: E731
    news = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
        "description": a.lead, "datePublished": a.published_iso,
        "author": [person(n) for n in a.authors], "editor": person(a.editor),
        "image": {"@type": "ImageObject", "url": base + a.image_url, "caption": a.image_caption},
        "keywords": a.tags, "articleSection": a.section, "mainEntityOfPage": {"@id": url},
        "publisher": {"@type": "Organization", "name": "Alinea.id",
                      "logo": {"@type": "ImageObject", "url": base + "/img/logo.png"}},
    }
    if a.modified_iso:
        news["dateModified"] = a.modified_iso
    crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": i + 1, "name": name, "item": item}
        for i, (name, item) in enumerate((("Beranda", base + "/"),
                                          (SECTION_LABELS[a.section], f"{base}/{a.section}"),
                                          (a.title, url)))]}
    return "".join(f'<script type="application/ld+json">{json.dumps(d, ensure_ascii=False)}'
                   f'</script>' for d in (crumbs, news))


def _current_head(base: str, a: Article) -> str:
    meta = [("article:published_time", a.published_iso), ("article:section", a.section)]
    if a.modified_iso:
        meta.append(("article:modified_time", a.modified_iso))
    meta += [("article:tag", t) for t in a.tags]
    return (_article_head(base, a) + _json_ld(base, a)
            + "".join(f'<meta property="{p}" content="{escape(v)}">' for p, v in meta))


def _baca_juga(base: str, site: Site, a: Article) -> dict:
    n = len(a.paragraphs)
    slots = [min(1, n - 2), min(4, n - 2)]
    return {slot: f'<p class="baca-juga"><strong>Baca juga:</strong> '
                  f'<a href="{link(base, site.by_code[c].path)}">{escape(site.by_code[c].title)}</a></p>'
            for slot, c in zip(slots, a.baca_juga)}


def current(base: str, site: Site, a: Article) -> str:
    inserts = _baca_juga(base, site, a)
    inserts[2] = inserts.get(2, "") + _ad(False)
    tags = "".join(f'<a href="{link(base, "/tag/" + t)}">{t}</a>' for t in a.tags)
    return (f'<main class="article-page"><article class="article">'
            f'<h1 class="article__title">{escape(a.title)}</h1>'
            f'<p class="article__summary">{escape(a.lead)}</p>'
            f'<div class="article__byline">Penulis: {_people(a.authors)} '
            f'<span class="article__time">{display_date(a)}</span></div>'
            f'<figure class="article__image"><img src="{link(base, a.image_url)}" '
            f'alt="{escape(a.image_caption)}"><figcaption>{escape(a.image_caption)}</figcaption>'
            f'</figure><div class="article__body">{_paras(a.paragraphs, inserts)}'
            f'<p class="article__editor">Editor: {escape(a.editor)}</p></div>'
            f'<div class="article__tags">{tags}</div><div class="author-bio">'
            f'<p>{escape(a.authors[0])} adalah jurnalis Alinea.id.</p></div></article>'
            f'{_berita_lainnya(base, site, a, "section")}</main>')


def generic(base: str, site: Site, a: Article, pager: str = "") -> str:
    related = "".join(f'<li><a href="{link(base, site.by_code[c].path)}">'
                      f'{escape(site.by_code[c].title)}</a></li>' for c in a.related)
    return (f'<main><h1>{escape(a.title)}</h1><time datetime="{a.published_iso}">'
            f'{display_date(a)}</time><article>{_paras(a.paragraphs, {})}</article>{pager}'
            f'<aside><h3>Berita Lainnya</h3><ul>{related}</ul></aside></main>')


def article_page(base: str, site: Site, a: Article, related_api: str = "/api/related/", pager: str = "") -> str:
    """``pager``: a paged article's pager (``listings.article_pager``), below the body."""
    if a.template != "classic":
        from . import zoo
        tail = RELATED_JS.replace("/api/related/", related_api) if a.related_mode == "js" else ""
        return zoo.article_page(base, site, a, tail)
    if a.layout == "generic":
        head = f'<meta property="og:title" content="{escape(a.title)}">' \
               f'<link rel="canonical" href="{base}{a.path}">'
        return page(base, site, a.title, generic(base, site, a, pager), head)
    tail = RELATED_JS.replace("/api/related/", related_api) if a.related_mode == "js" else ""
    if a.layout == "v2021":
        return page(base, site, a.title, v2021(base, site, a, pager), _article_head(base, a), tail)
    return page(base, site, a.title, current(base, site, a), _current_head(base, a), tail)


# ---------------------------------------------------------------- AMP pages

AMP_BOILERPLATE = ("<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
                   "animation:-amp-start 8s steps(1,end) 0s 1 normal both}</style>")


def amp_page(base: str, site: Site, a: Article) -> str:
    """``/amp/<section>/<slug>-<id>``, server-rendered as the stored public copies show it: title, lead,
    image caption, body paragraphs; no reporter, no date, no "Berita Lainnya" (SITE.md)."""
    caption = amp_caption(a)
    figure = (f'<figure class="amp-figure"><amp-img src="{base}{a.image_url}" width="600" height="400" '
              f'layout="responsive" alt="{escape(caption)}"></amp-img>'
              f'<figcaption>{escape(caption)}</figcaption></figure>') if a.image_url else ""
    return (f'<!doctype html><html amp lang="id"><head><meta charset="utf-8">'
            f'<title>{escape(a.title)} - Alinea.id</title><link rel="canonical" href="{base}{a.path}">'
            f'<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">'
            f'<script async src="https://cdn.ampproject.org/v0.js"></script>{AMP_BOILERPLATE}</head><body>'
            f'<header class="amp-header"><a href="{base}/"><amp-img src="{base}/img/logo.png" width="120" '
            f'height="30" alt="logo alinea.id"></amp-img></a></header>'
            f'<article class="amp-article"><header><h1 class="amp-title">{escape(a.title)}</h1>'
            f'<div class="amp-lead">{escape(a.lead)}</div></header>{figure}'
            f'<div class="amp-body">{_paras(a.paragraphs, {})}</div></article>'
            f'<footer class="amp-footer">© Alinea.id</footer></body></html>')
