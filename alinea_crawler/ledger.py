"""An account of every article: discovered once, settled with one fate, balanced at close.

``ArticleLedger`` (an extension) records every same-site article the crawl
discovers — a listing card, a related list, the related-list endpoint, the
``url``/``urls_file`` argument — by article id, with the page it was first
found on (``via``), and settles each with one fate:

==================  ===========================================================
``exported``        the item was scraped (``item_scraped``)
``skipped``         not requested: already exported by an earlier run (incremental)
``unchanged``       revisited (incremental), its content hash unchanged: not exported again
``out_of_range``    outside ``since``/``until`` (a card skipped, or the item dropped)
``other_section``   not requested: not in the ``sections`` argument
``dropped``         the pipelines dropped the item (detail: ``ArticleDropped.reason``)
``failed``          the page was given up (``page_failed``, detail: the reason) or
                    its callback raised (``spider_error``)
``not_article``     the page is no article (a video, a gallery)
``filtered``        refused before download (robots.txt, the scheduler's duplicate filter)
``beyond_limit``    not reached: the crawl stopped at a ``CLOSESPIDER_*`` limit
``not_fetched``     not reached: the crawl stopped early for another reason
                    (``site_unreachable``, ``site_unavailable``, a shutdown)
==================  ===========================================================

``exported`` overrides any earlier fate; otherwise the first fate stands. At
close, whatever is still unsettled after a crawl that ran to its end is
*unaccounted*: listed by URL in the log and the report file, counted in
``alinea/articles/unaccounted``, and the quality check fails the crawl
(``alinea/failed``, exit 1). An article parked for the browser when the crawl
closed, one lost to an exception nobody caught, one never scheduled: all show
up there.

API for other components (the spider, middlewares, pipelines)::

    ledger = ArticleLedger.of(crawler)       # a ledger that records nothing if the extension is off
    ledger.discovered(article_id, url, via)  # first call per id wins …
    ledger.discovered(article_id, url, sitemap_url, sitemap=sitemap_url)  # … but a listing's via replaces a sitemap's
    ledger.via(article_id, default)          # where the article was found (its item's discovered_from)
    ledger.settle(article_id, "failed", "AMP fallback: HTTP 404", url=url)

Entries live in ``spider.state`` so a ``JOBDIR`` resume keeps the account of
the first run. An article a sitemap lists keeps that sitemap (``Entry.sitemap``);
its ``via`` stays the sitemap only while no listing or related list reached it:
"found only in the sitemap" (see ``completeness.py``). Under ``scrapy check`` (contracts run single callbacks, nothing
they discover is fetched) the ledger is off and ``of()`` records nothing. Stats: ``alinea/articles/discovered``,
``alinea/articles/<fate>``, ``alinea/articles/unaccounted``.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from . import stats as keys
from .extensions import page_failed
from .urls import article_id as id_of_url

logger = logging.getLogger(__name__)

FATES = ("exported", "skipped", "unchanged", "out_of_range", "other_section", "dropped", "failed", "not_article",
         "filtered", "beyond_limit", "not_fetched")
ARTICLE_KINDS = frozenset({"article", "render", "related_endpoint", "article_page"})  # requests whose failure loses an article
ROBOTS_REFUSAL = "Forbidden by robots.txt"


@dataclass
class Entry:
    url: str
    via: str | None
    fate: str | None = None
    detail: str = ""
    sitemap: str | None = None  # the sitemap that lists it


class ArticleLedger:
    def __init__(self, crawler: Crawler | None):
        self.crawler = crawler
        self.closing_fates: dict[str, tuple[str, str]] = {}  # unsettled at close -> (fate, detail) for this run
        self._given: Counter[str | None] | None = None  # entries by fate (None: none yet), from ``fates_so_far`` on
        self._given_of: dict[str, Entry] | None = None  # the entries ``_given`` counts (a resume replaces them)
        if crawler is None:
            return
        for handler, signal in ((self.on_item_scraped, signals.item_scraped),
                                (self.on_item_dropped, signals.item_dropped),
                                (self.on_page_failed, page_failed),
                                (self.on_spider_error, signals.spider_error),
                                (self.on_request_dropped, signals.request_dropped),
                                (self.on_spider_closed, signals.spider_closed)):
            crawler.signals.connect(handler, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleLedger:
        if os.environ.get("SCRAPY_CHECK"):  # contracts run single callbacks: what they discover is never fetched
            raise NotConfigured("no article ledger under scrapy check")
        return cls(crawler)

    @classmethod
    def of(cls, crawler: Crawler) -> ArticleLedger:
        """The crawl's ledger; one that records nothing when the extension is not enabled."""
        extensions = getattr(getattr(crawler, "extensions", None), "middlewares", ())
        return next((ext for ext in extensions if isinstance(ext, cls)), _UNRECORDED)

    @property
    def entries(self) -> dict[str, Entry]:
        if self.crawler is None:  # the ledger that records nothing
            return {}
        spider = self.crawler.spider
        return spider.__dict__.setdefault("state", {}).setdefault("ledger", {})

    # -- the API ---------------------------------------------------------------

    def discovered(self, article_id: str, url: str, via: str | None, sitemap: str | None = None) -> None:
        if self.crawler is None:
            return
        entry = self.entries.get(article_id)
        if entry is None:
            self.entries[article_id] = Entry(url, via, sitemap=sitemap)
            self.crawler.stats.inc_value(keys.ARTICLES_DISCOVERED)
            if self._given is not None:
                self._given[None] += 1
        elif sitemap:
            entry.sitemap = entry.sitemap or sitemap
        elif entry.sitemap and entry.via == entry.sitemap:  # found by navigation after all
            entry.via = via

    def via(self, article_id: str | None, default: str | None) -> str | None:
        entry = self.entries.get(article_id) if article_id else None
        return entry.via if entry is not None else default

    def settle(self, article_id: str | None, fate: str, detail: str = "", url: str | None = None) -> None:
        """Give an article its fate (an article not seen before counts as discovered now)."""
        if self.crawler is None or not article_id:
            return
        if fate not in FATES:
            raise ValueError(f"unknown article fate {fate!r}: one of {', '.join(FATES)}")
        if article_id not in self.entries:
            self.discovered(article_id, url or "", None)
        entry = self.entries[article_id]
        if entry.fate is None or (fate == "exported" and entry.fate != "exported"):
            if self._given is not None:
                self._given[entry.fate] -= 1
                self._given[fate] += 1
            entry.fate, entry.detail = fate, detail

    # -- signals ---------------------------------------------------------------

    def on_item_scraped(self, item: Any, response, spider) -> None:
        code, url = self._id_and_url(item)
        self.settle(code, "exported", url=url)

    def on_item_dropped(self, item: Any, response, exception: Exception, spider) -> None:
        reason = getattr(exception, "reason", "dropped")
        code, url = self._id_and_url(item)
        if reason in ("out_of_range", "unchanged"):  # ArticleDropped reasons that are fates of their own
            self.settle(code, reason, str(exception), url=url)
        else:
            self.settle(code, "dropped", reason, url=url)

    def on_page_failed(self, url: str, kind: str, reason: str) -> None:
        if kind in ARTICLE_KINDS:
            self.settle(id_of_url(url), "filtered" if ROBOTS_REFUSAL in reason else "failed", reason, url=url)

    def on_spider_error(self, failure, response, spider) -> None:
        if response.meta.get("kind") in ARTICLE_KINDS:
            detail = f"spider error: {failure.type.__name__}: {failure.value}"
            self.settle(id_of_url(response.url), "failed", detail, url=response.url)

    def on_request_dropped(self, request, spider) -> None:
        if request.meta.get("kind") in ARTICLE_KINDS:
            self.settle(id_of_url(request.url), "filtered", "duplicate request", url=request.url)

    def on_spider_closed(self, spider, reason: str) -> None:
        """Settle, for this run's account only, what an early stop left; count; list what is lost."""
        unsettled = {code: entry for code, entry in self.entries.items() if entry.fate is None}
        if reason.startswith("closespider_"):
            self.closing_fates = {code: ("beyond_limit", reason) for code in unsettled}
        elif reason != "finished":
            self.closing_fates = {code: ("not_fetched", f"the crawl stopped: {reason}") for code in unsettled}
        stats = self.crawler.stats
        stats.set_value(keys.ARTICLES_DISCOVERED, len(self.entries))
        for fate, count in self.fate_counts().items():
            stats.set_value(keys.ARTICLES.format(fate=fate), count)
        lost = self.unaccounted()
        stats.set_value(keys.ARTICLES_UNACCOUNTED, len(lost))
        if lost:
            lines = "\n".join(f"  {entry.url} (found on {entry.via or 'the command line'})" for entry in lost)
            logger.error("%d article(s) discovered but never exported, skipped, dropped or failed:\n%s",
                         len(lost), lines)

    # -- the account -----------------------------------------------------------

    def fate_of(self, code: str, entry: Entry) -> tuple[str | None, str]:
        return (entry.fate, entry.detail) if entry.fate else self.closing_fates.get(code, (None, ""))

    def fates_so_far(self) -> tuple[Counter[str | None], int]:
        """Articles by the fate given so far (read-only), and how many have none yet; counted as fates are
        given, not read off every entry as ``fate_counts`` and ``unaccounted`` do (a progress line a second
        would read the whole ledger every second). Entries not counted yet (a resumed crawl's) are counted once.
        """
        entries = self.entries
        if self._given is None or self._given_of is not entries:
            self._given, self._given_of = Counter(entry.fate for entry in entries.values()), entries
        return self._given, self._given[None]

    def fate_counts(self) -> Counter[str]:
        return Counter(fate for code, entry in self.entries.items() if (fate := self.fate_of(code, entry)[0]))

    def details(self, fate: str) -> Counter[str]:
        """Why articles met this fate, by reason (``HTTP 404``, ``missing_body``, …)."""
        return Counter(reason_group(detail) for code, entry in self.entries.items()
                       for got, detail in [self.fate_of(code, entry)] if got == fate)

    def unaccounted(self) -> list[Entry]:
        return [entry for code, entry in self.entries.items() if self.fate_of(code, entry)[0] is None]

    @staticmethod
    def _id_and_url(item: Any) -> tuple[str | None, str | None]:
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        return adapter.get("article_id") or (id_of_url(url) if url else None), url


def reason_group(detail: str) -> str:
    """``HTTP 500 (after 3 retries)`` and ``redirect loop: A -> B`` grouped as ``HTTP 500``, ``redirect loop``."""
    return detail.split(" (after ")[0].split(": ")[0] or "unknown"


_UNRECORDED = ArticleLedger(None)
