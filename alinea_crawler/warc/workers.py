"""A replay's article pages and load-more answers read by the page objects in worker processes (one per core)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
import pickle
import signal
import struct
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, TextResponse
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from scrapy.utils.response import get_meta_refresh

from ..pages.article import ArticlePage
from ..pages.common import parse_html
from ..pages.listing import ListingAnswer, listing_answer
from ..pages.pagination import ArticlePager, read_article_page
from .records import (
    ArchivedRecordReader, Location, Scanned, archived_response, plain_records, record_starts, scan,
)

logger = logging.getLogger(__name__)

EXTRACTED = "alinea_extracted"  # request meta during a replay: a page's reading done by a worker
NO_META_REFRESH = "alinea_no_meta_refresh"  # request meta during a replay: a worker found no meta refresh in its page


def read_article(response: TextResponse, base_url: str) -> tuple[ArticlePage | None, ArticlePager]:
    """What the spider's ``read_article`` reads: the page object's reading and the page's own pager."""
    return read_article_page(parse_html(response.text), response.url)


def read_listing(response: TextResponse, base_url: str) -> ListingAnswer:
    """What the spider's ``answer_cards`` reads of a load-more answer."""
    return listing_answer(response.text, base_url)


# Request kinds whose page a worker reads, and how: the page objects the spider calls on them.
READINGS = {"article": read_article, "amp": read_article, "more": read_listing}
EXTRACTED_KINDS = frozenset(READINGS)

# What a worker gives back for one archived page: the response's status, headers and body, the page
# objects' reading of it (None: not a page the spider reads, or its reading raised), and whether the page
# (an HTML one) holds no meta refresh that MetaRefreshMiddleware would follow.
Answer = tuple[int, list[tuple[str, str]], bytes, object, bool]


def read_archived_page(files: ArchivedRecordReader, location: Location, url: str, kind: str, base_url: str,
                       decoder: HttpCompressionMiddleware | None = None, ignore_tags: tuple[str, ...] = ()) -> Answer:
    """In a worker process: the archived page as the replay answers it, read as the spider reads it.

    The archive holds a page as it came over the wire: one sent compressed (``Content-Encoding``) is
    decoded first by ``decoder``, the crawl's own HttpCompressionMiddleware, as it is in the crawl
    process before the spider reads it (None: the crawl has it off, and neither decodes). The page is
    also searched for a meta refresh as MetaRefreshMiddleware searches it (``ignore_tags``:
    METAREFRESH_IGNORE_TAGS): the crawl process, which reads nothing else of its text, need not."""
    status, headers, body = files.read_response(location)
    response = archived_response(url, status, headers, body)
    try:
        if decoder is not None and response.headers.get("Content-Encoding"):
            response = decoder.process_response(Request(url), response)
        no_meta_refresh = isinstance(response, HtmlResponse) and finds_no_meta_refresh(response, ignore_tags)
        if status != 200 or not isinstance(response, TextResponse):
            return status, headers, body, None, no_meta_refresh
        return status, headers, body, READINGS[kind](response, base_url), no_meta_refresh
    except Exception:  # noqa: BLE001 — the spider reads the page again and meets the error itself
        return status, headers, body, None, False


def finds_no_meta_refresh(response: HtmlResponse, ignore_tags: tuple[str, ...]) -> bool:
    """Does MetaRefreshMiddleware find no meta refresh in ``response``? Scrapy's ``get_meta_refresh`` reads the
    first 4,096 characters and w3lib's reads only tags whose attributes hold "refresh" in any case: a page
    whose beginning does not is ruled out without them (most pages; their search is ~7% of a worker's time)."""
    if "refresh" not in response.text[:4096].lower():
        return True
    return get_meta_refresh(response, ignore_tags=list(ignore_tags))[1] is None


def content_decoder(crawler: Crawler) -> HttpCompressionMiddleware | None:
    """The crawl's HttpCompressionMiddleware, for the workers (None when the crawl has it off)."""
    enabled = build_component_list(crawler.settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
    if HttpCompressionMiddleware not in map(load_object, enabled):
        return None
    try:
        return HttpCompressionMiddleware.from_crawler(crawler)
    except NotConfigured:
        return None


@dataclass(frozen=True)
class Part:
    """Records of a file from ``start`` (a record's start) to ``stop`` (the next part's start, or None: the end)."""

    path: Path
    start: int
    stop: int | None


def scan_part(part: Part) -> Scanned | None:
    """In a worker process: what the index takes from one part of a file (None: not this crawler's shape)."""
    try:
        return scan(plain_records(part.path, part.start, part.stop), part.start)
    except Exception:  # noqa: BLE001 — NotPlain, or unreadable: the crawl process reads the whole file
        return None


def merged(parts: list[Part], scans: list[Scanned | None]) -> Scanned | None:
    """One file's parts as if read in one go; None when a part was not read or did not end where the next
    begins (a false record start: the crawl process reads the file itself)."""
    requests, responses, kept = {}, [], 0
    for part, scanned in zip(parts, scans):
        if scanned is None:
            return None
        part_requests, part_responses, part_kept, end, cut = scanned
        requests.update(part_requests)
        responses += part_responses
        kept += part_kept
        if cut is not None:  # a damaged record: nothing after it counts, as in one go
            return requests, responses, kept, end, cut
        if part.stop is not None and end != part.stop:
            return None
    return requests, responses, kept, end, None


LOW_WATER = 4  # a worker is sent the tasks waiting for it when it holds fewer than this


def serve(connection: Connection, base_url: str, decoder: HttpCompressionMiddleware | None,
          ignore_tags: tuple[str, ...]) -> None:
    """A worker process: batches of (token, location, url, kind) in, each page's (token, answer) out as soon as
    it is read; a ``Part`` of a file in, what the index takes from it out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle; it closes the pool
    files = ArchivedRecordReader()
    while True:
        try:
            batch = connection.recv()
        except EOFError:
            batch = None
        if batch is None:
            files.close()
            return
        if isinstance(batch, Part):
            connection.send(scan_part(batch))
            continue
        for token, location, url, kind in batch:
            try:
                answer = read_archived_page(files, location, url, kind, base_url, decoder, ignore_tags)
            except Exception:  # noqa: BLE001 — an unreadable record: the crawl process reads it itself
                answer = None
            # plain pickle, not Connection.send's ForkingPickler (a new pickler and its reducer table per
            # message, for objects that need none of its reducers); the same framing, read by Messages
            connection.send_bytes(pickle.dumps((token, answer), pickle.HIGHEST_PROTOCOL))


READ_SIZE = 1 << 18  # bytes read from a worker's pipe at a time


class Messages:
    """Whole messages out of the bytes read so far from a ``Connection`` (its framing: a 4-byte size, -1
    then an 8-byte size for the largest). The crawl process reads only what has come, so a worker halfway
    through sending a page never holds it up: a ``Connection.recv`` would wait for the rest."""

    def __init__(self):
        self.buffer = bytearray()

    def feed(self, data: bytes | memoryview) -> list:
        buffer = self.buffer
        buffer += data
        messages, start = [], 0
        with memoryview(buffer) as view:
            while len(buffer) - start >= SIZE.size:
                (size,), head = SIZE.unpack_from(buffer, start), SIZE.size
                if size == -1:
                    if len(buffer) - start < SIZE.size + LONG_SIZE.size:
                        break
                    (size,), head = LONG_SIZE.unpack_from(buffer, start + SIZE.size), SIZE.size + LONG_SIZE.size
                if len(buffer) - start - head < size:
                    break
                messages.append(pickle.loads(view[start + head:start + head + size]))
                start += head + size
        del buffer[:start]
        return messages


SIZE, LONG_SIZE = struct.Struct("!i"), struct.Struct("!Q")


@dataclass(eq=False)
class Worker:
    process: object
    connection: Connection
    outbox: list = field(default_factory=list)  # tasks not sent yet
    pending: int = 0  # tasks given, not yet answered (in the outbox or sent)
    sent: int = 0  # tasks sent, not yet answered
    inbox: Messages = field(default_factory=Messages)  # what the worker sent, up to its last whole answer


class ExtractionPool:
    """Article pages and load-more answers read by the page objects in worker processes while the crawl goes on.

    The page objects are pure (text and URL in, a reading out), and reading a page is most of a
    replayed page's cost. The replay hands where an archived page of a ``READINGS`` kind lies to the
    least busy worker; the worker reads the record, reads the page as the spider would and sends back
    the response's parts and that reading: the crawl process never opens those records. Each page's
    answer comes back as soon as it is read, over a pipe the event loop watches (no threads in the
    crawl process); tasks go out in batches, sent to a worker when it holds fewer than ``LOW_WATER``
    (each message wakes the worker: one per task cost the crawl process 6% of its time). Before the crawl
    starts, the workers also index the archive, each file in parts read at once (``scan``). Navigation,
    pipelines, feeds, the ledger and the report stay in the one crawl process, unchanged. A page a
    worker could not read is read in the crawl; if a worker stops, every page is read in the crawl
    from then on.
    """

    def __init__(self, processes: int, base_url: str, decoder: HttpCompressionMiddleware | None = None,
                 ignore_tags: tuple[str, ...] = ()):
        context = get_context("fork")  # forked now, before the crawl has opened anything
        gc.freeze()  # the crawl's objects so far: out of the workers' collections (no copy-on-write) and the crawl's
        self.workers: list[Worker] = []
        for _ in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(target=serve, args=(theirs, base_url, decoder, ignore_tags), daemon=True,
                                      name="alinea-replay-worker")
            process.start()
            theirs.close()
            self.workers.append(Worker(process, ours))
        self.waiting: dict[int, asyncio.Future] = {}
        self.tokens = itertools.count()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.flush_due = False
        self.read_buffer = bytearray(READ_SIZE)  # what a worker sent, read into the same place every time

    async def read(self, location: Location, url: str, kind: str) -> Answer | None:
        """The page archived at ``location`` read by a worker (``kind``: how); None if the crawl must read it."""
        if not self.workers:
            return None
        if self.loop is None:
            self.watch(asyncio.get_running_loop())
        worker = min(self.workers, key=lambda w: w.pending)
        token = next(self.tokens)
        future = self.waiting[token] = self.loop.create_future()
        worker.outbox.append((token, location, url, kind))
        worker.pending += 1
        if not self.flush_due:
            self.flush_due = True
            self.loop.call_soon(self.flush)
        return await future

    def scan(self, path: Path) -> Scanned | None:
        """What the index takes from one file, its parts read by the workers at once (before the crawl
        starts; None: the crawl process must read it itself)."""
        if not self.workers or not path.name.endswith(".gz"):
            return None
        starts = record_starts(path, len(self.workers))
        parts = [Part(path, start, stop) for start, stop in zip(starts, [*starts[1:], None])]
        try:
            for worker, part in zip(self.workers, parts):
                worker.connection.send(part)
            return merged(parts, [worker.connection.recv() for worker, _ in zip(self.workers, parts)])
        except (EOFError, OSError):
            self.stopped()
            return None

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        for worker in self.workers:
            loop.add_reader(worker.connection.fileno(), self.receive, worker)

    def flush(self) -> None:
        self.flush_due = False
        for worker in list(self.workers):
            if worker.sent < LOW_WATER:
                self.send(worker)

    def send(self, worker: Worker) -> None:
        if not worker.outbox:
            return
        batch, worker.outbox = worker.outbox, []
        worker.sent += len(batch)
        try:  # plain pickle, as the workers send theirs (Connection.recv reads it)
            worker.connection.send_bytes(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
        except OSError:
            self.stopped()

    def receive(self, worker: Worker) -> None:
        """What the worker has sent so far (readable: the read does not wait); each whole answer handed on."""
        try:
            size = os.readv(worker.connection.fileno(), [self.read_buffer])
        except OSError:
            size = 0
        if not size:
            self.stopped()
            return
        for token, answer in worker.inbox.feed(memoryview(self.read_buffer)[:size]):
            worker.pending -= 1
            worker.sent -= 1
            future = self.waiting.pop(token, None)
            if future is not None and not future.done():
                future.set_result(answer)
        if worker.sent < LOW_WATER:
            self.send(worker)

    def stopped(self) -> None:
        """A worker died: its pages, and every page from now on, are read in the crawl process."""
        logger.warning("a replay worker process stopped; article pages are read in the crawl process")
        self.close()

    def close(self) -> None:
        """Workers told to stop (and killed if they do not within 5 s); pages still awaited: the crawl reads them."""
        waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_result(None)
        workers, self.workers = self.workers, []
        for worker in workers:
            if self.loop is not None:
                self.loop.remove_reader(worker.connection.fileno())
            try:
                worker.connection.send(None)
            except OSError:
                pass
            worker.connection.close()
        for worker in workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.terminate()


def replay_processes(settings: Settings) -> int:
    """``ALINEA_REPLAY_PROCESSES``; 0: one per CPU core this process may use."""
    if configured := settings.getint("ALINEA_REPLAY_PROCESSES"):
        return configured
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
