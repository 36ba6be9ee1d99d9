"""Item pipelines: clean, normalise, validate, de-duplicate — each drop counted and logged."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from datetime import datetime, timezone

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from . import stats as keys
from .cleaning import clean_paragraphs
from .dates import parse_id_datetime, to_iso
from .pages.common import collapse

logger = logging.getLogger(__name__)

# "Oleh: A", "Penulis: A", "Reporter: A" -> "A"; "A, B dan C" / "A & B" -> three names.
_AUTHOR_PREFIX = re.compile(r"^\s*(oleh|penulis|reporter|editor|kontributor)\s*:?\s+", re.I)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|&|\s+dan\s+)\s*", re.I)
REQUIRED = ("title", "body", "published_at")
REPORTED_MISSING = ("lead", "authors", "image_url")


def split_authors(names: list[str]) -> list[str]:
    """Each person once, in byline order, prefixes and separators removed."""
    seen: set[str] = set()
    authors = []
    for raw in names:
        for name in _AUTHOR_SEPARATORS.split(_AUTHOR_PREFIX.sub("", raw or "")):
            name = " ".join(name.split())
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                authors.append(name)
    return authors


class ArticleDropped(DropItem):
    """An article dropped for a named ``reason`` (``missing_title``, ``duplicate``, …)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class _StatsPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def drop(self, reason: str, adapter: ItemAdapter, detail: str = "") -> ArticleDropped:
        """Count the reason and return the exception to raise (LOG_FORMATTER logs its one line)."""
        self.stats.inc_value(keys.DROPPED.format(reason=reason))
        return ArticleDropped(reason, f"article dropped ({reason}{': ' + detail if detail else ''}): {adapter.get('url')}")


class CleanArticlePipeline(_StatsPipeline):
    """Whole-line boilerplate out, white space and authors normalised, dates parsed."""

    def process_item(self, item):
        adapter = ItemAdapter(item)
        adapter["body"], adapter["word_count"] = self._clean_body(adapter.get("body"))
        adapter["authors"] = split_authors(adapter.get("authors") or [])
        adapter["tags"] = list(dict.fromkeys(t for t in adapter.get("tags") or [] if t))
        adapter["published_at"] = self._parse_date(adapter, adapter.get("published_at_raw"), "published_at")
        adapter["modified_at"] = self._parse_date(adapter, adapter.get("modified_at"), "modified_at")
        adapter["scraped_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return item

    def _clean_body(self, body: str | None) -> tuple[str | None, int | None]:
        """The body without its boilerplate lines (``None`` if nothing is left), and its word count."""
        if not body:
            return body, None
        cleaned = clean_paragraphs(body.split("\n\n"))
        keys.inc_counts(self.stats, keys.BOILERPLATE, cleaned.removed)
        return (cleaned.text, cleaned.words) if cleaned.text else (None, None)

    def _parse_date(self, adapter: ItemAdapter, raw: str | None, field: str) -> str | None:
        if not raw:
            return None
        parsed = parse_id_datetime(raw)
        if parsed is None:
            self.stats.inc_value(keys.DATE_UNPARSED)
            logger.warning("unparseable %s %r: %s", field, raw, adapter.get("url"))
        return to_iso(parsed)


class ValidateArticlePipeline(_StatsPipeline):
    """No title, body or date: dropped. Outside since/until: dropped. Gaps counted."""

    def process_item(self, item):
        adapter = ItemAdapter(item)
        for field in REQUIRED:
            if not adapter.get(field):
                raise self.drop(f"missing_{field.removesuffix('_at')}", adapter)
        for field in REPORTED_MISSING:
            if not adapter.get(field):
                self.stats.inc_value(keys.FIELD_MISSING.format(field=field))
        self._check_range(adapter)
        return item

    def _check_range(self, adapter: ItemAdapter) -> None:
        args = self.crawler.spider.args
        if not (args.since or args.until):
            return
        published = datetime.fromisoformat(adapter["published_at"])
        if (args.since and published < args.since) or (args.until and published > args.until):
            raise self.drop("out_of_range", adapter, f"published {adapter['published_at']}")


class DeduplicatePipeline(_StatsPipeline):
    """One item per ``article_id`` per crawl, whatever URL variant led to it."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter["article_id"] in self.seen:
            raise self.drop("duplicate", adapter)
        self.seen.add(adapter["article_id"])
        return item


def content_hash(title: str | None, lead: str | None, body: str | None) -> str:
    """SHA-256 (hex) of the title, lead and body, NFC-normalised, white space collapsed per paragraph.

    Fields are joined by a separator no text holds, so text moving between
    fields changes the hash; a re-spaced paragraph does not.
    """
    def normalised(text: str | None) -> str:
        paragraphs = unicodedata.normalize("NFC", text or "").split("\n\n")
        return "\n\n".join(map(collapse, paragraphs)).strip()

    joined = "\x1f".join(normalised(text) for text in (title, lead, body))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


class ContentHashPipeline(_StatsPipeline):
    """``content_hash`` of the cleaned text; ``revision`` 1 unless the incremental state says otherwise."""

    def process_item(self, item):
        adapter = ItemAdapter(item)
        adapter["content_hash"] = content_hash(adapter.get("title"), adapter.get("lead"), adapter.get("body"))
        if adapter.get("revision") is None:
            adapter["revision"] = 1
        return item

