"""Every ``alinea/…`` stats key, in one place (variable part last, like Scrapy's); the stats collector."""

from functools import lru_cache

from scrapy.statscollectors import MemoryStatsCollector

DROPPED = "alinea/dropped/{reason}"  # missing_title, missing_body, missing_published, not_article, duplicate, out_of_range
FIELD_MISSING = "alinea/field_missing/{field}"
BOILERPLATE = "alinea/boilerplate/{rule}"
LAYOUT = "alinea/layout/{layout}"
FIELD_SOURCE = "alinea/field_source/{field}/{rung}"  # which rung of the ladder gave the field: ld, meta, layout, generic
FIELD_ERROR = "alinea/field_error/{field}"  # reading the field raised: left empty, the rest of the item kept
DRIFT_GENERIC_SHARE = "alinea/drift/generic_share"  # share of articles whose body came from the generic rung
DRIFT_WARNING = "alinea/drift/warning"  # set to the warning when that share is above ALINEA_MAX_GENERIC_SHARE
DATE_UNPARSED = "alinea/date/unparsed"
MORE_EXHAUSTED = "alinea/more/exhausted"
SKIPPED_BEFORE_SINCE = "alinea/skipped/before_since"  # listing cards dated before since: not requested
MORE_STOPPED = "alinea/more/stopped/{reason}"  # max_pages, since, no_token, repeated
PAGING = "alinea/paging/{what}"  # followed, exhausted, stopped/<reason>: a listing's numbered or rel=next pages
LISTING_ANSWER = "alinea/listing/answer/{shape}"  # html, json_html, json_objects, json, text: what listings answered
LISTING_NO_LINKS = "alinea/listing/no_links/{shape}"  # an answer of a shape that never gave a card: no links read
SITEMAP = "alinea/sitemap/{what}"  # robots, fetched, index, articles, not_article, out_of_range, absent, refused/<reason>, ...
MULTIPAGE = "alinea/article/multipage"  # articles joined from their own several pages (or single-page view)
ARTICLE_PAGES = "alinea/article/{what}"  # pages_joined, single_view, partial_dropped
COMPLETENESS = "alinea/completeness/{what}"  # sitemap_only, sections_without_articles, listings_stopped_early
REQUEST_ERROR = "alinea/request_error/{kind}"
ARTICLE_REQUESTED = "alinea/articles/requested"
ARTICLE_SEEN_AGAIN = "alinea/articles/seen_again"
ARTICLES_DISCOVERED = "alinea/articles/discovered"  # the ledger (alinea_crawler/ledger.py): every article found
ARTICLES = "alinea/articles/{fate}"  # exported, skipped, out_of_range, other_section, dropped, failed, ...
ARTICLES_UNACCOUNTED = "alinea/articles/unaccounted"  # discovered, no fate at close: the crawl fails
SITE_DOWN = "alinea/site/{what}"  # unreachable, unavailable: the circuit breaker stopped the crawl
RELATED_FOUND = "alinea/related/found/{path}"  # static, rendered, endpoint
RENDER = "alinea/render/{what}"  # browser_started, browser_stopped, browser_foreground, pages, endpoint_learned, endpoint_used, skipped_budget, …
AMP = "alinea/amp/{what}"  # fallback (article read from its AMP page), failed (AMP page failed too)
SECTIONS = "alinea/sections/{how}"  # found_by_navigation, found_by_article_url, without_index
INCREMENTAL = "alinea/incremental/{what}"  # skipped, listing_stopped, revisited, revised, unchanged, recorded, state_lost
DATABASE = "alinea/database/{what}"  # rows, batches (committed), unwritten (PostgreSQL lost: not in the database)
LOCK = "alinea/lock/{what}"  # acquired (1 when this crawl holds the site's crawl lock)
REJECTED = "alinea/rejected/{reason}"  # truncated_html, redirect_loop, too_many_redirects
SLOWED_DOWN = "alinea/retry/slowed_down"  # the site paused for an overload signal (429, 503, Retry-After)
PAUSED_SECONDS = "alinea/retry/paused_seconds"  # total seconds of those pauses
# pages, rendered, bytes, files (capture); replayed, missing, archive_records, truncated_files, read_by_workers (from_warc)
WARC = "alinea/warc/{what}"
FEED_CUT = "alinea/feed_cut/{feed}"  # stdout: articles written before the reader closed the pipe
FAILURES = "alinea/failures"  # pages listed in the crawl report (requests given up, articles dropped as broken)
FAILED = "alinea/failed"  # set to a reason: the crawl command then exits non-zero


def inc_counts(stats, template: str, counts: dict[str, int], key: str = "rule") -> None:
    """Add a Counter to stats, one key per entry of ``counts``."""
    for name, count in counts.items():
        stats.inc_value(stat_key(template, **{key: name}), count)


def count_extraction(stats, page) -> None:
    """Layout, rung per field, field errors and boilerplate removed, for one extracted article page."""
    inc = stats.inc_value
    inc(stat_key(LAYOUT, layout=page.layout))
    for field, rung in page.field_sources.items():
        inc(stat_key(FIELD_SOURCE, field=field, rung=rung))
    for field in page.field_errors:
        inc(stat_key(FIELD_ERROR, field=field))
    inc_counts(stats, BOILERPLATE, page.boilerplate_removed)


@lru_cache(maxsize=1024)  # formatting costs more than the look-up, and pages fill in the same few names
def stat_key(template: str, **parts: str) -> str:
    """``template`` with its parts filled in: ``stat_key(LAYOUT, layout="v3")``."""
    return template.format(**parts)


class StatsCollector(MemoryStatsCollector):
    """Scrapy's in-memory stats without its per-attribute deprecation shim (``STATS_CLASS``).

    Scrapy 2.19's ``StatsCollector.__getattribute__`` runs on every attribute read (``self._stats``
    inside ``inc_value`` included: an f-string and a caught AttributeError each time), to warn
    about a deprecated ``spider`` argument. A crawl calls ``inc_value`` a few dozen times per page;
    the shim was about 3% of a crawl's CPU time (``bench/profile.py``). Behaviour is otherwise
    Scrapy's own.
    """

    __getattribute__ = object.__getattribute__
