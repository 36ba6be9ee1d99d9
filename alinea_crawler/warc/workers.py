"""A replay's article pages read by the page objects in worker processes, one per core by default."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from scrapy.http import TextResponse
from scrapy.settings import Settings

from ..pages.article import ArticlePage
from ..pages.common import parse_html
from ..pages.pagination import ArticlePager, read_article_page
from .records import ArchivedRecordReader, Location, archived_response

logger = logging.getLogger(__name__)

EXTRACTED = "alinea_extracted"  # request meta during a replay: (page object's reading, pager) done by a worker
EXTRACTED_KINDS = frozenset({"article", "amp"})  # requests whose page the spider reads with read_article_page


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
