"""WARC: every page the crawl fetches, archived; a crawl from that archive, without the network.

* ``WarcCaptureMiddleware`` (on when ``ALINEA_WARC_DIR`` is set) writes each
  request and its response, as they went over the wire (before decompression,
  redirects and retries), to ``<dir>/alinea-<job id>-00001.warc.gz`` — one gzip
  member per record, each record pair written in one piece and flushed, so a
  killed crawl leaves a file readable up to its last whole record. A file that
  reaches ``ALINEA_WARC_MAX_BYTES`` is closed and the next one (``-00002``)
  opened. Pages the browser rendered are archived as the browser showed them,
  marked ``WARC-Alinea-Rendered: 1``; the fetch/XHR answers the browser got
  while rendering are archived too (``WARC-Alinea-Rendered: xhr``,
  ``WARC-Alinea-Page``: the rendered page), since they taught the crawl its
  related-list endpoint.
* ``WarcReplayMiddleware`` (on with ``-a from_warc=…``) answers every request
  from those files — by method, URL and body (``POST /more``), a rendered page
  from its rendered record — and lets none reach the network. A request the
  archive does not hold is given up as "not in the WARC archive"
  (``alinea/warc/missing``). The spider navigates exactly as it did online.

Request records also carry how the crawl found the page (``WARC-Alinea-Kind``,
``WARC-Alinea-Via``); a replay restores ``via`` from them, so ``discovered_from``
stays what the original crawl saw, whatever order the replay runs in.
"""

from __future__ import annotations

import asyncio
import glob
import gzip
import hashlib
import logging
import os
import zlib
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from io import BytesIO
from http import HTTPStatus
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .middlewares import PageRejected
from .pages.article import ArticlePage
from .pages.common import parse_html
from .pages.pagination import ArticlePager, read_article_page
from .stats import WARC

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
RENDERED = "WARC-Alinea-Rendered"  # "1": a page as the browser showed it; "xhr": an answer the browser got
PAGE = "WARC-Alinea-Page"  # on an "xhr" record: the rendered page that asked for it
KIND = "WARC-Alinea-Kind"  # on a request record: the spider's request kind (article, more, …)
VIA = "WARC-Alinea-Via"  # on a request record: the page that linked to it (the item's discovered_from)
REPLAYED = "from_warc"  # response flag of a page answered from the archive
EXTRACTED = "alinea_extracted"  # request meta during a replay: (page object's reading, pager) done by a worker
EXTRACTED_KINDS = frozenset({"article", "amp"})  # requests whose page the spider reads with read_article_page
DEFAULT_MAX_BYTES = 1_000_000_000
HOP_BY_HOP = {b"transfer-encoding", b"connection", b"keep-alive"}  # Twisted has already undone these


def warc_paths(spec: str) -> list[Path]:
    """The WARC files a ``from_warc`` value names (a file, a directory, or a glob), in name order."""
    path = Path(spec).expanduser()
    if path.is_dir():
        found = [p for p in path.iterdir() if p.name.endswith((".warc", ".warc.gz"))]
    elif path.is_file():
        found = [path]
    else:
        found = [Path(p) for p in glob.glob(str(path)) if Path(p).is_file()]
    return sorted(p.resolve() for p in found)


def archived_site(paths: list[Path]) -> str | None:
    """``scheme://host`` of the first page archived in these files (a from_warc crawl's default base_url)."""
    for path in paths:
        with path.open("rb") as handle:
            try:
                for record in ArchiveIterator(handle):
                    if uri := record.rec_headers.get_header("WARC-Target-URI"):
                        parts = urlsplit(uri)
                        return f"{parts.scheme}://{parts.netloc}"
            except Exception:  # a file cut short before its first page: try the next
                continue
    return None


def body_digest(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest() if body else ""


# -- capture ----------------------------------------------------------------------


def gzip_members(records) -> bytes:
    """Each record serialised and gzipped as its own member, at zlib's default level.

    warcio's own gzip writer uses level 9: 1.7 times the time for the same size on
    these pages (0.53 against 0.31 ms for a 6 KB page, 2,137 against 2,138 bytes).
    """
    data = b""
    for record in records:
        buffer = BytesIO()
        WARCWriter(buffer, gzip=False, warc_version=WARC_VERSION).write_record(record)
        data += gzip.compress(buffer.getvalue(), compresslevel=6, mtime=0)
    return data


class RollingWarcFile:
    """``<dir>/alinea-<job>-NNNNN.warc.gz``: records appended whole, a new file past ``max_bytes``."""

    def __init__(self, folder: Path, job_id: str, max_bytes: int, stats):
        self.folder, self.job_id, self.max_bytes, self.stats = folder, job_id, max_bytes, stats
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sequence = 0
        self.file: BinaryIO | None = None

    def write(self, *records) -> None:
        if self.file is None:
            self._open_next()
        data = gzip_members(records)
        self.file.write(data)  # whole gzip members in one write: a kill lands between records; any other cut
        # (a full disk) costs only the record it cuts: the reader stops at the last whole one
        self.file.flush()
        self.stats.inc_value(WARC.format(what="bytes"), len(data))
        if self.file.tell() >= self.max_bytes:
            self.close()

    def _open_next(self) -> None:
        while True:
            self.sequence += 1
            path = self.folder / f"alinea-{self.job_id}-{self.sequence:05d}.warc.gz"
            if not path.exists():
                break
        self.file = path.open("xb")
        self.stats.inc_value(WARC.format(what="files"))
        builder = WARCWriter(BytesIO(), warc_version=WARC_VERSION)
        self.file.write(gzip_members([builder.create_warcinfo_record(path.name, {
            "software": "alinea-crawler (Scrapy, warcio)",
            "format": f"WARC File Format {WARC_VERSION[5:]}",
            "isPartOf": f"alinea-{self.job_id}",
        })]))
        self.file.flush()
        logger.info("archiving pages to %s", path)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class WarcCaptureMiddleware:
    """Downloader middleware: every request and response of the crawl into WARC files."""

    def __init__(self, crawler: Crawler, folder: Path, max_bytes: int):
        self.crawler = crawler
        self.folder, self.max_bytes = folder, max_bytes
        self.out: RollingWarcFile | None = None  # opened with the first page: the job id is known by then
        self.builder = WARCWriter(BytesIO(), warc_version=WARC_VERSION)  # builds records; never writes
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        folder = crawler.settings.get("ALINEA_WARC_DIR")
        if not folder or replaying(crawler):
            raise NotConfigured
        max_bytes = crawler.settings.getint("ALINEA_WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        return cls(crawler, Path(folder).expanduser().resolve(), max_bytes)

    @property
    def output(self) -> RollingWarcFile:
        if self.out is None:
            self.out = RollingWarcFile(self.folder, self.crawler.spider.job_id, self.max_bytes, self.crawler.stats)
        return self.out

    def process_request(self, request: Request) -> None:
        handlers = request.meta.get("playwright_page_event_handlers")
        if request.meta.get("playwright") and handlers and "response" in handlers:
            handler = handlers["response"]
            if not getattr(handler, "archives_browser_answers", False):  # a retry: wrapped already
                handlers["response"] = self.archiving_browser_answers(request.url, handler)

    def process_response(self, request: Request, response: Response) -> Response:
        rendered = bool(request.meta.get("playwright"))
        extra = {RENDERED: "1"} if rendered else {}
        self.archive(request.method, request.url, request.headers, request.body, request.meta,
                     response.status, response.headers, response.body, extra)
        self.crawler.stats.inc_value(WARC.format(what="rendered" if rendered else "pages"))
        return response

    def archiving_browser_answers(self, page_url: str, handler):
        """Wrap a Playwright ``response`` event handler: fetch/XHR answers are archived, then handled."""
        spider = self.crawler.spider

        async def archive_then_handle(response) -> None:
            browser_request = response.request
            if browser_request.resource_type in ("fetch", "xhr"):
                try:
                    body = await response.body()
                except Exception:  # an answer without a body (a redirect): nothing the crawl could read
                    body = None
                if body is not None:
                    self.archive(browser_request.method, response.url, Headers(await browser_request.all_headers()),
                                 (browser_request.post_data_buffer or b""), {}, response.status,
                                 Headers(await response.all_headers()), body, {RENDERED: "xhr", PAGE: page_url})
            callback = getattr(spider, handler) if isinstance(handler, str) else handler
            await callback(response)

        archive_then_handle.archives_browser_answers = True
        return archive_then_handle

    def archive(self, method: str, url: str, request_headers: Headers, request_body: bytes, meta: dict,
                status: int, response_headers: Headers, response_body: bytes, extra: dict[str, str]) -> None:
        response_record = self.builder.create_warc_record(
            url, "response", payload=BytesIO(response_body), length=len(response_body),
            http_headers=StatusAndHeaders(f"{status} {_reason(status)}", _header_list(response_headers),
                                          protocol="HTTP/1.1"),
            warc_headers_dict=extra,
        )
        request_meta = {KIND: meta.get("kind"), VIA: meta.get("via")}
        request_record = self.builder.create_warc_record(
            url, "request", payload=BytesIO(request_body), length=len(request_body),
            http_headers=StatusAndHeaders(f"{method} {_path(url)} HTTP/1.1",
                                          [("Host", _host(url)), *_header_list(request_headers)]),
            warc_headers_dict={name: value for name, value in request_meta.items() if value},
        )
        request_record.rec_headers.replace_header("WARC-Date", response_record.rec_headers["WARC-Date"])
        request_record.rec_headers.add_header("WARC-Concurrent-To", response_record.rec_headers["WARC-Record-ID"])
        self.output.write(request_record, response_record)

    def spider_closed(self, spider: Spider) -> None:
        if self.out is not None:
            self.out.close()


def _header_list(headers: Headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() if name.lower() not in HOP_BY_HOP for value in values]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _host(url: str) -> str:
    return urlsplit(url).netloc


# -- replay -----------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    path: Path
    offset: int
    length: int = 0  # of the record in the file (its gzip member); 0: unknown


@dataclass
class ArchivedRequest:
    method: str
    digest: str  # of the body
    via: str | None


@dataclass
class WarcArchive:
    """An index of WARC files: which response answers which request, and where it lies."""

    pages: dict[tuple[bool, str, str, str], list[Location]] = field(default_factory=lambda: defaultdict(list))
    vias: dict[tuple[bool, str, str, str], str] = field(default_factory=dict)
    browser_answers: dict[str, list[Location]] = field(default_factory=lambda: defaultdict(list))  # by page URL
    truncated: list[tuple[Path, int]] = field(default_factory=list)  # (file, records kept) of files cut short
    records: int = 0

    @classmethod
    def load(cls, paths: list[Path]) -> WarcArchive:
        archive = cls()
        for path in paths:
            archive.index(path)
        return archive

    def index(self, path: Path) -> None:
        requests: dict[str, ArchivedRequest] = {}  # by the id of the response they went with
        responses: list[tuple[str, str, dict[str, str], Location]] = []  # (id, url, marks, location)
        kept, end = 0, 0
        with path.open("rb") as handle:
            records = ArchiveIterator(handle)
            try:
                for record in records:
                    payload = record.raw_stream.read()
                    if not _complete(record):
                        raise ValueError("a record ends early")
                    kept += 1
                    end = records.get_record_offset() + records.get_record_length()
                    headers = record.rec_headers
                    if record.rec_type == "request":
                        method = (record.http_headers.protocol or "GET") if record.http_headers else "GET"
                        requests[headers.get_header("WARC-Concurrent-To") or ""] = ArchivedRequest(
                            method.upper(), body_digest(payload), headers.get_header(VIA))
                    elif record.rec_type == "response":
                        marks = {name: headers.get_header(name) or "" for name in (RENDERED, PAGE)}
                        responses.append((headers.get_header("WARC-Record-ID"), headers.get_header("WARC-Target-URI"),
                                          marks, Location(path, records.get_record_offset(), records.get_record_length())))
                if end < path.stat().st_size:  # a cut inside the next record's gzip header reads as no record
                    raise ValueError(f"{path.stat().st_size - end} bytes after the last whole record")
            except Exception as error:  # a crawl killed mid-write: keep every whole record before the cut
                self.truncated.append((path, kept))
                logger.warning("WARC file ends mid-record (%s); using its %d whole record(s): %s", error, kept, path)
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


def _complete(record) -> bool:
    """Every byte the record's Content-Length announced was there."""
    stream = record.raw_stream
    return isinstance(stream, LimitReader) and stream.limit == 0


def request_key(request: Request) -> tuple[bool, str, str, str]:
    return bool(request.meta.get("playwright")), request.method.upper(), request.url, body_digest(request.body)


class ArchivedRecordReader:
    """Reads one record back by its offset; files stay open for the whole replay."""

    def __init__(self):
        self.handles: dict[Path, BinaryIO] = {}

    def read(self, location: Location):
        handle = self.handles.get(location.path)
        if handle is None:
            handle = self.handles[location.path] = location.path.open("rb")
        handle.seek(location.offset)
        record = next(iter(ArchiveIterator(handle)))
        return record, record.raw_stream.read()

    def read_response(self, location: Location) -> tuple[int, list[tuple[str, str]], bytes]:
        """(status, headers, body) of a response record: the plain records this module writes are
        read directly (about half warcio's time per page), anything else by warcio."""
        handle = self.handles.get(location.path)
        if handle is None:
            handle = self.handles[location.path] = location.path.open("rb")
        if location.length:
            handle.seek(location.offset)
            if parsed := parse_response_record(handle.read(location.length)):
                return parsed
        record, body = self.read(location)
        http = record.http_headers
        return int(http.get_statuscode() or 200), list(http.headers), body

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()
        self.handles.clear()


def archived_response(url: str, status: int, header_list: list[tuple[str, str]], body: bytes,
                      request: Request | None = None) -> Response:
    headers = Headers()
    for name, value in header_list:
        headers.appendlist(name, value)
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body, request=request, flags=[REPLAYED])


def parse_response_record(data: bytes) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) of one whole response record (a gzip member or plain), when it is
    the plain shape: CRLF lines, a Content-Length, ASCII HTTP headers without folded lines; else None."""
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        data = inflater.decompress(data)
        if not inflater.eof or inflater.unused_data:
            return None
    warc_head, found, block = data.partition(b"\r\n\r\n")
    lengths = [line[15:] for line in warc_head.split(b"\r\n") if line[:15].lower() == b"content-length:"]
    if not found or len(lengths) != 1 or not lengths[0].strip().isdigit():
        return None
    http_head, found, body = block[:int(lengths[0])].partition(b"\r\n\r\n")
    if not found or not http_head.isascii():
        return None
    status_line, *lines = http_head.decode("ascii").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit() or any(line[:1] in (" ", "\t") or ":" not in line for line in lines):
        return None
    return int(parts[1]), [(name, value.strip()) for name, _, value in (line.partition(":") for line in lines)], body


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
        archive = WarcArchive.load(paths)
        stats = crawler.stats
        stats.set_value(WARC.format(what="archive_records"), archive.records)
        stats.set_value(WARC.format(what="truncated_files"), len(archive.truncated))
        processes = replay_processes(crawler.settings)
        logger.info("re-extracting from %d WARC file(s), %d archived response(s), article pages read by %s; "
                    "nothing is fetched", len(paths), archive.records,
                    f"{processes} worker processes" if processes > 1 else "the crawl process")
        return cls(crawler, archive, ExtractionPool(processes) if processes > 1 else None)

    async def process_request(self, request: Request) -> Response:
        key = request_key(request)
        locations = self.archive.pages.get(key)
        if not locations:
            self.crawler.stats.inc_value(WARC.format(what="missing"))
            raise PageRejected("not in the WARC archive")
        # Answers in archive order (a retried page: its failure, then its success); the last one repeats.
        served = self.served[key]
        self.served[key] = served + 1
        location = locations[min(served, len(locations) - 1)]
        status, header_list, body = self.reader.read_response(location)
        if via := self.archive.vias.get(key):
            request.meta["via"] = via
        self.crawler.stats.inc_value(WARC.format(what="replayed"))
        response = self.response(request, status, header_list, body)
        request.meta.pop(EXTRACTED, None)  # a retry or a redirect copies the meta of the answer before
        if self.readers is not None and request.meta.get("kind") in EXTRACTED_KINDS and status == 200 \
                and isinstance(response, TextResponse) and await self.readers.read(location, response):
            self.crawler.stats.inc_value(WARC.format(what="read_by_workers"))
        return response

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


_WORKER_FILES = ArchivedRecordReader()  # a worker process's open archive files


def read_archived_article(location: Location, url: str) -> tuple[ArticlePage | None, ArticlePager]:
    """In a worker process: the archived page as the replay answers it, read as the spider's ``extract`` does.

    The worker reads the record itself: only its location crosses between the processes, not the page.
    """
    response = archived_response(url, *_WORKER_FILES.read_response(location))
    return read_article_page(parse_html(response.text), url)


def _warm_up() -> None:
    """A first task: every worker is forked while the crawl process has no threads yet."""


class ExtractionPool:
    """Article pages read by the page objects in worker processes while the crawl goes on.

    The page objects are pure (text and URL in, an ``ArticlePage`` out), and reading a page is
    most of a replayed page's cost: the replay hands where each archived article page lies to a
    worker, which reads and extracts it, and the spider gets the worker's reading in
    ``request.meta[EXTRACTED]``. Navigation,
    pipelines, feeds, the ledger and the report stay in the one crawl process, unchanged. A
    page whose reading raised is read again in the crawl (its error then arises where it
    always did); if the pool breaks, every page is read in the crawl from then on.
    """

    def __init__(self, processes: int):
        self.executor: ProcessPoolExecutor | None = ProcessPoolExecutor(processes, mp_context=get_context("fork"))
        self.executor.submit(_warm_up).result()

    async def read(self, location: Location, response: TextResponse) -> bool:
        """The page (archived at ``location``) read by a worker into ``response.meta[EXTRACTED]``; False if not."""
        if self.executor is None:
            return False
        try:
            reading = await asyncio.wrap_future(self.executor.submit(read_archived_article, location, response.url))
        except BrokenProcessPool:
            logger.warning("the extraction worker processes stopped; article pages are read in the crawl process")
            self.executor = None
            return False
        except Exception:  # noqa: BLE001 — the spider reads the page again and meets the error itself
            return False
        response.meta[EXTRACTED] = reading
        return True

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None


def replay_processes(settings: Settings) -> int:
    """``ALINEA_REPLAY_PROCESSES``; 0: one per CPU core this process may use."""
    if configured := settings.getint("ALINEA_REPLAY_PROCESSES"):
        return configured
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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


def replaying(crawler: Crawler) -> bool:
    args = getattr(crawler.spider, "args", None)
    return bool(getattr(args, "from_warc", None))


# Nothing is fetched: no politeness delay; enough pages in flight to keep the CPU busy.
REPLAY_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


def enable_replay(settings: Settings) -> None:
    for name, value in REPLAY_SETTINGS.items():
        settings.set(name, value, priority="spider")
