"""Template zoo: article markups nobody here wrote, for the extraction rewrite (#10).

With ``--templates zoo`` about half the articles (chosen by a CRC of the code, so
the model's rng stream is untouched) are served by one of ``TEMPLATES`` instead
of their classic layout. ``expected_item`` is the true item of such a page: only
what the template shows, read from the model, never from the crawler.
"""
from __future__ import annotations

import json
import re
import zlib
from html import escape

from .model import AUTHORS, DAYS, MONTHS, SECTION_LABELS, TAGS, ZONES, Article, slugify

ZOO = ("newswatch", "nosemantic", "brbr", "visibledate", "timetext", "ldgraph", "standfirst", "embeds")
FIRST_SIX = ZOO[:6]  # their assignment predates the others and must not move (golden pages)
LATER = ZOO[6:]  # issue #16: shapes of real news pages the first six lack
IMAGE_PATH = "/img/{code}.jpg"


def _h(text: str) -> int:
    return zlib.crc32(text.encode())


def template_for(code: str) -> str:
    """``classic`` for about 3/8 of the codes, else one zoo template (deterministic, no rng).

    Half the codes take one of the first six templates as they always did; one in eight of the rest's
    (classic) codes takes one of the later ones.
    """
    h = _h("zoo:" + code)
    if h % 8 == 1:
        return LATER[(h >> 3) % len(LATER)]
    return "classic" if h % 2 else FIRST_SIX[(h >> 1) % len(FIRST_SIX)]


def _variant(a: Article, what: str, n: int) -> int:
    return _h(f"{a.code}:{what}") % n


# ---------------------------------------------------------------- what a template shows

SHOWS_BACA_JUGA = ("brbr", "timetext")
ONE_AUTHOR = ("newswatch", "visibledate")


def baca_juga_shown(site, a: Article) -> list:
    """Baca-juga codes the template links: the model's, else the first listed related article."""
    if a.template not in SHOWS_BACA_JUGA:
        return []
    if a.baca_juga:
        return list(a.baca_juga)
    return [c for c in a.related if site.by_code[c].listed][:1]


def _authors(a: Article) -> list:
    names = list(a.authors) or [AUTHORS[_h(a.code) % len(AUTHORS)]]
    return names[:1] if a.template in ONE_AUTHOR else names


def _editor(a: Article) -> str:
    return a.editor or AUTHORS[_h(a.code + ":editor") % len(AUTHORS)]


def _tags(a: Article) -> list:
    return list(a.tags) or list(dict.fromkeys(TAGS[_h(f"{a.code}:tag{i}") % len(TAGS)] for i in range(2)))


def _caption(a: Article) -> str:
    return a.image_caption or "Ilustrasi. iStock"


def _people(names) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]


def _date_shown(a: Article) -> tuple[str, str]:
    """(the exact date text the page shows, the zone it means)."""
    t = a.template
    tz = a.tz
    v = _variant(a, "date", 3)
    if t in ("nosemantic", "visibledate") and v == 2:
        if tz == "WIB":
            tz = ""  # no zone shown: WIB is meant
        else:
            v = 0  # a WITA/WIT time always shows its zone
    local = a.published.astimezone(ZONES[tz or "WIB"])
    day = DAYS[local.weekday()]
    month = MONTHS[local.month - 1]
    hm = f"{local:%H:%M}"
    zone = f" {tz}" if tz else ""
    if t == "newswatch":
        text = f"{day[v % len(day)]}, {local.day} {month[v % len(month)]} {local.year} {hm}{zone}"
    elif t == "nosemantic":
        text = (f"{local:%d/%m/%Y}, {hm}{zone}", f"{local.day} {month[0]} {local.year}, {hm}{zone}",
                f"{local:%Y-%m-%d} {hm}")[v]
    elif t == "brbr":
        text = f"{local.day} {month[-1]} {local.year}, {hm}{zone}"
    elif t == "visibledate":
        text = (f"{day[-1]}, {local.day} {month[0]} {local.year} - {hm}{zone}",
                f"{local:%d-%m-%Y} {hm}{zone}", f"{local:%d-%m-%Y} {hm}")[v]
    elif t == "timetext":
        text = f"{day[-1]}, {local:%d/%m/%Y} | {hm}{zone}"
    elif t == "standfirst":  # the seed's byline date: "Senin, 3 Feb 2025 09:10 WIB"
        text = f"{day[0]}, {local.day} {month[v % len(month)]} {local.year} {hm} {tz}"
    elif t == "embeds":
        text = f"{local:%d/%m/%Y} {hm} {tz}"
    else:  # ldgraph: JSON-LD datePublished
        text = local.isoformat()
    return text, tz or "WIB"


def _sentences(paragraph: str) -> list:
    return re.split(r"(?<=\.) (?=[A-Z])", paragraph)


LIST_AT = 1  # the paragraph "standfirst" shows as a bulleted list of its sentences
TABLE_AFTER = 1  # "embeds" shows a table of the article's tags after this paragraph
TABLE_HEAD = ("No", "Topik")


def _table_cells(a: Article) -> list:
    return [*TABLE_HEAD, *(cell for i, tag in enumerate(_tags(a)) for cell in (str(i + 1), tag))]


def body_blocks(a: Article) -> list:
    """The article text as the page shows it, block by block: a list item, a table cell is a block of its own."""
    if a.template == "standfirst" and len(a.paragraphs) > LIST_AT:
        return [*a.paragraphs[:LIST_AT], *_sentences(a.paragraphs[LIST_AT]), *a.paragraphs[LIST_AT + 1:]]
    if a.template == "embeds":
        return [*a.paragraphs[:TABLE_AFTER + 1], *_table_cells(a), *a.paragraphs[TABLE_AFTER + 1:]]
    return list(a.paragraphs)


def _layout(a: Article) -> str:
    return "v2021" if a.template == "newswatch" else "generic"


def expected_item(site, a: Article, base_url: str) -> dict:
    """The item a perfect crawler extracts from the zoo page of ``a`` (JS lists as rendered)."""
    base = base_url.rstrip("/")
    t = a.template
    raw, tz = _date_shown(a)
    related = dict.fromkeys(base + site.by_code[c].path for c in a.baca_juga + a.related)
    return {
        "url": base + a.path,
        "article_id": a.code,
        "section": a.section,
        "title": a.title,
        "lead": a.lead if t in ("newswatch", "nosemantic", "timetext", "ldgraph", "standfirst", "embeds") else None,
        "authors": _authors(a),
        "editor": _editor(a) if t in ("brbr", "ldgraph") else None,
        "published_at": a.published.astimezone(ZONES[tz]).isoformat(),
        "published_at_raw": raw,
        "modified_at": a.modified_iso if t == "ldgraph" else None,
        "tags": _tags(a) if t in ("newswatch", "ldgraph") else [],
        "image_url": base + IMAGE_PATH.format(code=a.code),
        "image_caption": _caption(a) if t in ("timetext", "ldgraph") else None,
        "body": "\n\n".join(body_blocks(a)),
        "related_urls": list(related),
        "layout": _layout(a),
    }


# ---------------------------------------------------------------- shared pieces

def _head(base: str, a: Article, lead: bool) -> str:
    meta = [("og:type", "article"), ("og:title", a.title), ("og:url", base + a.path)]
    if lead:
        meta.append(("og:description", a.lead))
    meta.append(("og:image", base + IMAGE_PATH.format(code=a.code)))
    return ("".join(f'<meta property="{p}" content="{escape(v)}">' for p, v in meta)
            + f'<link rel="canonical" href="{base}{a.path}">')


def _img(a: Article, alt: str = "") -> str:
    return f'<img src="{IMAGE_PATH.format(code=a.code)}" alt="{escape(alt)}">'


def _item_link(base: str, site, code: str) -> str:
    from .pages import link
    other = site.by_code[code]
    return f'<a href="{escape(link(base, other.path))}">{escape(other.title)}</a>'


def _berita_lainnya(base: str, site, a: Article, tag: str = "div") -> str:
    from .pages import _berita_lainnya as classic_box
    return classic_box(base, site, a, tag)


def _author_link(base: str, name: str) -> str:
    return f'<a href="/penulis/{slugify(name)}">{escape(name)}</a>'


def _linked_names(base: str, a: Article) -> str:
    return ", ".join(_author_link(base, n) for n in _authors(a))


def _page(base: str, site, a: Article, body: str, head: str) -> str:
    from .pages import page
    return page(base, site, a.title, body, head)


# ---------------------------------------------------------------- templates

def newswatch(base: str, site, a: Article) -> str:
    """The shape a mid-2026 public scraper implies: body in the ``div`` just before the first ``<article>``."""
    author = escape(_authors(a)[0])
    raw, _ = _date_shown(a)
    ads = {1: '<div class="ads-billboard"><div class="ads-label">Sponsored</div><div class="ad-unit"></div></div>',
           3: '<div class="flying_carpet_div"><div class="flying_carpet">Advertisement</div>'
              '<span class="fc-label">Scroll untuk melanjutkan</span></div>'}
    paras = "".join(f"<p>{escape(p)}</p>{ads.get(i, '')}" for i, p in enumerate(a.paragraphs))
    tags = "".join(f'<li><a href="/tag/{t}">{t}</a></li>' for t in _tags(a))
    return _page(base, site, a, (
        f'<div class="container"><div class="col-main"><h1 class="title-detail">{escape(a.title)}</h1>'
        f'<div class="lead-detail"><p>{escape(a.lead)}</p></div>'
        f'<div class="written__reporter"><div class="reporter__avatar"><img src="/img/a.png" alt="">'
        f'<div class="reporter__nama">{author}</div></div></div>'
        f'<div class="byline"><div class="written__reporter"><div class="reporter__nama">{author}</div></div> '
        f'<div class="frontdate">{escape(raw)}</div></div>'
        f'<div class="img-detail">{_img(a)}</div>'
        f'<div>{paras}</div>'
        f'<article class="article-extra"><div class="tag-detail"><span>Tag</span><ul>{tags}</ul></div>'
        f'<div class="share-detail"><span>Bagikan</span><a href="#fb">Facebook</a><a href="#tw">Twitter</a>'
        f'<a href="#wa">WhatsApp</a></div>{_berita_lainnya(base, site, a)}</article>'
        f'<div class="artikelend"></div></div></div>'), _head(base, a, lead=True))


def nosemantic(base: str, site, a: Article) -> str:
    """No semantic tags, generated class names, paragraphs as ``div``s; date only in a byline line."""
    raw, _ = _date_shown(a)
    paras = "".join(f'<div class="css-1q2w3e4 e1x9k2ab0">{escape(p)}</div>' for p in a.paragraphs)
    nav = "".join(f'<a class="css-9zq1l" href="/{s}">{SECTION_LABELS[s]}</a>' for s in site.sections)
    related = "".join(f'<div class="css-r3l">{_item_link(base, site, c)}</div>' for c in a.related
                      ) if a.related_mode == "static" else ""
    body = (
        f'<div class="sc-bdVaJa kJzXcP"><div class="sc-bwzfXH"><span class="css-s1">sun</span>'
        f'<span class="css-m1">moon</span></div><a class="sc-htpNat" href="/"><span>a l i n e a dot id</span>'
        f'<span>fakta data kata</span><img src="/img/logo.png" alt="logo alinea.id"></a>'
        f'<div class="sc-bxivhb">{nav}</div></div>'
        f'<div class="css-1x9k2ab"><div class="css-7kp13n text-4xl font-bold">{escape(a.title)}</div>'
        f'<div class="css-lq8v2 text-lg">{escape(a.lead)}</div>'
        f'<div class="css-b7l1ne text-sm">Oleh {escape(_people(_authors(a)))} · {escape(raw)}</div>'
        f'<div class="css-i9m4g">{_img(a)}</div><div class="css-53mzx">{paras}</div>'
        f'<div class="css-rl0x" id="berita-lainnya" data-code="{a.code}"><div class="css-h3x">Berita Lainnya</div>'
        f'<ul class="css-ul0">{related}</ul></div></div>'
        f'<div class="sc-EHOje"><div class="css-pp0"><span class="css-x1">×</span>'
        f'<div>Dapatkan berita terbaru setiap hari.</div></div><div class="css-tk1">tekid</div></div>')
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{escape(a.title)}</title>'
            f'{_head(base, a, lead=True)}</head><body>{body}</body></html>')


def brbr(base: str, site, a: Article) -> str:
    """Paragraphs split by ``<br><br>`` in one ``div.content``; baca-juga and editor lines inline."""
    raw, _ = _date_shown(a)
    baca = baca_juga_shown(site, a)
    slots = dict(zip((1, 3), baca))
    lines = []
    for i, p in enumerate(a.paragraphs):
        lines.append(escape(p))
        if i in slots:
            lines.append(f"<b>Baca juga:</b> {_item_link(base, site, slots[i])}")
    lines.append(f"Editor: {escape(_editor(a))}")
    return _page(base, site, a, (
        f'<div class="post"><h1 class="post-title">{escape(a.title)}</h1>'
        f'<div class="post-meta">Penulis: {_linked_names(base, a)} <span class="post-date">{escape(raw)}</span></div>'
        f'<div class="post-image">{_img(a)}</div>'
        f'<div class="content">{"<br><br>".join(lines)}</div>'
        f'{_berita_lainnya(base, site, a)}</div>'), _head(base, a, lead=False))


def visibledate(base: str, site, a: Article) -> str:
    """No structured date anywhere: only the visible text next to the headline."""
    raw, _ = _date_shown(a)
    author = escape(_authors(a)[0])
    info = (f'<div class="read__info">Reporter: {author} | {escape(raw)}</div>'
            if _variant(a, "info", 2) == 0 else
            f'<div class="read__info"><span>Reporter: {author}</span><br><span>{escape(raw)}</span></div>')
    paras = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return _page(base, site, a, (
        f'<div class="read"><h1 class="read__title">{escape(a.title)}</h1>{info}'
        f'<div class="photo">{_img(a)}</div><div class="read__content">{paras}</div>'
        f'{_berita_lainnya(base, site, a)}</div>'), _head(base, a, lead=False))


def timetext(base: str, site, a: Article) -> str:
    """``<time>`` without ``datetime``; figure, baca-juga box inside the body; bio and disclaimer after it."""
    raw, _ = _date_shown(a)
    baca = "".join(f"<li>{_item_link(base, site, c)}</li>" for c in baca_juga_shown(site, a))
    inserts = {0: f'<figure class="story-figure">{_img(a, _caption(a))}<figcaption>{escape(_caption(a))}'
                  f'</figcaption></figure>',
               1: f'<div class="box-related"><span>Baca Juga</span><ul>{baca}</ul></div>' if baca else ""}
    paras = "".join(f"<p>{escape(p)}</p>{inserts.get(i, '')}" for i, p in enumerate(a.paragraphs))
    authors = _authors(a)
    return _page(base, site, a, (
        f'<div class="detail-wrap"><h1 class="detail-title">{escape(a.title)}</h1>'
        f'<p class="excerpt">{escape(a.lead)}</p>'
        f'<div class="detail-meta"><span class="author">{escape(_people(authors))}</span> '
        f'<time>{escape(raw)}</time></div>'
        f'<section class="story">{paras}</section>'
        f'<div class="author-box"><img src="/img/a.png" alt=""><p><b>{escape(authors[0])}</b> adalah '
        f'jurnalis Alinea.id yang meliput isu sosial dan politik sejak 2019.</p></div>'
        f'<div class="disclaimer"><p>Disclaimer: Setiap opini dalam artikel ini merupakan tanggung jawab '
        f'penulis dan telah melalui proses penyuntingan oleh redaksi Alinea.id.</p></div>'
        f'{_berita_lainnya(base, site, a)}</div>'), _head(base, a, lead=True))


def _ld_graph(base: str, a: Article) -> str:
    url = base + a.path
    authors = _authors(a)
    image = base + IMAGE_PATH.format(code=a.code)
    as_lists = _variant(a, "keywords", 2)
    news = {
        "@type": "NewsArticle", "@id": url + "#article", "headline": a.title, "description": a.lead,
        "datePublished": _date_shown(a)[0],
        "author": [n if i % 2 else {"@type": "Person", "name": n, "url": f"{base}/penulis/{slugify(n)}"}
                   for i, n in enumerate(authors)],
        "image": [{"@type": "ImageObject", "url": image, "caption": _caption(a), "width": 1200, "height": 800},
                  {"@type": "ImageObject", "url": image.replace("/img/", "/img/crop/600x400/"), "width": 600}],
        "keywords": [[t] for t in _tags(a)] if as_lists else
                    [{"@type": "DefinedTerm", "name": t} for t in _tags(a)],
        "articleSection": SECTION_LABELS[a.section], "mainEntityOfPage": {"@id": url},
        "isPartOf": {"@id": base + "/#website"},
    }
    if a.modified_iso:
        news["dateModified"] = a.modified_iso
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": base + "/#website", "name": "Alinea.id", "url": base + "/"},
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Beranda", "item": base + "/"},
            {"@type": "ListItem", "position": 2, "name": SECTION_LABELS[a.section], "item": f"{base}/{a.section}"}]},
        news]}
    return f'<script type="application/ld+json">{json.dumps(graph, ensure_ascii=False)}</script>'


def ldgraph(base: str, site, a: Article) -> str:
    """JSON-LD ``@graph`` with odd shapes; body in ``[itemprop=articleBody]`` led by the byline."""
    authors = _authors(a)
    paras = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return _page(base, site, a, (
        f'<div class="article-wrap"><h1 class="headline">{escape(a.title)}</h1>'
        f'<div class="subheadline">{escape(a.lead)}</div><div class="main-image">{_img(a, _caption(a))}</div>'
        f'<div itemprop="articleBody"><p>{escape(", ".join(authors))}</p>{paras}'
        f'<p>Penyunting: {escape(_editor(a))}</p></div>'
        f'{_berita_lainnya(base, site, a)}</div>'),
        _head(base, a, lead=True) + _ld_graph(base, a))


def _head_without_description(base: str, a: Article) -> str:
    return _head(base, a, lead=False)


def standfirst(base: str, site, a: Article) -> str:
    """No description anywhere but the visible standfirst; names and date in one byline text, no separator;
    a list in the body; calls to action (Google News, a WhatsApp channel) as whole lines."""
    raw, _ = _date_shown(a)
    gap = ("  ", " ", "<br>")[_variant(a, "gap", 3)]
    paras = []
    for i, p in enumerate(a.paragraphs):
        if i == LIST_AT:
            paras.append("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in _sentences(p)) + "</ul>")
        else:
            paras.append(f"<p>{escape(p)}</p>")
        if i == 0:
            paras.append('<p><strong>Ikuti saluran WhatsApp Alinea.id untuk kabar terkini</strong></p>')
    paras.append('<p>Simak berita lainnya di <a href="https://news.google.com/publications/alinea">Google News</a></p>')
    return _page(base, site, a, (
        f'<div class="main-content"><h1 class="jdl">{escape(a.title)}</h1>'
        f'<div class="intro">{escape(a.lead)}</div>'
        f'<div class="info-artikel">{_linked_names(base, a)}{gap}{escape(raw)}</div>'
        f'<div class="foto">{_img(a)}</div>'
        f'<div class="isi">{"".join(paras)}</div>'
        f'{_berita_lainnya(base, site, a)}</div>'), _head_without_description(base, a))


def _instagram(a: Article) -> str:
    return (f'<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/{a.code}/">'
            f'<p>Suasana hari ini. {escape(a.title)} #alinea #berita</p>'
            f'<a href="https://www.instagram.com/p/{a.code}/">Sebuah kiriman dibagikan oleh Alinea.id (@alinea.id)'
            f'</a></blockquote>')


def _tweet(a: Article) -> str:
    return (f'<blockquote class="twitter-tweet"><p lang="id">Kabar terbaru: {escape(a.lead)}</p>'
            f'&mdash; Alinea.id (@alineadotid) <a href="https://twitter.com/alineadotid/status/1">3 Februari 2025'
            f'</a></blockquote>')


def _terkait(base: str, site, a: Article) -> str:
    links = "".join(f"<li>{_item_link(base, site, c)}</li>" for c in a.related[:2])
    return f'<div class="box"><h4>Berita Terkait</h4><ul>{links}</ul></div>' if links else ""


def embeds(base: str, site, a: Article) -> str:
    """Instagram and Twitter embeds, a newsletter box, a "Berita Terkait" box and a table inside the body;
    a reader-comment section after it; "Simak juga video berikut" as a whole line."""
    raw, _ = _date_shown(a)
    rows = "".join(f"<tr><td>{i + 1}</td><td>{escape(t)}</td></tr>" for i, t in enumerate(_tags(a)))
    head = "".join(f"<th>{cell}</th>" for cell in TABLE_HEAD)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    inserts = {0: _instagram(a), TABLE_AFTER: table, 2: _tweet(a) + '<p>Simak juga video berikut:</p>',
               3: '<div class="newsletter-box"><p>Dapatkan kabar pilihan redaksi setiap pagi langsung di surel Anda.'
                  '</p><form><input type="email" name="email"><button>Daftar</button></form></div>'}
    paras = "".join(f"<p>{escape(p)}</p>{inserts.get(i, '')}" for i, p in enumerate(a.paragraphs))
    comments = "".join(
        f'<li class="comment"><b>{escape(name)}</b><p>{escape(text)}</p></li>'
        for name, text in (("Warga Bekasi", "Semoga pemerintah segera menindaklanjuti persoalan ini dengan serius "
                                            "karena sudah terlalu lama dibiarkan tanpa kejelasan."),
                           ("Budi_88", "Setuju sekali, kami di daerah juga merasakan dampaknya setiap hari dan "
                                       "berharap ada perubahan nyata tahun ini.")))
    return _page(base, site, a, (
        f'<div class="single"><h1>{escape(a.title)}</h1><div class="byline">{_linked_names(base, a)} - '
        f'{escape(raw)}</div>'
        f'<div class="entry-content">{paras}{_terkait(base, site, a)}</div>'
        f'<section id="comments"><h3>2 Komentar</h3><ol class="comment-list">{comments}</ol>'
        f'<p>Tulis komentar Anda</p></section>'
        f'{_berita_lainnya(base, site, a)}</div>'), _head(base, a, lead=True))


TEMPLATES = {"newswatch": newswatch, "nosemantic": nosemantic, "brbr": brbr, "visibledate": visibledate,
             "timetext": timetext, "ldgraph": ldgraph, "standfirst": standfirst, "embeds": embeds}
assert tuple(TEMPLATES) == ZOO


def article_page(base: str, site, a: Article, tail: str) -> str:
    html = TEMPLATES[a.template](base, site, a)
    return html.replace("</body></html>", tail + "</body></html>") if tail else html
