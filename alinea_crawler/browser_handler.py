"""The ``http``/``https`` download handler of a crawl that may render: Scrapy's HTTP/1.1 handler, and the
crawl's browser for the pages marked for it. Its own module: importing Scrapy's HTTP/1.1 handler (Twisted's
TLS, the context factories) costs a crawl that needs no handler at all (a WARC replay) ~0.15 s of its
start-up, and the spider imports ``rendering``."""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from .rendering import CrawlBrowser


class BrowserOnDemandHandler(HTTP11DownloadHandler):
    """``http``/``https`` when rendering may be needed: Scrapy's HTTP/1.1 handler, except for requests with
    ``meta["playwright"]``, which go to the crawl's browser (``CrawlBrowser``)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.browser = CrawlBrowser.of(crawler)

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("playwright"):
            return await self.browser.download(request)
        return await super().download_request(request)

    async def close(self) -> None:
        await super().close()
        await self.browser.close()
