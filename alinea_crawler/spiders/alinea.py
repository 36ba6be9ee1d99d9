"""``scrapy crawl alinea``: navigation only — which URL next, and how it was found.

Extraction lives in ``alinea_crawler.pages``; cleaning and validation in the
item pipelines. Every request carries its ``kind`` (one row of ``REQUEST_KINDS``)
and ``via`` (the page that linked to it, the item's ``discovered_from``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from parsel import Selector
from scrapy_playwright.page import PageMethod
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from .. import stats as keys
from ..args import CrawlArgs
from ..dates import parse_id_datetime
from ..extensions import describe_failure, page_failed
from ..items import ArticleItem
from ..ledger import ArticleLedger
from ..middlewares import SiteDown
from ..pages.article import ArticlePage, extract_article
from ..pages.common import parse_html
from ..pages.listing import Card, csrf_token, discover_sections, extract_cards, has_load_more, rss_cards
from ..pages.related import endpoint_links
from ..rendering import WAIT_FOR_RELATED_LIST, RelatedEndpoint, enable_rendering, find_browser
from ..urls import article_id, article_section, canonical_url, same_site
from ..warc import enable_replay


# ArticlePage fields that go into the item unchanged.
ITEM_FIELDS_FROM_PAGE = tuple(
    sorted({f.name for f in fields(ArticleItem)} & {f.name for f in fields(ArticlePage)} - {"article_id"})
)


@dataclass(frozen=True)
class RequestKind:
    name: str
    priority: int  # articles first: the queue stays short, items flow early
    callback: str


REQUEST_KINDS = {
    kind.name: kind
    for kind in (
        RequestKind("home", 30, "parse_home"),
        RequestKind("indeks", 25, "parse_listing"),
        RequestKind("rss", 25, "parse_rss"),
        RequestKind("section", 20, "parse_section"),
        RequestKind("more", 10, "parse_more"),
        RequestKind("article", 40, "parse_article"),
    )
}


class AlineaSpider(scrapy.Spider):
    name = "alinea"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args)
        if os.environ.get("SCRAPY_CHECK") and "render" not in kwargs:
            kwargs["render"] = "never"  # a contract reads one callback's output: a render request would hide the item
        self.args = CrawlArgs.from_kwargs(**kwargs)
        # Scrapyd's job id (``_job``); FEEDS URIs and the report may use ``%(job_id)s``.
        self.job_id = kwargs.get("_job") or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.base_url = self.args.base_url
        self.allowed_domains = [urlsplit(self.base_url).hostname]
        self.listed_ids: dict[str, set[str]] = {}  # per section: ids its listing pages showed
        self.browser: str | None = None  # set by from_crawler when rendering may be needed
        self.browser_choice = ""
        self.learning_render = False  # a render that may teach the endpoint is under way
        self.learning_attempts = 0
        self.parked: list[tuple[ArticleItem, int]] = []  # pages waiting for that render

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        if os.environ.get("SCRAPY_CHECK"):  # contracts export nothing: no quality verdict on an empty crawl
            settings.set("SPIDERMON_ENABLED", False, priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.endpoint = RelatedEndpoint(crawler.settings.getint("ALINEA_ENDPOINT_MAX_FAILURES"))
        if spider.args.from_warc:  # rendered pages come from the archive: no browser, no network
            spider.browser, spider.browser_choice = "archive", f"rendered pages archived in {spider.args.from_warc}"
            enable_replay(crawler.settings)
        elif spider.args.render != "never":
            spider.browser, spider.browser_choice = find_browser(crawler.settings.get("ALINEA_BROWSER_PATH"))
            if spider.browser:  # the browser itself starts only when a page needs it
                enable_rendering(crawler.settings, spider.browser)
        return spider

    @property
    def requested_ids(self) -> dict[str, int]:
        """Article id -> fewest related hops it was linked at; one request per article per crawl.

        Kept in ``self.state``, which a JOBDIR resume restores.
        """
        return self.__dict__.setdefault("state", {}).setdefault("requested_ids", {})

    @property
    def unfollowed(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Articles read at the depth limit: id -> (url, related URLs), in case a shallower link turns up."""
        return self.__dict__.setdefault("state", {}).setdefault("unfollowed", {})

    @property
    def ledger(self) -> ArticleLedger:
        return ArticleLedger.of(getattr(self, "crawler", None))

    @staticmethod
    def check_arguments(kwargs: dict[str, Any]) -> None:
        """Raise ArgumentError (one line) before anything starts; used by the crawl command."""
        CrawlArgs.from_kwargs(**kwargs)

    # -- seeds ----------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.args.render != "never" and self.browser is None:
            message = f"no browser found ({self.browser_choice}): install chromium or set ALINEA_BROWSER_PATH"
            if self.args.render == "always":
                self.crawler.stats.set_value(keys.FAILED, message)
                self.logger.error("%s; render=always cannot crawl without one", message)
                return
            self.logger.warning("%s; JavaScript-filled lists will be missing unless render=never is meant", message)
        if self.args.start_urls:
            for url in self.args.start_urls:
                for request in self.article_requests(url, via=None, depth=0):
                    yield request
            return
        yield self.request("home", self.url("/"))
        for section in self.args.sections:
            yield self.section_request(section)
        yield self.request("indeks", self.url("/indeks"))
        yield self.request("rss", self.url("/rss"))

    # -- listings -------------------------------------------------------------

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        """The home page: its article cards and the sections in its navigation.

        @url https://www.alinea.id/
        @returns requests 5
        """
        sel = self.selector(response)
        yield from self.card_requests(extract_cards(sel, response.url), response.url)
        if self.args.sections:
            return
        sections = discover_sections(sel, response.url)
        if not sections:
            self.crawler.stats.set_value(keys.FAILED, "no sections found in the home navigation")
            self.logger.error("no section links found in the home page navigation: %s", response.url)
        for section in sections:
            yield self.section_request(section)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self.card_requests(extract_cards(self.selector(response), response.url), response.url)

    def parse_rss(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self.card_requests(rss_cards(response.text, response.url), response.url)

    def parse_section(self, response: Response, section: str) -> Iterator[scrapy.Request]:
        """A section page: its article cards, then its load-more pages.

        @url https://www.alinea.id/politik
        @cb_kwargs {"section": "politik"}
        @returns requests 2
        """
        sel = self.selector(response)
        cards = extract_cards(sel, response.url)
        yield from self.card_requests(cards, response.url)
        token = csrf_token(sel)
        if not token and has_load_more(sel):
            self.crawler.stats.inc_value(keys.MORE_STOPPED.format(reason="no_token"))
            self.logger.warning("load-more button but no CSRF token, section stops at page 1: %s", response.url)
            return
        if token:
            yield from self.next_listing_page(section, cards, token, offset=0, page=1)

    def parse_more(self, response: Response, section: str, token: str, offset: int, page: int):
        via = self.more_url(section, offset)
        cards = extract_cards(self.selector(response), self.base_url) if response.text.strip() else []
        if not cards:
            self.crawler.stats.inc_value(keys.MORE_EXHAUSTED)
            return
        yield from self.card_requests(cards, via)
        yield from self.next_listing_page(section, cards, token, offset, page)

    def next_listing_page(self, section: str, cards: list[Card], token: str, offset: int, page: int):
        """POST /more for the page after this one, unless there is a reason to stop."""
        reason = self.reason_to_stop_paging(section, cards, page)
        if reason:
            self.crawler.stats.inc_value(keys.MORE_STOPPED.format(reason=reason))
            return
        next_offset = offset + self.settings.getint("ALINEA_MORE_STEP")
        yield scrapy.FormRequest(
            self.url("/more"),
            formdata={"_token": token, "next": str(next_offset), "categorynext": section},
            callback=self.parse_more,
            errback=self.on_error,
            priority=REQUEST_KINDS["more"].priority,
            meta={"kind": "more", "cookiejar": section},
            cb_kwargs={"section": section, "token": token, "offset": next_offset, "page": page + 1},
        )

    def reason_to_stop_paging(self, section: str, cards: list[Card], page: int) -> str | None:
        listed = self.listed_ids.setdefault(section, set())
        ids = {card.article_id for card in cards}
        repeated = ids <= listed
        listed |= ids
        if not cards:
            return "empty"
        if repeated:  # a load-more that serves the same cards again is a trap
            return "repeated"
        if self.args.max_pages and page >= self.args.max_pages:
            return "max_pages"
        if self.args.since and self.older_than_since(cards[-1]):
            return "since"
        return None

    def card_requests(self, cards: Iterable[Card], via: str) -> Iterator[scrapy.Request]:
        for card in cards:
            if self.args.since and self.older_than_since(card):
                self.crawler.stats.inc_value("alinea/skipped/before_since")
                self.ledger.settle(self.discover(card.url, via), "out_of_range", "published before since")
                continue
            yield from self.article_requests(card.url, via=via, depth=0)

    def older_than_since(self, card: Card) -> bool:
        """Listings may say "2 jam lalu": relative to now, when the listing was just fetched."""
        published = parse_id_datetime(card.date_raw, now=datetime.now(timezone.utc))
        return published is not None and published < self.args.since

    # -- articles -------------------------------------------------------------

    def parse_article(self, response: Response, depth: int) -> Iterator[Any]:
        """An article page: its item, then its related articles (the seed article's real URL below).

        @url https://www.alinea.id/dunia/biden-putin-terlibat-pembicaraan-serius-mengenai-ukraina-b2cFF9AnQ
        @cb_kwargs {"depth": 0}
        @returns items 1 1
        @scrapes url article_id title body published_at_raw authors
        """
        page = self.extract(response)
        if page is None:
            self.not_article(response)
            return
        stats = self.crawler.stats
        item = self.item(page, response)
        rendered = bool(response.meta.get("playwright"))
        if page.related_pending and not rendered and self.args.render != "never":
            yield from self.complete_js_list(item, depth)
            return
        if page.related_pending:
            stats.inc_value(keys.RENDER.format(what="list_still_empty" if rendered else "js_list_unrendered"))
        self.count_related("rendered" if rendered else "static", page.related_urls)
        yield from self.finish_article(item, depth)

    def extract(self, response: Response) -> ArticlePage | None:
        """The page object's reading of an article page, its rungs and failures counted."""
        if not isinstance(response, TextResponse):
            return None
        page = extract_article(parse_html(response.text), response.url)
        if page is not None:
            keys.count_extraction(self.crawler.stats, page)
            for name, error in page.field_errors.items():
                self.logger.warning("field %s could not be read (%s): %s", name, error, response.url)
        return page

    def item(self, page: ArticlePage, response: Response) -> ArticleItem:
        """The page's fields (the pipelines clean and parse them), plus how the article was found."""
        shared = {name: getattr(page, name) for name in ITEM_FIELDS_FROM_PAGE}
        return ArticleItem(
            **shared,
            article_id=page.article_id or article_id(response.url),
            modified_at=page.modified_at_raw,
            discovered_from=response.meta.get("via"),
        )

    def finish_article(self, item: ArticleItem, depth: int) -> Iterator[Any]:
        """The item, then its related articles while the depth allows."""
        yield item
        if not self.args.follow_related or not item.related_urls:
            return
        depth = min(depth, self.requested_ids.get(item.article_id, depth))  # a listing may have named it since
        if depth >= self.args.related_depth:
            if depth > 0:  # only a link from a listing could still lift it
                self.unfollowed[item.article_id] = (item.url, tuple(item.related_urls))
            return
        yield from self.related_requests(item.url, item.related_urls, depth + 1)

    def related_requests(self, parent_url: str, urls, depth: int) -> Iterator[scrapy.Request]:
        for url in urls:
            yield from self.article_requests(url, via=parent_url, depth=depth)

    def count_related(self, path: str, urls: list[str]) -> None:
        self.crawler.stats.inc_value(keys.RELATED_FOUND.format(path=path), len(urls))

    def add_related(self, item: ArticleItem, urls: list[str], path: str) -> None:
        """Links JavaScript would have added, after the page's own, each once."""
        new = [url for url in urls if url not in item.related_urls]
        item.related_urls = item.related_urls + new
        self.count_related(path, new)

    # -- JavaScript-filled "Berita Lainnya" -------------------------------------

    def complete_js_list(self, item: ArticleItem, depth: int) -> Iterator[Any]:
        """Get the links JavaScript would add: the learnt endpoint, else the browser.

        While the endpoint is unknown, one render at a time tries to learn it and
        the other pages wait for it (``parked``) instead of all opening a browser.
        """
        if endpoint_url := self.endpoint.url_for(item.article_id):
            yield scrapy.Request(
                endpoint_url, callback=self.parse_related_endpoint, errback=self.related_endpoint_failed,
                priority=REQUEST_KINDS["article"].priority + 1, meta={"kind": "related_endpoint"},
                cb_kwargs={"item": item, "depth": depth},
            )
        elif self.browser is None:
            self.crawler.stats.inc_value(keys.RENDER.format(what="browser_unavailable"))
            yield from self.finish_article(item, depth)
        elif self.learning_render:
            self.parked.append((item, depth))
        else:
            self.learning_render = self.learning_attempts < self.settings.getint("ALINEA_ENDPOINT_MAX_FAILURES")
            self.learning_attempts += self.learning_render
            yield self.render_request(item, depth)

    def release_parked(self) -> Iterator[Any]:
        """After a learning render: the pages that waited for it go on (endpoint or browser)."""
        self.learning_render = False
        parked, self.parked = self.parked, []
        for item, depth in parked:
            yield from self.complete_js_list(item, depth)

    def render_request(self, item: ArticleItem, depth: int) -> scrapy.Request:
        return scrapy.Request(
            item.url, callback=self.parse_rendered, errback=self.render_failed, dont_filter=True,
            priority=REQUEST_KINDS["article"].priority + 1,
            meta={"kind": "render", **self.playwright_meta()},
            cb_kwargs={"item": item, "depth": depth},
        )

    def playwright_meta(self) -> dict[str, Any]:
        return {
            "playwright": True,
            "playwright_page_methods": [
                PageMethod("evaluate", WAIT_FOR_RELATED_LIST, self.settings.getint("ALINEA_RENDER_WAIT_MS")),
            ],
            "playwright_page_event_handlers": {"response": "learn_related_endpoint"},
        }

    def parse_rendered(self, response: Response, item: ArticleItem, depth: int) -> Iterator[Any]:
        self.crawler.stats.inc_value(keys.RENDER.format(what="pages"))
        page = extract_article(self.selector(response), response.url)
        if page is None or page.related_pending:
            self.crawler.stats.inc_value(keys.RENDER.format(what="list_still_empty"))
        else:
            self.add_related(item, page.related_urls, "rendered")
        yield from self.finish_article(item, depth)
        yield from self.release_parked()

    def render_failed(self, failure: Failure) -> Iterator[Any]:
        """The browser could not render the page: export it with the links it had."""
        self.on_error(failure)
        self.crawler.stats.inc_value(keys.RENDER.format(what="failed"))
        kwargs = failure.request.cb_kwargs
        yield from self.finish_article(kwargs["item"], kwargs["depth"])
        yield from self.release_parked()

    def parse_related_endpoint(self, response: Response, item: ArticleItem, depth: int) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        urls = endpoint_links(text, response.url, exclude=item.article_id)
        if urls is None:
            yield from self.endpoint_failed(item, depth, response.url, "an answer with no list")
            return
        self.endpoint.worked()
        self.crawler.stats.inc_value(keys.RENDER.format(what="endpoint_used"))
        self.add_related(item, urls, "endpoint")
        yield from self.finish_article(item, depth)

    def related_endpoint_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs
        yield from self.endpoint_failed(kwargs["item"], kwargs["depth"], failure.request.url, describe_failure(failure))

    def endpoint_failed(self, item: ArticleItem, depth: int, endpoint_url: str, why: str) -> Iterator[Any]:
        """This page goes to the browser; after repeated failures the endpoint is learnt anew."""
        self.crawler.stats.inc_value(keys.RENDER.format(what="endpoint_failed"))
        if self.endpoint.failed(endpoint_url):
            self.logger.warning("related-list endpoint stopped working (%s from %s); learning it again",
                                why, endpoint_url)
        self.logger.info("related-list endpoint failed (%s), using the browser: %s", why, item.url)
        if self.endpoint.template is None:
            yield from self.complete_js_list(item, depth)
        elif self.browser:
            yield self.render_request(item, depth)
        else:
            yield from self.finish_article(item, depth)

    async def learn_related_endpoint(self, response: Any) -> None:
        """Playwright ``response`` event: a fetch/XHR that names the page's article id and lists articles."""
        request = response.request
        if request.resource_type not in ("fetch", "xhr") or response.status != 200:
            return
        code = article_id(request.frame.url)
        if not code or code not in response.url or not same_site(response.url, self.base_url):
            return
        if not endpoint_links(await response.text(), response.url, exclude=code):
            return
        if self.endpoint.learn(code, response.url):
            self.crawler.stats.inc_value(keys.RENDER.format(what="endpoint_learned"))
            self.logger.info("learnt the related-list endpoint %s from %s", self.endpoint.template, request.frame.url)

    def not_article(self, response: Response) -> None:
        """An article-shaped URL whose page is no article (a video, a gallery): counted, not an error."""
        self.crawler.stats.inc_value(keys.DROPPED.format(reason="not_article"))
        self.ledger.settle(article_id(response.url), "not_article", url=response.url)
        self.logger.info("not an article page, no item: %s", response.url)

    # -- requests -------------------------------------------------------------

    def article_requests(self, url: str, via: str | None, depth: int) -> Iterator[scrapy.Request]:
        """The request for this article, unless this crawl already asked for it.

        An article first reached through related links and later found in a listing
        counts as listed: its own related links are then followed after all.
        """
        code = self.discover(url, via)
        if code and self.outside_sections(url):
            self.ledger.settle(code, "other_section", article_section(url) or "")
            return
        code = code or article_id(url)
        known_depth = self.requested_ids.get(code)
        if known_depth is None:
            self.requested_ids[code] = depth
            self.crawler.stats.inc_value(keys.ARTICLE_REQUESTED)
            yield self.article_request(url, via, depth)
            return
        self.crawler.stats.inc_value(keys.ARTICLE_SEEN_AGAIN)
        if depth < known_depth:
            self.requested_ids[code] = depth
            if code in self.unfollowed and depth < self.args.related_depth:
                parent_url, related = self.unfollowed.pop(code)
                yield from self.related_requests(parent_url, related, depth + 1)

    def discover(self, url: str, via: str | None) -> str | None:
        """Enter a same-site article in the ledger (first ``via`` wins); its id."""
        if not same_site(url, self.base_url):
            return None
        code = article_id(url)
        if code:
            self.ledger.discovered(code, canonical_url(url), via)
        return code

    def outside_sections(self, url: str) -> bool:
        """``-a sections=…`` restricts the export (article URLs given as arguments are wanted whatever their section)."""
        return bool(self.args.sections) and not self.args.start_urls and article_section(url) not in self.args.sections

    def article_request(self, url: str, via: str | None, depth: int) -> scrapy.Request:
        request = self.request("article", canonical_url(url), depth=depth)
        request.meta["via"] = via
        if self.args.render == "always":
            request.meta.update(self.playwright_meta())
        return request

    def section_request(self, section: str) -> scrapy.Request:
        """Each section pages with its own cookie jar: the CSRF token is tied to the session."""
        request = self.request("section", self.url(f"/{section}"), section=section)
        request.meta["cookiejar"] = section
        return request

    def request(self, kind: str, url: str, **cb_kwargs: Any) -> scrapy.Request:
        spec = REQUEST_KINDS[kind]
        return scrapy.Request(
            url,
            callback=getattr(self, spec.callback),
            errback=self.on_error,
            priority=spec.priority,
            meta={"kind": kind},
            cb_kwargs=cb_kwargs,
        )

    def on_error(self, failure: Failure) -> None:
        if failure.check(SiteDown):  # the circuit breaker said it once for all
            return
        request = failure.request
        kind = request.meta.get("kind", "other")
        reason = describe_failure(failure)
        self.crawler.stats.inc_value(keys.REQUEST_ERROR.format(kind=kind))
        self.logger.error("request failed (%s, %s): %s", kind, reason, request.url)
        self.crawler.signals.send_catch_log(page_failed, url=request.url, kind=kind, reason=reason)

    def closed(self, reason: str) -> None:
        """A crawl whose JavaScript path never worked fails loudly (Scrapy itself would exit 0)."""
        stats = self.crawler.stats
        render = {what: stats.get_value(keys.RENDER.format(what=what), 0)
                  for what in ("pages", "endpoint_used", "failed", "browser_unavailable")}
        if self.parked:
            stats.set_value(keys.RENDER.format(what="parked_unfinished"), len(self.parked))
            self.logger.warning("%d article(s) waiting for the browser were not exported (crawl closed: %s): %s",
                                len(self.parked), reason, ", ".join(item.url for item, _ in self.parked))
        needed = render["failed"] + render["browser_unavailable"]
        if needed and not (render["pages"] or render["endpoint_used"]):
            stats.set_value(keys.FAILED, f"{needed} page(s) needed the browser for their 'Berita Lainnya' list "
                                         f"and none could be rendered ({self.browser_choice or 'no browser'})")

    # -- helpers --------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def more_url(self, section: str, offset: int) -> str:
        """How a load-more page is named in ``discovered_from`` (it is a POST)."""
        return self.url("/more?" + urlencode({"categorynext": section, "next": offset}))

    @staticmethod
    def selector(response: Response) -> Selector:
        """A fresh tree per call: extraction may drop boilerplate elements from it."""
        return Selector(text=response.text)
