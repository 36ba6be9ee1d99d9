"""A spider middleware that breaks a crawl on purpose, for tests only (enable it with ``SPIDER_MIDDLEWARES``).

``SABOTAGE_LOSE = N``: the first N article items vanish without a trace — no
drop, no error, no signal — as if lost to a bug. ``SABOTAGE_RAISE = N``: the
first N article items raise instead (a bug that at least makes noise).
``SABOTAGE_BLANK = field``: every item loses that field, so no exported article
has it. ``SABOTAGE_RAISE_KIND = kind``: the callback of the first response of
that request kind (``section``, ``more``, ``sitemap``…) raises as it yields.
"""
from __future__ import annotations

from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from alinea_crawler.items import ArticleItem

MIDDLEWARE = {"tests.sabotage.Sabotage": 900}


class Sabotage(BaseSpiderMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.to_lose = crawler.settings.getint("SABOTAGE_LOSE")
        self.to_raise = crawler.settings.getint("SABOTAGE_RAISE")
        self.blank = crawler.settings.get("SABOTAGE_BLANK")
        self.raise_kind = crawler.settings.get("SABOTAGE_RAISE_KIND")

    def get_processed_request(self, request, response):
        if response is not None and self.raise_kind and response.meta.get("kind") == self.raise_kind:
            self.raise_kind = None
            raise ValueError(f"sabotaged {response.meta['kind']} callback")
        return request

    def get_processed_item(self, item, response):
        if not isinstance(item, ArticleItem):
            return item
        if self.to_lose > 0:
            self.to_lose -= 1
            return None
        if self.to_raise > 0:
            self.to_raise -= 1
            raise ValueError("sabotaged")
        if self.blank:
            setattr(item, self.blank, None)
        return item
