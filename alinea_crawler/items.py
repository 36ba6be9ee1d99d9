"""The dataset row: one ``ArticleItem`` per article."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from itemadapter import ItemAdapter
from itemadapter.adapter import DataclassAdapter


@dataclass
class ArticleItem:
    """An alinea.id article. A field the page does not have stays empty, never guessed."""

    url: str  # canonical URL
    article_id: str  # "b2k8w9PZK": stable across slug changes
    section: str | None = None  # first path segment of the URL
    title: str | None = None
    lead: str | None = None
    authors: list[str] = field(default_factory=list)  # each name once, in byline order
    editor: str | None = None
    published_at: str | None = None  # ISO 8601 with offset: 2021-12-31T13:15:00+07:00
    published_at_raw: str | None = None  # as shown on the page
    modified_at: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    image_caption: str | None = None
    body: str | None = None  # paragraphs joined by a blank line
    word_count: int | None = None
    related_urls: list[str] = field(default_factory=list)  # canonical article URLs
    language: str = "id"
    source: str = "alinea.id"
    discovered_from: str | None = None  # the page that linked to it
    scraped_at: str | None = None  # UTC, ISO 8601
    layout: str | None = None  # template generation the page was read with
    revision: int | None = None  # 1 on an article's first export; +1 each time an incremental run finds it edited
    content_hash: str | None = None  # SHA-256 (hex) of the normalised title, lead and body


FIELD_NAMES = [f.name for f in fields(ArticleItem)]
_FIELDS = {f.name: f for f in fields(ArticleItem)}


class ArticleItemAdapter(DataclassAdapter):
    """itemadapter's ``DataclassAdapter`` for ``ArticleItem``, with the fields looked up once.

    ``DataclassAdapter`` calls ``dataclasses.fields`` for every ``ItemAdapter`` made (2 of its 3.4 µs), and
    each article goes through about eight (the pipelines, the ledger, the feed exporter, Spidermon). Put
    first in ``ItemAdapter.ADAPTER_CLASSES`` (itemadapter's way to add an adapter); it behaves as
    ``DataclassAdapter`` does in every other way.
    """

    def __init__(self, item: Any) -> None:
        self.item = item
        self._fields_dict = _FIELDS  # read, never changed

    @classmethod
    def is_item(cls, item: Any) -> bool:
        return type(item) is ArticleItem

    @classmethod
    def is_item_class(cls, item_class: type) -> bool:
        return item_class is ArticleItem


ItemAdapter.ADAPTER_CLASSES.appendleft(ArticleItemAdapter)
