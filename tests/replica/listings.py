"""How the replica lists its articles, beyond the classic load-more: the shapes many Laravel news sites use.

* ``sitemap``: ``index`` (robots.txt names ``/sitemap.xml``, an index of a news
  sitemap and a gzipped ``.xml.gz`` one), ``plain`` (robots.txt names none;
  ``/sitemap.xml`` is a plain urlset), ``none``.
* ``sitemap_attack``: the index also lists hostile sitemaps (a gzip bomb, billion
  laughs, an external entity, itself and a loop, another host, a million URLs).
* ``paging``: ``numbered`` sections and ``/indeks`` (``?page=N``, rel=next,
  "Selanjutnya") instead of a load-more button.
* ``more_format``: what ``POST /more`` answers: ``html``, ``json_html``
  (``{"html": "<cards>"}``), ``json_objects`` (``{"data": [{url, title, published_at}]}``).
* paged articles (``Article.pages``): "Halaman 1 2 Selanjutnya" after the body,
  ``?page=N``; ``single_view`` adds "Tampilkan semua" (``?page=all``).
"""
from __future__ import annotations

import gzip
import json
from functools import lru_cache
from html import escape

from .model import Article, Site, page_paragraphs

SITEMAP_MODES = ("none", "index", "plain")
PAGING_MODES = ("loadmore", "numbered")
MORE_FORMATS = ("html", "json_html", "json_objects")
PAGE_SIZE = 10
NS = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
      'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')
ATTACKS = ("sitemap-bomb.xml.gz", "sitemap-laughs.xml", "sitemap-xxe.xml", "sitemap.xml", "sitemap-loop.xml",
           "http://other-host.invalid/sitemap.xml", "sitemap-million.xml.gz")


# ---------------------------------------------------------------- sitemaps

def robots_lines(base: str, mode: str) -> str:
    return f"Sitemap: {base}/sitemap.xml\n" if mode == "index" else ""


def sitemap_articles(site: Site) -> list:
    """Every article a reader can reach, as the site's sitemaps list them (hidden ones too: they are pages)."""
    return [a for a in site.articles if not a.page_broken]


def sitemap_index(base: str, site: Site, attack: bool) -> str:
    newest = site.articles[0].published.isoformat() if site.articles else ""
    names = ["sitemap-news.xml", "sitemap-articles.xml.gz", *(ATTACKS if attack else ())]
    entries = "".join(f"<sitemap><loc>{name if name.startswith('http') else f'{base}/{name}'}</loc>"
                      f"<lastmod>{newest}</lastmod></sitemap>" for name in names)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{entries}</sitemapindex>'


def news_sitemap(base: str, site: Site) -> str:
    """The newest articles, with news:publication_date and news:title (no lastmod)."""
    entries = "".join(
        f"<url><loc>{base}{a.path}</loc><news:news><news:publication><news:name>Alinea.id</news:name>"
        f"<news:language>id</news:language></news:publication>"
        f"<news:publication_date>{a.published_iso}</news:publication_date>"
        f"<news:title>{escape(a.title)}</news:title></news:news></url>"
        for a in sitemap_articles(site)[:PAGE_SIZE])
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{entries}</urlset>'


def plain_sitemap(base: str, site: Site) -> str:
    """Home, sections and every article with its lastmod (modified, else published)."""
    pages = [f"<url><loc>{base}/</loc></url>"] + [f"<url><loc>{base}/{s}</loc></url>" for s in site.sections]
    pages += [f"<url><loc>{base}{a.path}</loc><lastmod>{a.modified_iso or a.published_iso}</lastmod></url>"
              for a in sitemap_articles(site)]
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{"".join(pages)}</urlset>'


def attack_sitemap(base: str, name: str) -> bytes | None:
    """The hostile sitemaps of ``sitemap_attack``; ``None`` for a name that is none of them."""
    if name == "sitemap-bomb.xml.gz":
        return _bomb()
    if name == "sitemap-laughs.xml":
        entities = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
        return (f'<?xml version="1.0"?><!DOCTYPE urlset [{entities}]>'
                f'<urlset {NS}><url><loc>{base}/x/&lol9;-bLAUGHS001</loc></url></urlset>').encode()
    if name == "sitemap-xxe.xml":
        return (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                f'<!ENTITY remote SYSTEM "http://other-host.invalid/xxe">]>'
                f'<urlset {NS}><url><loc>{base}/x/&xxe;&remote;-bXXEXXE01</loc></url></urlset>').encode()
    if name == "sitemap-loop.xml":  # an index listing the top index again
        return f'<sitemapindex {NS}><sitemap><loc>{base}/sitemap.xml</loc></sitemap></sitemapindex>'.encode()
    if name == "sitemap-million.xml.gz":
        return _million(base)
    return None


@lru_cache(maxsize=1)
def _bomb() -> bytes:
    """About 20 kB that inflate to 200 MB of white space inside a urlset."""
    return gzip.compress(b"<urlset>" + b" " * 200_000_000 + b"</urlset>", compresslevel=9)


@lru_cache(maxsize=2)
def _million(base: str) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>'.encode()
    body = b"".join(b"<url><loc>%s/arsip/a-b%08d</loc></url>" % (base.encode(), i) for i in range(1_000_000))
    return gzip.compress(head + body + b"</urlset>", compresslevel=6)


def gzipped(text: str) -> bytes:
    return gzip.compress(text.encode(), mtime=0)


# ---------------------------------------------------------------- numbered listings and load-more answers

def numbered_pager(path: str, page_no: int, last: int) -> str:
    """A Laravel paginator: ‹ 1 2 3 › with rel=prev/next, the current page a span."""
    def href(n: int) -> str:
        return f"{path}?page={n}"
    items = [f'<li class="page-item"><a class="page-link" rel="prev" href="{href(page_no - 1)}">‹</a></li>'
             if page_no > 1 else '<li class="page-item disabled"><span>‹</span></li>']
    items += [f'<li class="page-item active"><span class="page-link">{n}</span></li>' if n == page_no else
              f'<li class="page-item"><a class="page-link" href="{href(n)}">{n}</a></li>' for n in range(1, last + 1)]
    if page_no < last:
        items.append(f'<li class="page-item"><a class="page-link" rel="next" href="{href(page_no + 1)}">'
                     f'Selanjutnya ›</a></li>')
    return f'<nav><ul class="pagination">{"".join(items)}</ul></nav>'


def page_of(articles: list, page_no: int) -> tuple[list, int]:
    """The articles of page ``page_no`` and the number of the last page."""
    last = max(1, -(-len(articles) // PAGE_SIZE))
    return articles[(page_no - 1) * PAGE_SIZE:page_no * PAGE_SIZE], last


def more_answer(fmt: str, base: str, chunk: list, cards_html: str) -> tuple[str, str]:
    """(body, content type) of a load-more answer in format ``fmt``."""
    if fmt == "json_html":
        return json.dumps({"html": cards_html, "count": len(chunk)}), "application/json"
    if fmt == "json_objects":
        data = [{"id": i, "title": a.title, "url": base + a.path, "published_at": a.published_iso,
                 "category": {"slug": a.listing_section}} for i, a in enumerate(chunk)]
        return json.dumps({"data": data, "has_more": bool(chunk)}), "application/json"
    return cards_html, "text/html; charset=utf-8"


# ---------------------------------------------------------------- paged articles

def article_view(a: Article, page_arg: str | None, single_view: bool):
    """(the article as page ``page_arg`` shows it, the pager HTML), or ``None`` for a page it has not."""
    if a.pages == 1:
        return a, ""
    if page_arg == "all" and single_view:
        return a, ""
    page_no = int(page_arg) if page_arg and page_arg.isdigit() else 1 if page_arg is None else 0
    if not 1 <= page_no <= a.pages:
        return None
    from dataclasses import replace
    return replace(a, paragraphs=page_paragraphs(a, page_no)), article_pager(a, page_no, single_view)


def article_pager(a: Article, page_no: int, single_view: bool) -> str:
    """ "Halaman 1 2 3 Selanjutnya" (and "Tampilkan semua") below the body."""
    links = [f"<span>{n}</span>" if n == page_no else f'<a href="{a.path}?page={n}">{n}</a>'
             for n in range(1, a.pages + 1)]
    if page_no < a.pages:
        links.append(f'<a href="{a.path}?page={page_no + 1}">Selanjutnya</a>')
    if single_view:
        links.append(f'<a class="show-all" href="{a.path}?page=all">Tampilkan semua</a>')
    return f'<div class="article-pagination">Halaman {" ".join(links)}</div>'
