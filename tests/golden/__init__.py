"""Golden files: saved article pages + the item each must become (fundus-style).

``article/<layout>/<case>.html`` is the page, ``<case>.json`` the expected item
(keys sorted, missing values ``null``, dates ISO with offset), ``meta.json``
where each page came from. Regenerate with ``python -m tests.golden.regen``.
``zoo/<template>.html`` + ``.json`` (own ``zoo/meta.json``): one page per template
of ``tests/replica/zoo.py``; regenerate with ``python -m tests.golden.regen --zoo``.
"""

from __future__ import annotations

import json
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from alinea_crawler.items import ArticleItem
from alinea_crawler.pipelines import CleanArticlePipeline, ContentHashPipeline, ValidateArticlePipeline
from alinea_crawler.spiders.alinea import AlineaSpider

GOLDEN = Path(__file__).resolve().parent
ZOO = GOLDEN / "zoo"
VOLATILE = ("scraped_at", "discovered_from")  # differ per crawl, not per page


def load_meta() -> dict[str, dict[str, Any]]:
    return json.loads((GOLDEN / "meta.json").read_text(encoding="utf-8"))


def case_paths(case: str, layout: str) -> tuple[Path, Path]:
    folder = GOLDEN / "article" / layout
    return folder / f"{case}.html", folder / f"{case}.json"


def load_zoo_meta() -> dict[str, dict[str, Any]]:
    return json.loads((ZOO / "meta.json").read_text(encoding="utf-8"))


def zoo_case_paths(template: str) -> tuple[Path, Path]:
    return ZOO / f"{template}.html", ZOO / f"{template}.json"


def offline_spider(url: str, settings: dict[str, Any] | None = None) -> tuple[Crawler, AlineaSpider]:
    """The real spider, set up for the site of ``url`` without crawling (no network, no related links)."""
    crawler = get_crawler(AlineaSpider, {"TELNETCONSOLE_ENABLED": False, **(settings or {})})
    crawler.spider = spider = AlineaSpider.from_crawler(crawler, base_url=_origin(url), follow_related="0", render="never")
    return crawler, spider


def cleaned_item(crawler: Crawler, outputs: Iterable[Any]) -> dict[str, Any] | None:
    """The first article a callback yielded, through the cleaning pipelines, as a golden file holds it."""
    item = next((out for out in outputs if isinstance(out, ArticleItem)), None)
    if item is None:
        return None
    for pipeline in (CleanArticlePipeline, ValidateArticlePipeline, ContentHashPipeline):
        item = pipeline.from_crawler(crawler).process_item(item)
    data = ItemAdapter(item).asdict()
    return {key: data[key] for key in sorted(data) if key not in VOLATILE}


def item_from_html(html: str, url: str) -> dict[str, Any] | None:
    """The real spider callback and cleaning pipelines on one saved page, no network."""
    crawler, spider = offline_spider(url)
    request = Request(url, meta={"via": None})
    response = HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=request)
    return cleaned_item(crawler, spider.parse_article(response, depth=0))


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
