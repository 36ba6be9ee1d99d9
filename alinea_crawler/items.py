"""The dataset row: one ``ArticleItem`` per article."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


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
