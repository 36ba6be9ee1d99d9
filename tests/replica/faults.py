"""Fault injection for the replica: a flaky, rate-limited, half-broken alinea.id.

``FaultyApp(app, FaultPlan(site, rate, seed))`` wraps ``App.handle``. Every
decision is a hash of the seed, the request key (path, plus the form of a
``POST /more``) and the attempt number, so a run is reproducible and a retry
may succeed.

* Transient faults (HTTP 500/502/503, 429 and 503 with ``Retry-After: 1``,
  a response slower than the client's timeout, a dropped connection, truncated
  HTML) hit any page with probability ``rate``, but never more than
  ``max_in_row`` times in a row for one key: a crawler that retries gets it.
* Permanent quirks are fixed per article (about ``rate`` of them): a redirect
  loop, a page larger than the client's size limit, an unparseable date (all
  three fail for good), and a redirect chain, an undeclared windows-1252 page,
  a UTF-8 BOM (served correctly, if read correctly).
* Listing traps: every section page has a card whose article does not exist
  (404) and a card on another host; one section's ``/more`` never ends, it
  repeats its first cards; article pages link to an article on another host.

* A dead site (``dead``): ``all_500`` answers HTTP 500 to every page but
  ``robots.txt``, ``articles_500`` to every article page (listings and AMP copies
  still work), ``articles_amp_500`` to every article page and its AMP copy (a dead
  article server behind working listings).

``GET /_admin/faults`` tells what happened: the codes of the articles served
correctly at least once, the faults injected, the requests per Host header.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from . import pages
from .model import Article, Site, display_date
from .server import ARTICLE_RE, Request, Response, _json

TRANSIENT = ("http_500", "http_502", "http_503", "throttle_429", "throttle_503", "slow", "drop", "truncated")
QUIRKS = ("redirect_loop", "oversize", "bad_date", "redirect_chain", "windows_1252", "bom")
# Permanent failures and what a crawler should say about them (a substring of its reason).
BROKEN_REASONS = {
    "broken_link": "HTTP 404",
    "redirect_loop": "redirect loop",
    "oversize": "download max size",
    "bad_date": "unparseable date",
}
BAD_DATE = "Rabu, 31 Februari 20XX"
CHAIN_HOPS = 2
OFFSITE_CODE = "bOffSite01"
ADMIN_PATH = "/_admin/faults"
DEAD_MODES = ("all_500", "articles_500", "articles_amp_500")


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) for these parts."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:12], 16) / 16 ** 12


def other_host(host: str) -> str:
    """The same server under another name: a request there is an off-site request."""
    name, _, port = host.partition(":")
    return ("localhost" if name != "localhost" else "127.0.0.1") + (":" + port if port else "")


@dataclass
class FaultPlan:
    """Which page fails how; pure and deterministic, so tests can build the same plan in-process."""

    site: Site
    rate: float = 0.0
    seed: int = 0
    max_in_row: int = 2  # transient faults in a row for one URL, at most
    slow_seconds: float = 3.0  # longer than the crawler's DOWNLOAD_TIMEOUT
    oversize_bytes: int = 2 ** 20  # larger than the crawler's DOWNLOAD_MAXSIZE
    dead: str = ""  # one of DEAD_MODES: every page (or every article) answers HTTP 500
    quirks: dict[str, str] = field(init=False)  # article code -> one of QUIRKS

    def __post_init__(self) -> None:
        picked = [a.code for a in self.site.articles if _unit(self.seed, "quirk", a.code) < self.rate]
        self.quirks = {code: QUIRKS[i % len(QUIRKS)] for i, code in enumerate(picked)}

    @property
    def trap_section(self) -> str:
        """The section whose load-more never ends."""
        return self.site.sections[self.seed % len(self.site.sections)]

    def ghost_path(self, section: str) -> str:
        """A card on ``section``'s page links here: an article code that does not exist (404)."""
        code = "bGhost" + hashlib.sha256(f"{self.seed}:{section}".encode()).hexdigest()[:4]
        return f"/{section}/berita-hilang-{code}"

    def broken(self) -> dict[str, str]:
        """Path of every permanently broken URL -> what a crawler should report about it."""
        found = {self.ghost_path(s): BROKEN_REASONS["broken_link"] for s in self.site.sections}
        for a in self.site.articles:
            quirk = self.quirks.get(a.code)
            if quirk in BROKEN_REASONS:
                found[a.path] = BROKEN_REASONS[quirk]
        return found

    def transient(self, key: str, attempt: int) -> str | None:
        if _unit(self.seed, "fault", key, attempt) >= self.rate:
            return None
        return TRANSIENT[int(_unit(self.seed, "kind", key, attempt) * len(TRANSIENT))]


def add_arguments(parser) -> None:
    """The fault options of ``python -m tests.replica`` (``Replica(faults=0.2, fault_seed=3)``)."""
    parser.add_argument("--faults", type=float, default=0.0, help="fault rate, 0..1 (0 = none)")
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--fault-max-in-row", type=int, default=2, help="transient faults in a row per URL")
    parser.add_argument("--fault-slow", type=float, default=3.0, help="seconds a slow response takes")
    parser.add_argument("--fault-oversize", type=int, default=2 ** 20, help="bytes an oversized page adds")
    parser.add_argument("--fault-dead", choices=DEAD_MODES, default="",
                        help="a dead site: HTTP 500 for every page but robots.txt, for every article page "
                             "(AMP copies work), or for article and AMP pages")


def plan_from_options(site: Site, faults: float = 0.0, fault_seed: int = 0, fault_max_in_row: int = 2,
                      fault_slow: float = 3.0, fault_oversize: int = 2 ** 20, fault_dead: str = "") -> FaultPlan:
    return FaultPlan(site, faults, fault_seed, fault_max_in_row, fault_slow, fault_oversize, fault_dead)


class FaultyApp:
    """``App`` with faults: the same ``handle(Request) -> Response`` interface."""

    def __init__(self, app, plan: FaultPlan):
        self.app, self.plan, self.site = app, plan, app.site
        self.attempts: Counter = Counter()  # per key
        self.in_row: Counter = Counter()  # transient faults in a row, per key
        self.injected: Counter = Counter()
        self.hosts: Counter = Counter()
        self.served_ok: set[str] = set()

    def handle(self, req: Request) -> Response:
        if req.path == ADMIN_PATH:
            return self.report()
        self.hosts[req.host] += 1
        base = "http://" + req.host
        if req.path.startswith(("/_admin", "/robots.txt", "/img/", "/api/")):
            return self.app.handle(req)
        if self._dead(req):
            self.injected["dead_500"] += 1
            return Response("Server error", status=500, content_type="text/plain")
        fault = self._transient(req)
        if fault:
            self.injected[fault] += 1
            return self._transient_response(fault, req)
        article = self._article(req)
        quirk = self.plan.quirks.get(article.code) if article else None
        if quirk:
            self.injected[quirk] += 1
            return self._quirk(quirk, req, base, article)
        resp = self.app.handle(req)
        if article and resp.status == 200:
            self.served_ok.add(article.code)
        return self._trap(req, base, resp)

    # -------------------------------------------------------------- transient
    def _transient(self, req: Request) -> str | None:
        key = req.path + ("?" + urlencode(sorted(req.args.items())) if req.method == "POST" else "")
        attempt = self.attempts[key]
        self.attempts[key] += 1
        fault = self.plan.transient(key, attempt) if self.in_row[key] < self.plan.max_in_row else None
        self.in_row[key] = self.in_row[key] + 1 if fault else 0
        return fault

    def _transient_response(self, fault: str, req: Request) -> Response:
        if fault == "truncated" and b"<html" not in self.app.handle(req).data[:200]:
            fault = "http_503"  # only a whole HTML document can be seen to be cut short
        if fault.startswith("http_"):
            return Response("Server error", status=int(fault[5:]), content_type="text/plain")
        if fault.startswith("throttle_"):
            return Response("Slow down", status=int(fault[9:]), content_type="text/plain",
                            headers=[("Retry-After", "1")])
        if fault == "drop":
            return Response(abort=True)
        served = self.app.handle(req)
        if fault == "slow":
            served.delay = self.plan.slow_seconds
            return served
        served.body = served.data[: len(served.data) // 2]  # truncated
        return served

    # -------------------------------------------------------------- permanent
    def _dead(self, req: Request) -> bool:
        """Whether the dead-site mode answers this request with HTTP 500."""
        dead = self.plan.dead
        article_page = dead in ("articles_500", "articles_amp_500") and self._article(req) is not None
        amp_page = dead == "articles_amp_500" and req.path.startswith("/amp/")
        return dead == "all_500" or article_page or amp_page

    def _article(self, req: Request) -> Article | None:
        m = ARTICLE_RE.match(req.path)
        return self.site.by_code.get(m.group(1)) if m else None

    def _quirk(self, quirk: str, req: Request, base: str, a: Article) -> Response:
        if quirk == "redirect_loop":
            target = req.path if "loop" in req.args else req.path + "?loop=1"
            return _redirect(target)
        if quirk == "redirect_chain":
            hop = int(req.args.get("hop", "0"))
            if hop < CHAIN_HOPS:
                return _redirect(f"{req.path}?hop={hop + 1}")
        resp = self.app.handle(req)
        html = resp.data.decode()
        if quirk == "oversize":
            html = html.replace("</body>", f"<!-- {'x' * self.plan.oversize_bytes} --></body>")
        elif quirk == "bad_date":
            for shown in (a.published_iso, a.published_raw, display_date(a)):
                html = html.replace(shown, BAD_DATE)
        if quirk == "windows_1252":
            resp.body = html.replace('<meta charset="utf-8">', "").encode("cp1252", "xmlcharrefreplace")
            resp.content_type = "text/html"
        elif quirk == "bom":
            resp.body = b"\xef\xbb\xbf" + html.encode()
        else:
            resp.body = html
        if quirk in ("redirect_chain", "windows_1252", "bom"):
            self.served_ok.add(a.code)
        return self._trap(req, base, resp)

    # -------------------------------------------------------------- traps
    def _trap(self, req: Request, base: str, resp: Response) -> Response:
        """Broken and off-site cards on section pages, off-site related links, the endless load-more."""
        if resp.status != 200 or not isinstance(resp.body, (str, bytes)):
            return resp
        head = req.path.strip("/")
        offsite = f"http://{other_host(req.host)}/politik/berita-luar-{OFFSITE_CODE}"
        if head in self.site.sections:
            cards = (f'<div class="box1 card-news"><a class="card-link" href="{href}">'
                     f'<h3 class="card-title">{title}</h3></a></div>'
                     for href, title in ((self.plan.ghost_path(head), "Berita hilang"),
                                         (offsite, "Berita situs lain")))
            resp.body = _insert(resp, '<button id="loadmore"', "".join(cards))
        elif head == "more" and not resp.data.strip() and req.args.get("categorynext") == self.plan.trap_section:
            resp.body = pages.cards(base, self.site.listing(self.plan.trap_section)[:10], "more")
        elif self._article(req):
            resp.body = _insert(resp, '<h3>Berita Lainnya</h3><ul class="related-list">',
                                f'<li><a href="{offsite}">Berita situs lain</a></li>', after=True)
        return resp

    def report(self) -> Response:
        return _json({"served_ok": sorted(self.served_ok), "injected": dict(self.injected),
                      "hosts": dict(self.hosts)})


def _redirect(location: str) -> Response:
    return Response("", status=301, content_type="text/plain", headers=[("Location", location)])


def _insert(resp: Response, marker: str, html: str, after: bool = False) -> bytes:
    """``resp``'s body with ``html`` put before (or after) the first ``marker``, in its own encoding."""
    data, mark = resp.data, marker.encode()
    at = data.find(mark)
    if at < 0:
        return data
    at += len(mark) if after else 0
    return data[:at] + html.encode("ascii") + data[at:]
