"""Request dispatch of the replica and its Twisted adapter.

``App.handle(Request) -> Response`` is the single entry point for every request
(a fault-injection layer can wrap it); ``ReplicaResource`` only converts between
Twisted requests and these plain objects.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from twisted.internet import reactor
from twisted.web import resource, server

from . import listings, pages
from .model import SECTION_LABELS, Site

HTML = "text/html; charset=utf-8"
ROBOTS = "User-agent: *\nDisallow: /search\nDisallow: /_admin\n"
KINDS = ("home", "section", "more", "article", "amp", "api_related", "sitemap", "other")
ARTICLE_RE = re.compile(r"^/[^/]+/(?:[^/]*-)?(b[A-Za-z0-9]{8,9})/?$")
STATIC_PAGES = {
    "tentang-kami": ("Tentang Kami", "Alinea.id adalah media daring yang menyajikan fakta, data dan kata."),
    "pedoman-media-siber": ("Pedoman Media Siber", "Kemerdekaan berpendapat dijamin konstitusi."),
}
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


@dataclass
class Request:
    method: str
    path: str
    args: dict  # query string and form fields: name -> first value
    host: str
    cookies: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)  # lower-case name -> value


@dataclass
class Response:
    body: bytes | str = b""
    status: int = 200
    content_type: str = HTML
    headers: list = field(default_factory=list)  # extra (name, value) pairs
    delay: float = 0.0  # seconds before the response is sent (fault injection)
    abort: bool = False  # drop the connection instead of answering (fault injection)

    @property
    def data(self) -> bytes:
        return self.body.encode() if isinstance(self.body, str) else self.body


def _json(obj) -> Response:
    return Response(json.dumps(obj), content_type="application/json")


# The seed article (rebuilt from seed-article-rendered.txt) at its real URL on alinea.id, which SITE.md's
# public record gives: the spider's contracts name it, so `scrapy check` can run against the replica.
SEED_CODE = "b2cFF9AnQ"
SEED_PAGE = Path(__file__).resolve().parents[1] / "golden" / "article" / "v2021" / "seed-biden-putin.html"


class App:
    """The replica's routes over a ``Site`` model; framework independent."""

    def __init__(self, site: Site, secret: str | None = None, related_api_moves_after: int = 0,
                 related_api_delay: float = 0.0, sitemap: str = "none", sitemap_attack: bool = False,
                 paging: str = "loadmore", more_format: str = "html", single_view: bool = False):
        self.site = site
        # How the site lists its articles (tests/replica/listings.py).
        self.sitemap, self.sitemap_attack, self.paging = sitemap, sitemap_attack, paging
        self.more_format, self.single_view = more_format, single_view
        self.home_more = site.public_record or more_format != "html"  # the home feed pages through POST /more
        # The JS list's endpoint; after N answers it moves (old path 404s), as a site redesign would.
        self.related_api = "/api/related/"
        self.related_api_moves_after = related_api_moves_after
        self.related_api_delay = related_api_delay  # seconds the JS list's endpoint takes to answer
        self.secret = secret or secrets.token_hex(16)
        self.sessions: set = set()
        self.counts = Counter()
        self.more_headers = Counter()  # POST /more: "xhr" (X-Requested-With: XMLHttpRequest sent) or "plain"
        self._cache: dict = {}
        self._routes = {"": self.home, "robots.txt": self.robots, "indeks": self.indeks,
                        "rss": self.rss, "more": self.more, "search": self.search,
                        "_admin": self.admin, "api": self.api, "img": self.image,
                        "tag": self.tag, "penulis": self.author, "video": self.video, "amp": self.amp}

    # -------------------------------------------------------------- dispatch
    def handle(self, req: Request) -> Response:
        base = "http://" + req.host
        kind, resp = self.route(req, base)
        if kind != "admin":
            self.counts[kind] += 1
        return resp

    def route(self, req: Request, base: str):
        """Returns ``(kind, Response)`` for the request."""
        head, _, rest = req.path.lstrip("/").partition("/")
        handler = self._routes.get(head)
        if handler:
            return handler(req, base, rest)
        if head.startswith("sitemap") and not rest:
            return self.sitemap_file(base, head)
        if not rest and head in self.site.sections:
            return "section", self.section(req, base, head)
        if head in STATIC_PAGES and not rest:
            return "other", Response(pages.plain_page(base, self.site, *STATIC_PAGES[head]))
        return self.article(req, base)

    def _not_found(self, base: str, kind: str = "other"):
        return kind, Response(pages.not_found(base, self.site), status=404)

    # -------------------------------------------------------------- pages
    def home(self, req, base, rest):
        if rest:
            return self.article(req, base)
        if not self.home_more:
            return "home", Response(pages.home(base, self.site))
        sid, headers = self._session(req)  # the home feed's load-more needs the session's token
        return "home", Response(pages.home(base, self.site, self.token(sid)), headers=headers)

    def robots(self, req, base, rest):
        return "other", Response(ROBOTS + listings.robots_lines(base, self.sitemap),
                                 content_type="text/plain; charset=utf-8")

    def sitemap_file(self, base, name):
        """The sitemaps of ``self.sitemap`` (and the hostile ones of ``sitemap_attack``)."""
        xml = "application/xml; charset=utf-8"
        if self.sitemap == "none":
            return self._not_found(base)
        if name == "sitemap.xml":
            text = listings.sitemap_index(base, self.site, self.sitemap_attack) if self.sitemap == "index" \
                else listings.plain_sitemap(base, self.site)
            return "sitemap", Response(text, content_type=xml)
        if self.sitemap == "index" and name == "sitemap-news.xml":
            return "sitemap", Response(listings.news_sitemap(base, self.site), content_type=xml)
        if self.sitemap == "index" and name == "sitemap-articles.xml.gz":
            return "sitemap", Response(listings.gzipped(listings.plain_sitemap(base, self.site)),
                                       content_type="application/x-gzip")
        hostile = listings.attack_sitemap(base, name) if self.sitemap_attack else None
        if hostile is None:
            return self._not_found(base)
        gz = name.endswith(".gz")
        return "sitemap", Response(hostile, content_type="application/x-gzip" if gz else xml)

    def indeks(self, req, base, rest):
        if self.paging == "numbered":
            return "other", Response(self.numbered(req, base, "Indeks Berita", self.site.latest, "indeks"))
        return "other", Response(pages.listing_page(
            base, self.site, "Indeks Berita", self.site.latest[:20], "indeks"))

    def numbered(self, req, base, title, articles, where):
        """One page (``?page=N``) of a listing paged with numbered links."""
        page_no = req.args.get("page", "1")
        page_no = int(page_no) if page_no.isdigit() and int(page_no) > 0 else 1
        shown, last = listings.page_of(articles, page_no)
        return pages.listing_page(base, self.site, title, shown, where,
                                  extra=listings.numbered_pager(req.path, page_no, last))

    def rss(self, req, base, rest):
        return "other", Response(pages.rss(base, self.site),
                                 content_type="application/rss+xml; charset=utf-8")

    def search(self, req, base, rest):
        page_no = req.args.get("page", "1")
        page_no = int(page_no) if page_no.isdigit() and int(page_no) > 0 else 1
        return "other", Response(pages.search_page(base, self.site, req.args.get("q", ""), page_no))

    def tag(self, req, base, rest):
        return "other", Response(pages.listing_page(
            base, self.site, f"Tag: {rest}", self.site.by_tag.get(rest, [])[:10], "tag"))

    def author(self, req, base, rest):
        return "other", Response(pages.listing_page(
            base, self.site, f"Penulis: {rest}", self.site.by_author.get(rest, [])[:10], "penulis"))

    def image(self, req, base, rest):
        return "other", Response(JPEG, content_type="image/jpeg")

    def video(self, req, base, rest):
        if req.path.rstrip("/").endswith("-" + self.site.video_code):
            return "other", Response(pages.video_page(base, self.site))
        return self._not_found(base)

    def article(self, req, base):
        m = ARTICLE_RE.match(req.path)
        a = self.site.by_code.get(m.group(1)) if m else None
        if m and m.group(1) == SEED_CODE:  # the seed page at its real URL: what `scrapy check` asks for
            return "article", Response(SEED_PAGE.read_bytes())
        if a is None:
            return self._not_found(base, "article" if m else "other")
        if a.page_broken:
            return "article", Response("Server error", status=500, content_type="text/plain")
        view = listings.article_view(a, req.args.get("page"), self.single_view)
        if view is None:
            return self._not_found(base, "article")
        key = (a.code, base, req.args.get("page"))
        html = self._cache.get(key)
        if html is None:
            html = self._cache[key] = pages.article_page(base, self.site, *view[:1], self.related_api,
                                                         pager=view[1]).encode()
        return "article", Response(html)

    def amp(self, req, base, rest):
        m = ARTICLE_RE.match("/" + rest)
        a = self.site.by_code.get(m.group(1)) if m else None
        if a is None:
            return self._not_found(base, "amp")
        return "amp", Response(pages.amp_page(base, self.site, a))

    def api(self, req, base, rest):
        prefix, _, code = rest.rpartition("/")
        a = self.site.by_code.get(code)
        if f"/api/{prefix}/" != self.related_api:
            return self._not_found(base)
        self._maybe_move_related_api()
        if a is None:
            return "api_related", _json({"data": []})
        return "api_related", Response(pages.related_json(base, self.site, a),
                                       content_type="application/json", delay=self.related_api_delay)

    def _maybe_move_related_api(self) -> None:
        served = self.counts["api_related"] + 1
        if self.related_api_moves_after and served == self.related_api_moves_after:
            self.related_api = "/api/v2/related/"
            self._cache.clear()

    # -------------------------------------------------------------- sessions
    def token(self, session: str) -> str:
        return hashlib.sha1((self.secret + session).encode()).hexdigest()[:40]

    def _session(self, req: Request):
        """Existing valid session id (or a new one) and the Set-Cookie headers."""
        sid = req.cookies.get("laravel_session", "")
        if sid in self.sessions:
            return sid, []
        sid = secrets.token_hex(20)
        self.sessions.add(sid)
        return sid, [("Set-Cookie", f"laravel_session={sid}; Path=/; HttpOnly")]

    def section(self, req, base, section):
        if self.paging == "numbered":
            return Response(self.numbered(req, base, SECTION_LABELS[section], self.site.listing(section), section))
        sid, headers = self._session(req)
        html = pages.section_page(base, self.site, section, self.token(sid))
        return Response(html, headers=headers)

    def more(self, req, base, rest):
        sid = req.cookies.get("laravel_session", "")
        if req.method != "POST" or sid not in self.sessions or \
                not secrets.compare_digest(req.args.get("_token", ""), self.token(sid)):
            return "more", Response("Page Expired", status=419)
        self.more_headers["xhr" if req.headers.get("x-requested-with") == "XMLHttpRequest" else "plain"] += 1
        offset = req.args.get("next", "")
        category = req.args.get("categorynext", "")
        listing = self.site.home_feed if category == "" and self.home_more else self.site.listing(category)
        chunk = listing[int(offset):int(offset) + 10] if offset.isdigit() else []
        body, content_type = listings.more_answer(self.more_format, base, chunk, pages.cards(base, chunk, "more"))
        return "more", Response(body, content_type=content_type)

    # -------------------------------------------------------------- admin
    def admin(self, req, base, rest):
        if rest == "stats":
            by_kind = {k: self.counts[k] for k in KINDS}
            return "admin", _json({"requests": sum(by_kind.values()), "by_kind": by_kind,
                                   "more_headers": {k: self.more_headers[k] for k in ("xhr", "plain")}})
        if rest == "publish" and req.method == "POST":
            codes = self.site.publish(int(req.args.get("count", "1")))
            self._cache.clear()
            return "admin", _json({"published": codes})
        if rest == "edit" and req.method == "POST":
            codes = self.site.edit(int(req.args.get("count", "1")))
            self._cache.clear()
            return "admin", _json({"edited": codes})
        return self._not_found(base)


class ReplicaResource(resource.Resource):
    """Twisted adapter: every request goes through ``App.handle``."""

    isLeaf = True

    def __init__(self, app: App, access_log: bool = False):
        super().__init__()
        self.app, self.access_log = app, access_log

    def render(self, request):
        resp = self.app.handle(to_request(request))
        if resp.abort:
            request.transport.abortConnection()
            return server.NOT_DONE_YET
        if resp.delay:
            call = reactor.callLater(resp.delay, self._send_later, request, resp)
            request.notifyFinish().addErrback(lambda _: call.active() and call.cancel())
            return server.NOT_DONE_YET
        return self._send(request, resp)

    def _send_later(self, request, resp: Response) -> None:
        request.write(self._send(request, resp))
        request.finish()

    def _send(self, request, resp: Response) -> bytes:
        request.setResponseCode(resp.status)
        request.setHeader(b"content-type", resp.content_type.encode())
        for name, value in resp.headers:
            request.responseHeaders.addRawHeader(name.encode(), value.encode())
        if self.access_log:
            print(request.method.decode(), request.uri.decode(), resp.status, file=sys.stderr)
        return resp.data


def to_request(request) -> Request:
    uri = urlsplit(request.uri.decode("utf-8", "replace"))
    args = {k.decode("utf-8", "replace"): v[0].decode("utf-8", "replace")
            for k, v in request.args.items() if v}
    cookies = {}
    for chunk in (request.getHeader(b"cookie") or b"").decode("latin-1").split(";"):
        name, _, value = chunk.strip().partition("=")
        cookies.setdefault(name, value)
    host = (request.getHeader(b"host") or b"").decode("latin-1") or \
        f"{request.getHost().host}:{request.getHost().port}"
    headers = {name.decode("latin-1").lower(): values[0].decode("latin-1")
               for name, values in request.requestHeaders.getAllRawHeaders()}
    return Request(request.method.decode(), uri.path or "/", args, host, cookies, headers)


def make_site(app: App, access_log: bool = False) -> server.Site:
    site = server.Site(ReplicaResource(app, access_log))
    site.noisy = False
    return site


def listen(app: App, port: int = 0, host: str = "127.0.0.1", access_log: bool = False):
    """Binds the replica; returns the listening port object (``.getHost().port``)."""
    return reactor.listenTCP(port, make_site(app, access_log), interface=host)

