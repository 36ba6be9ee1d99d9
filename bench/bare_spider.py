"""The bare spider of ``bench/throughput.py``: follows every link of the site and yields the URL, nothing else.

Run with ``scrapy runspider bench/bare_spider.py -a base_url=…`` from an empty directory, so that
no project settings apply; the benchmark gives it the same concurrency and politeness-off settings
as the crawl it is compared with.
"""

from urllib.parse import urlsplit

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [base_url.rstrip("/") + "/"]
        self.allowed_domains = [urlsplit(base_url).hostname]

    def parse(self, response):
        yield {"url": response.url}
        if isinstance(response, scrapy.http.TextResponse):
            yield from response.follow_all(css="a::attr(href)", callback=self.parse)
