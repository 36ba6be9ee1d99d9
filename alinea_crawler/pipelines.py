"""Item pipelines: clean, normalise, validate, de-duplicate — each drop counted and logged.

The pure steps (cleaning and parsing an article's own fields, its content hash) are functions of the
item's fields alone, so they may be worked out before the item reaches its pipeline — a replay's worker
processes work them out with the page they read (``worked_out_ahead``) — and the pipeline takes such a
result only for exactly the inputs it would compute it from (``ComputedAhead``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import weakref
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from . import stats as keys
from .cleaning import clean_paragraphs
from .dates import parse_id_datetime, to_iso

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


@dataclass(frozen=True)
class Cleaned:
    """What CleanArticlePipeline makes of an article's own fields (``cleaned``)."""

    body: str | None
    removed: Counter[str]  # boilerplate lines dropped, by rule
    authors: list[str]
    tags: list[str]
    published_at: str | None
    modified_at: str | None
    unparsed: tuple[tuple[str, str], ...]  # (field, raw text) of each date given but not understood
    word_count: int | None


# body, authors, tags, published_at_raw, modified_at (raw): what cleaning reads of an item
CleanInputs = tuple[str | None, tuple[str, ...], tuple[str, ...], str | None, str | None]


def clean_inputs(fields: Mapping[str, Any]) -> CleanInputs:
    return (fields.get("body"), tuple(fields.get("authors") or ()), tuple(fields.get("tags") or ()),
            fields.get("published_at_raw"), fields.get("modified_at"))


def cleaned(inputs: CleanInputs) -> Cleaned:
    """Whole-line boilerplate out of the body, white space and authors normalised, tags once each, dates parsed."""
    body, authors, tags, published_raw, modified_raw = inputs
    removed: Counter[str] = Counter()
    if body:
        kept = clean_paragraphs(body.split("\n\n"))
        body, removed = kept.text or None, kept.removed
    dates = {"published_at": published_raw, "modified_at": modified_raw}
    parsed = {name: parse_id_datetime(raw) if raw else None for name, raw in dates.items()}
    return Cleaned(
        body=body, removed=removed, authors=split_authors(list(authors)), tags=list(dict.fromkeys(t for t in tags if t)),
        published_at=to_iso(parsed["published_at"]), modified_at=to_iso(parsed["modified_at"]),
        unparsed=tuple((name, raw) for name, raw in dates.items() if raw and parsed[name] is None),
        word_count=len(body.split()) if body else None,
    )


class CleanArticlePipeline(_StatsPipeline):
    """Whole-line boilerplate out, white space and authors normalised, dates parsed (``cleaned``)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.ahead = ComputedAhead.of(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        inputs = clean_inputs(adapter)
        result = self.ahead.take(cleaned, inputs) or cleaned(inputs)
        keys.inc_counts(self.stats, keys.BOILERPLATE, result.removed)
        for field, raw in result.unparsed:
            self.stats.inc_value(keys.DATE_UNPARSED)
            logger.warning("unparseable %s %r: %s", field, raw, adapter.get("url"))
        adapter["body"] = result.body
        adapter["authors"] = result.authors
        adapter["tags"] = result.tags
        adapter["published_at"] = result.published_at
        adapter["modified_at"] = result.modified_at
        adapter["word_count"] = result.word_count
        adapter["scraped_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return item


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
        return "\n\n".join(" ".join(p.split()) for p in paragraphs).strip()

    joined = "\x1f".join(normalised(text) for text in (title, lead, body))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def hash_inputs(fields: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    return fields.get("title"), fields.get("lead"), fields.get("body")


class ContentHashPipeline(_StatsPipeline):
    """``content_hash`` of the cleaned text; ``revision`` 1 unless the incremental state says otherwise."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.ahead = ComputedAhead.of(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        inputs = hash_inputs(adapter)
        adapter["content_hash"] = self.ahead.take(content_hash, inputs) or content_hash(*inputs)
        if adapter.get("revision") is None:
            adapter["revision"] = 1
        return item



Ahead = list[tuple[tuple[Callable, tuple], Any]]  # ((step, its inputs), its result), …


def worked_out_ahead(fields: Mapping[str, Any]) -> Ahead:
    """The pure steps of the pipelines for an item with these fields (as a page object gives them, before
    any pipeline), worked out as CleanArticlePipeline and ContentHashPipeline work them out."""
    inputs = clean_inputs(fields)
    clean = cleaned(inputs)
    hashed = hash_inputs({**fields, "body": clean.body})
    return [((cleaned, inputs), clean), ((content_hash, hashed), content_hash(*hashed))]


class ComputedAhead:
    """Results of the pipelines' pure steps worked out before the item reaches them, by step and inputs.

    A pipeline takes a result (once) only for exactly the inputs it would compute it from: an item changed
    on its way (an article over several pages, a pipeline in between) simply misses, and the pipeline
    computes its own. At most ``LIMIT`` results wait (the oldest go first): an item dropped before a step
    never takes its result.
    """

    LIMIT = 1024
    TAKEN = keys.WARC.format(what="pipeline_steps_ahead")  # only a replay's workers work steps out ahead
    _of: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __init__(self, stats):
        self.stats = stats
        self.results: dict[tuple[Callable, tuple], Any] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> ComputedAhead:
        """The crawl's results worked out ahead (one store per crawler, shared by its pipelines and the replay)."""
        if crawler not in cls._of:
            cls._of[crawler] = cls(crawler.stats)
        return cls._of[crawler]

    def add(self, ahead: Ahead) -> None:
        results = self.results
        for key, result in ahead:
            results[key] = result
        while len(results) > self.LIMIT:
            del results[next(iter(results))]

    def take(self, step: Callable, inputs: tuple) -> Any:
        """``step``'s result for these inputs, if worked out ahead (else None: compute it)."""
        if not self.results or (result := self.results.pop((step, inputs), None)) is None:
            return None
        self.stats.inc_value(self.TAKEN)
        return result
