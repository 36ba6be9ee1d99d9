"""The replay's worker processes, piece by piece: how answers travel back, and what a worker finds in a page."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from io import BytesIO
from multiprocessing import Pipe
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.conf import build_component_list
from scrapy.utils.project import get_project_settings
from scrapy.utils.response import get_meta_refresh
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from alinea_crawler.warc.capture import gzip_members
from alinea_crawler.warc.records import ArchivedRecordReader, plain_records
from alinea_crawler.warc.replay import REPLAY_OFF, ReplayMetaRefreshMiddleware, enable_replay
from alinea_crawler.warc.workers import (
    NO_META_REFRESH, ExtractionPool, Messages, finds_no_meta_refresh, read_archived_page,
)

URL = "http://127.0.0.1:1/politik/a-b12345"
REFRESH = b'<html><head><meta http-equiv="refresh" content="0; url=/elsewhere"></head><body><p>x</p></body></html>'
PLAIN = b"<html><head><title>t</title></head><body><p>x</p></body></html>"


def test_answers_are_handed_on_whole_however_the_bytes_arrive():
    """The crawl process reads what a worker has sent so far: a page's answer split across reads waits
    for its rest, and several answers in one read all come out, in order."""
    ours, theirs = Pipe()
    big = os.urandom(300_000)  # larger than one read of the pipe

    def send():  # a worker: blocks until the pipe is read
        theirs.send((1, big))
        theirs.send((2, "small"))
        theirs.close()

    sender = threading.Thread(target=send)
    sender.start()
    data = b""
    while chunk := os.read(ours.fileno(), 1 << 20):
        data += chunk
    sender.join()
    messages = Messages()
    received = []
    for start in range(0, len(data), 7_777):
        received += messages.feed(data[start:start + 7_777])
        if start + 7_777 < 300_000:
            assert received == [], "nothing before the first answer is whole"
    assert received == [(1, big), (2, "small")]
    assert messages.buffer == bytearray()


def archive(tmp_path: Path, pages: dict[str, bytes]) -> Path:
    path = tmp_path / "pages.warc.gz"
    writer = WARCWriter(BytesIO(), warc_version="WARC/1.1")
    records = [writer.create_warc_record(
        url, "response", payload=BytesIO(body), length=len(body),
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"))
        for url, body in pages.items()]
    path.write_bytes(gzip_members(records))
    return path


def test_a_worker_says_which_pages_hold_no_meta_refresh(tmp_path):
    path = archive(tmp_path, {URL: REFRESH, URL + "x": PLAIN})
    locations = [record.location for record in plain_records(path)]
    files = ArchivedRecordReader()
    answers = [read_archived_page(files, location, url, "article", "http://127.0.0.1:1", None, ("noscript",))
               for location, url in zip(locations, (URL, URL + "x"))]
    files.close()
    assert [answer[-1] for answer in answers] == [False, True]
    assert answers[0][2] == REFRESH


@pytest.mark.parametrize("head, refresh", [
    ('<meta http-equiv="refresh" content="0; url=/elsewhere">', True),
    ('<META HTTP-EQUIV="REFRESH" CONTENT="5;URL=/elsewhere">', True),  # any case
    ("<meta http-equiv='Refresh' content='0;url=https://example.com/'>", True),
    ('<noscript><meta http-equiv="refresh" content="0; url=/elsewhere"></noscript>', False),  # ignored tag
    ('<script>function refresh() {}</script><meta name="description" content="refresh">', False),
    ("<title>Refresh</title>", False),
    ("<title>t</title>" + " " * 4096 + '<meta http-equiv="refresh" content="0; url=/elsewhere">', False),  # too far
    ("<title>t</title>", False),
])
def test_the_meta_refresh_search_finds_what_scrapys_finds(head, refresh):
    """A worker rules out a meta refresh without Scrapy's search only where that search finds none."""
    response = HtmlResponse(URL, body=f"<html><head>{head}</head><body><p>x</p></body></html>".encode())
    assert (get_meta_refresh(response, ignore_tags=["noscript"])[1] is not None) is refresh
    assert finds_no_meta_refresh(HtmlResponse(URL, body=response.body), ("noscript",)) is not refresh


def test_the_replay_follows_a_meta_refresh_unless_a_worker_found_none():
    middleware = ReplayMetaRefreshMiddleware.from_crawler(get_crawler())
    response = HtmlResponse(URL, body=REFRESH)
    followed = middleware.process_response(Request(URL), response)
    assert isinstance(followed, Request) and followed.url.endswith("/elsewhere")
    marked = Request(URL, meta={NO_META_REFRESH: True})
    assert middleware.process_response(marked, response) is response


def test_a_replay_turns_off_what_only_shapes_requests_and_keeps_every_other_middleware():
    settings = get_project_settings()
    online = {name: build_component_list(settings.getwithbase(name)) for name in REPLAY_OFF}
    scrapys = "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"
    order = settings.getwithbase("DOWNLOADER_MIDDLEWARES")[scrapys]
    enable_replay(settings)
    replay = {name: build_component_list(settings.getwithbase(name)) for name in REPLAY_OFF}
    ours = "alinea_crawler.warc.replay.ReplayMetaRefreshMiddleware"
    downloader, spider = "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES"
    assert set(online[downloader]) - set(replay[downloader]) == {scrapys, *REPLAY_OFF[downloader]}
    assert set(replay[downloader]) - set(online[downloader]) == {ours}
    assert settings.getwithbase(downloader)[ours] == order, "in the same place"
    assert set(online[spider]) - set(replay[spider]) == set(REPLAY_OFF[spider])
    assert set(replay[spider]) <= set(online[spider])
    assert not any(settings.getbool(name) for name in ("COOKIES_ENABLED", "REFERER_ENABLED", "HTTPPROXY_ENABLED"))
    assert not any(settings.getwithbase("DOWNLOAD_HANDLERS").values()), "no handler: nothing can be fetched"


# A replay's components built as the crawl builds them; then which of Scrapy's download handler modules came in.
REPLAY_IMPORTS = """
import sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from alinea_crawler.spiders.alinea import AlineaSpider
from alinea_crawler.warc.replay import enable_replay

settings = get_project_settings()
enable_replay(settings)
crawler = get_crawler(AlineaSpider, settings.copy_to_dict())
crawler.engine = crawler._create_engine()
print(" ".join(sorted(name for name in sys.modules if name.startswith("scrapy.core.downloader"))))
"""


def test_a_replay_imports_no_http_download_handler():
    """Neither the spider nor a replay's engine imports Scrapy's HTTP/1.1 handler (Twisted's TLS and the
    context factories: ~0.15 s of every replay's start-up): nothing is fetched."""
    loaded = subprocess.run([sys.executable, "-c", REPLAY_IMPORTS], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parent.parent).stdout.split()
    assert "scrapy.core.downloader.middleware" in loaded, "the engine was built"
    assert "scrapy.core.downloader.contextfactory" not in loaded
    assert "scrapy.core.downloader.handlers.http11" not in loaded


def test_when_a_worker_dies_the_crawl_process_reads_every_page_itself(tmp_path):
    """A worker killed mid-replay: the pool stops (one warning), and every page from then on, as every page
    still awaited, is left to the crawl process (None), which reads it as a single-process replay would."""
    path = archive(tmp_path, {URL: PLAIN, URL + "x": PLAIN})
    locations = [record.location for record in plain_records(path)]

    async def replay() -> list:
        pool = ExtractionPool(2, "http://127.0.0.1:1")
        try:
            answers = [await pool.read(locations[0], URL, "article")]
            os.kill(pool.workers[0].process.pid, signal.SIGKILL)
            while pool.workers:  # until the pool sees the worker's pipe close
                await asyncio.sleep(0.01)
            answers += [await pool.read(location, url, "article") for location, url in zip(locations, (URL, URL + "x"))]
            return answers
        finally:
            pool.close()

    answers = asyncio.run(replay())
    assert answers[0] is not None and answers[0][2] == PLAIN
    assert answers[1:] == [None, None]
