"""WARC replay (``-a from_warc=…``): every request answered from the archive; nothing reaches the network."""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import Settings

from ..middlewares import PageRejected
from ..stats import WARC
from ..urls import article_id
from . import PAGE, RENDERED, replaying, warc_paths
from .records import (
    ArchivedRecordReader, ArchivedRequest, Location, NotPlain, archived_response, body_digest, plain_records, scan,
    warcio_records,
)
from .workers import EXTRACTED, EXTRACTED_KINDS, NO_META_REFRESH, ExtractionPool, content_decoder, replay_processes

logger = logging.getLogger(__name__)

ARTICLE_KINDS = ("article", "amp")  # request kinds whose page any spelling of the article's URL answers


# Objects allocated (less those freed) between two collections of the youngest generation in a replay's crawl
# process. Its objects (requests, responses, answers, items) are freed by their reference counts: at
# Python's default (700) a 10,000-article replay ran ~1,300 young collections that found no garbage at all,
# 0.73-0.80 s of the crawl process's CPU time; at 10,000, four or five, 0.02-0.03 s.
YOUNG_OBJECTS = 10_000

Key = tuple[bool, str, str, str]  # (rendered, method, URL, body digest): what a response answered


@dataclass
class WarcArchive:
    """An index of WARC files: which response answers which request, and where it lies."""

    pages: dict[Key, list[Location]] = field(default_factory=lambda: defaultdict(list))
    vias: dict[Key, str] = field(default_factory=dict)
    # (rendered, kind, article id) -> the key an article page (or its AMP copy) was archived under: the site
    # links one article under several URL spellings, and a replay may meet one the crawl never fetched
    articles: dict[tuple[bool, str, str], Key] = field(default_factory=dict)
    browser_answers: dict[str, list[Location]] = field(default_factory=lambda: defaultdict(list))  # by page URL
    truncated: list[tuple[Path, int]] = field(default_factory=list)  # (file, records kept) of files cut short
    records: int = 0

    @classmethod
    def load(cls, paths: list[Path], pool: ExtractionPool | None = None) -> WarcArchive:
        """The index of these files; with ``pool``, each file read in parts by its worker processes at once."""
        archive = cls()
        for path in paths:
            archive.index(path, pool)
        return archive

    def index(self, path: Path, pool: ExtractionPool | None = None) -> None:
        scanned = pool.scan(path) if pool is not None else None
        if scanned is None:
            try:
                scanned = scan(plain_records(path))
            except NotPlain:  # not this crawler's own shape (uncompressed, another tool's): warcio reads it
                scanned = scan(warcio_records(path))
        requests, responses, kept, end, cut = scanned
        if cut is None and end < path.stat().st_size:  # a cut inside the next record's gzip header reads as no record
            cut = f"{path.stat().st_size - end} bytes after the last whole record"
        if cut is not None:  # a crawl killed mid-write: keep every whole record before the cut
            self.truncated.append((path, kept))
            logger.warning("WARC file ends mid-record (%s); using its %d whole record(s): %s", cut, kept, path)
        for record_id, url, marks, location in responses:
            self.add(url, marks, location, requests.get(record_id))

    def add(self, url: str, marks: dict[str, str], location: Location, request: ArchivedRequest | None) -> None:
        self.records += 1
        if marks[RENDERED] == "xhr":  # also answers a plain request for the same URL (a learnt endpoint)
            self.browser_answers[marks[PAGE]].append(location)
        method, digest = (request.method, request.digest) if request else ("GET", "")
        key = (marks[RENDERED] == "1", method, url, digest)
        self.pages[key].append(location)
        if request and request.via:
            self.vias[key] = request.via
        if request and request.kind in ARTICLE_KINDS and (code := article_id(url)):
            self.articles.setdefault((key[0], request.kind, code), key)

    def answer(self, request: Request) -> tuple[Key, list[Location]] | None:
        """The archived answers to ``request``: its own, else (an article page) those of another spelling
        of the same article's URL."""
        key = request_key(request)
        if locations := self.pages.get(key):
            return key, locations
        kind, code = request.meta.get("kind"), article_id(request.url)
        spelt_otherwise = self.articles.get((key[0], kind, code)) if kind in ARTICLE_KINDS and code else None
        return (spelt_otherwise, self.pages[spelt_otherwise]) if spelt_otherwise else None


def request_key(request: Request) -> Key:
    return bool(request.meta.get("playwright")), request.method.upper(), request.url, body_digest(request.body)


class WarcReplayMiddleware:
    """Downloader middleware: each request answered from the archive; nothing reaches the network."""

    def __init__(self, crawler: Crawler, archive: WarcArchive, readers: ExtractionPool | None = None):
        self.crawler = crawler
        self.archive = archive
        self.reader = ArchivedRecordReader()
        self.readers = readers
        self.served: dict[tuple, int] = defaultdict(int)  # key -> how many of its records were served
        crawler.signals.connect(self.learn_from_browser_answers, signal=signals.spider_opened)
        crawler.signals.connect(self.reader.close, signal=signals.engine_stopped)
        if readers is not None:
            crawler.signals.connect(readers.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcReplayMiddleware:
        if not replaying(crawler):
            raise NotConfigured
        paths = warc_paths(crawler.spider.args.from_warc)
        processes = replay_processes(crawler.settings)
        pool = ExtractionPool(processes, crawler.spider.base_url, content_decoder(crawler),
                              tuple(crawler.settings.getlist("METAREFRESH_IGNORE_TAGS"))) if processes > 1 else None
        archive = WarcArchive.load(paths, pool)
        gc.freeze()  # the index lives as long as the crawl: out of the collector's way
        gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
        stats = crawler.stats
        stats.set_value(WARC.format(what="archive_records"), archive.records)
        stats.set_value(WARC.format(what="truncated_files"), len(archive.truncated))
        logger.info("re-extracting from %d WARC file(s), %d archived response(s), article pages and load-more "
                    "answers read by %s; nothing is fetched", len(paths), archive.records,
                    f"{processes} worker processes" if processes > 1 else "the crawl process")
        return cls(crawler, archive, pool)

    async def process_request(self, request: Request) -> Response:
        answer = self.archive.answer(request)
        if answer is None:
            self.crawler.stats.inc_value(WARC.format(what="missing"))
            raise PageRejected("not in the WARC archive")
        key, locations = answer
        # Answers in archive order (a retried page: its failure, then its success); the last one repeats.
        served = self.served[key]
        self.served[key] = served + 1
        location = locations[min(served, len(locations) - 1)]
        for mark in (EXTRACTED, NO_META_REFRESH):  # a retry or a redirect copies the meta of the answer before
            request.meta.pop(mark, None)
        answer = None
        if self.readers is not None and (kind := request.meta.get("kind")) in EXTRACTED_KINDS:
            answer = await self.readers.read(location, request.url, kind)
        if answer is None:
            status, header_list, body = self.reader.read_response(location)
        else:
            status, header_list, body, reading, no_meta_refresh = answer
            if no_meta_refresh:
                request.meta[NO_META_REFRESH] = True
            if reading is not None:
                request.meta[EXTRACTED] = reading
                self.crawler.stats.inc_value(WARC.format(what="read_by_workers"))
        if via := self.archive.vias.get(key):
            request.meta["via"] = via
        self.crawler.stats.inc_value(WARC.format(what="replayed"))
        return self.response(request, status, header_list, body)

    @staticmethod
    def response(request: Request, status: int, header_list: list[tuple[str, str]], body: bytes) -> Response:
        return archived_response(request.url, status, header_list, body, request)

    async def learn_from_browser_answers(self, spider: Spider) -> None:
        """Show the spider, before it starts, what its browser saw while rendering (the related-list endpoint).

        The replay runs in its own order: the page that taught the endpoint online is
        not necessarily the first one to need it now. Knowing the endpoint from the
        start, every page gets its list through the archived endpoint answers (the
        rendering page's own answer included), as online — and items stay equal.
        """
        handler = spider.playwright_meta()["playwright_page_event_handlers"]["response"]
        callback = getattr(spider, handler) if isinstance(handler, str) else handler
        for page_url, locations in self.archive.browser_answers.items():
            for location in locations:
                record, body = self.reader.read(location)
                await callback(ArchivedBrowserResponse(record, body, page_url))


class ReplayMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, in a replay: a page a worker process already searched for a meta
    refresh, and found none in, is not searched again (the search decodes the page's whole text, which
    the crawl process otherwise never reads when a worker read the page)."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None):
        if request.meta.get(NO_META_REFRESH):
            return response
        return super().process_response(request, response)


class ArchivedBrowserResponse:
    """The part of a Playwright ``Response`` the crawl reads, from an archived fetch/XHR answer."""

    def __init__(self, record, body: bytes, page_url: str):
        self.url = record.rec_headers.get_header("WARC-Target-URI")
        self.status = int(record.http_headers.get_statuscode() or 200)
        self.request = SimpleNamespace(resource_type="xhr", frame=SimpleNamespace(url=page_url))
        self._body = body

    async def body(self) -> bytes:
        return self._body

    async def text(self) -> str:
        return self._body.decode("utf-8", "replace")


# Nothing is fetched: no politeness delay; enough pages in flight to keep the CPU busy (with 16, the crawl
# process waited for the worker processes a fifth of the time: it had handled every answer they had sent).
REPLAY_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
    # Middlewares that only shape what a request would tell the server (its Cookie, Referer and proxy
    # headers): the archive answers by method, URL and body, so they change no answer, only cost time.
    "COOKIES_ENABLED": False,
    "REFERER_ENABLED": False,
    "HTTPPROXY_ENABLED": False,
    # A page yields one item or a few requests, handled in turn: each more at once is one more asyncio
    # task started (and ended) for every page
    "CONCURRENT_ITEMS": 1,
    # Nothing is fetched, so no network error can happen to retry; Scrapy's list of them names its HTTP
    # handler's TunnelError, whose import (Twisted's TLS, the context factories) is ~0.15 s of CPU
    "RETRY_EXCEPTIONS": [],
}
# Likewise, off in a replay: downloader middlewares that only set a request's headers (its Authorization,
# default headers, User-Agent) or its download timeout, and the spider middleware that warns when a
# spider copies Scrapy's internal meta keys into its requests (the spider's requests are the online crawl's).
REPLAY_OFF = {
    "DOWNLOADER_MIDDLEWARES": (
        "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
        "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware",
        "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware",
        "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware",
    ),
    "SPIDER_MIDDLEWARES": ("scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",),
}


META_REFRESH = "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"


def enable_replay(settings: Settings) -> None:
    for name, value in REPLAY_SETTINGS.items():
        settings.set(name, value, priority="spider")
    for name, off in REPLAY_OFF.items():
        settings.set(name, {**settings.getdict(name), **dict.fromkeys(off)}, priority="spider")
    # No download handler either: a request that got past the archive fails (unsupported scheme) instead of
    # reaching the network, and Scrapy's HTTP handler is not imported
    settings.set("DOWNLOAD_HANDLERS", dict.fromkeys(settings.getwithbase("DOWNLOAD_HANDLERS")), priority="spider")
    order = settings.getwithbase("DOWNLOADER_MIDDLEWARES").get(META_REFRESH)
    if order is not None:  # in its place, unless the crawl has it off
        middlewares = {**settings.getdict("DOWNLOADER_MIDDLEWARES"), META_REFRESH: None,
                       f"{__name__}.ReplayMetaRefreshMiddleware": order}
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")
