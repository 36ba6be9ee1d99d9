"""Scrapy settings for alinea-crawler: polite defaults for the real site.

Every ``ALINEA_*`` setting and every default here is documented in docs/settings.md.
"""

import os

from scrapy.settings import default_settings

from . import __version__
from .items import FIELD_NAMES

BOT_NAME = "alinea_crawler"
SPIDER_MODULES = ["alinea_crawler.spiders"]
NEWSPIDER_MODULE = "alinea_crawler.spiders"
COMMANDS_MODULE = "alinea_crawler.commands"

# --- Politeness -------------------------------------------------------------
USER_AGENT = f"alinea-crawler/{__version__} (+https://github.com/alinea-crawler/alinea-crawler; news archive bot)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30
REDIRECT_MAX_TIMES = 5
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# --- Flaky servers (alinea_crawler/middlewares.py) --------------------------
# Scrapy's retry, redirect and cookie middlewares, extended: an overload (429, 503,
# Retry-After) pauses the site as long as asked, other failures retry one page after
# a short wait; truncated HTML is retried; a circuit breaker stops a dead site; a
# redirect loop is reported as one; cookies
# (the load-more sessions) survive a JOBDIR resume. Off-site links are Scrapy's
# OffsiteMiddleware's (allowed_domains), counted as offsite/filtered.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "alinea_crawler.middlewares.BackoffRetryMiddleware": 550,
    "alinea_crawler.middlewares.SiteBreakerMiddleware": 560,  # sees every attempt, retries included
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "alinea_crawler.middlewares.RedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "alinea_crawler.middlewares.PersistentCookiesMiddleware": 700,
    # WARC archive (alinea_crawler/warc/): nearest the network, so pages are kept as they came over the wire
    "alinea_crawler.warc.replay.WarcReplayMiddleware": 940,  # on with -a from_warc=…: answers instead of the network
    "alinea_crawler.warc.capture.WarcCaptureMiddleware": 950,  # on with ALINEA_WARC_DIR
}
ALINEA_RETRY_BACKOFF = 1.0  # seconds before the first retry of one failed page (500, dropped...); doubled per retry
ALINEA_RETRY_BACKOFF_MAX = 10.0  # longest wait before retrying one page
ALINEA_RETRY_AFTER_MAX = 60.0  # longest pause of the whole site for 429/503/Retry-After
ALINEA_BREAKER_WINDOW = 30  # the circuit breaker judges the last N downloads (responses and errors) ...
ALINEA_BREAKER_FAILURE_RATE = 0.8  # ... and stops the crawl (site_unavailable) when this share failed
ALINEA_UNREACHABLE_AFTER = 3  # connection failures (DNS, refused, TLS) before any answer: site_unreachable

# --- Crawl order: articles before more listing pages keeps the queue short ---
DEPTH_PRIORITY = 0
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"

# --- Cost per page and per crawl (docs/performance.md) -----------------------
# A page yields one item or a few requests, and the pipelines do not wait on anything:
# Scrapy's default of 100 starts 100 asyncio tasks for every response (~1 ms a page).
CONCURRENT_ITEMS = 4
STATS_CLASS = "alinea_crawler.stats.StatsCollector"  # Scrapy's, without a per-attribute deprecation shim
# Scrapy reads each callback's source (inspect + ast) to warn about a generator returning a value; its
# cache is keyed by bound methods that die with their request, so it re-parsed callbacks on most responses
WARN_ON_GENERATOR_RETURN_VALUE = False

# --- Items and output -------------------------------------------------------
ITEM_PIPELINES = {
    "alinea_crawler.pipelines.CleanArticlePipeline": 100,
    "alinea_crawler.pipelines.ValidateArticlePipeline": 200,
    "alinea_crawler.pipelines.DeduplicatePipeline": 300,
    "alinea_crawler.pipelines.ContentHashPipeline": 400,  # content_hash, revision 1
    "alinea_crawler.incremental.RevisionPipeline": 500,  # incremental runs: revision + 1 if edited, else not exported
    "alinea_crawler.database.DatabasePipeline": 900,  # ALINEA_DATABASE_URL: last, sees only what is exported
}
FEED_EXPORT_FIELDS = FIELD_NAMES
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    "csv": "alinea_crawler.exporters.ArticleCsvItemExporter",
    # one write and flush per line: the file stays valid to its last line even after a kill
    "jsonlines": "alinea_crawler.exporters.FlushingJsonLinesItemExporter",
    "jsonl": "alinea_crawler.exporters.FlushingJsonLinesItemExporter",
    "parquet": "alinea_crawler.exporters.ParquetItemExporter",  # -O articles.parquet
}
FEED_STORAGES = {"stdout": "alinea_crawler.exporters.StdoutFeedStorage"}  # -o -: stops cleanly when the reader goes
# Scrapy's extensions but two, not even imported (Scrapy imports every listed one, None or off included):
# the remote control would import aiohttp (~0.2 s a crawl) and listen on a local port; the telnet
# console is off (TELNETCONSOLE_ENABLED below).
EXTENSIONS_BASE = {name: order for name, order in default_settings.EXTENSIONS_BASE.items()
                   if name.rsplit(".", 1)[1] not in ("RemoteControl", "TelnetConsole")}
EXTENSIONS = {
    "alinea_crawler.config.SettingsCheck": 0,  # every ALINEA_* setting checked before the crawl opens
    "alinea_crawler.lock.CrawlLock": 10,  # one crawl of the site at a time, taken before anything is fetched
    "alinea_crawler.ledger.ArticleLedger": 300,  # balanced before the quality check reads it
    "alinea_crawler.monitors.QualityCheck": 400,  # Spidermon; quality check first: the report includes its verdict
    "alinea_crawler.drift.LayoutDriftAlarm": 450,  # before the report: its warning is in the report's stats
    "alinea_crawler.extensions.CrawlReport": 500,
    # one progress line per LOGSTATS_INTERVAL from the ledger, in place of Scrapy's "Crawled N pages" line;
    # after the ledger (its final line is the final account), before the summary
    "scrapy.extensions.logstats.LogStats": None,
    "alinea_crawler.progress.ProgressLog": 460,
    "alinea_crawler.report.hook.DatasetReport": 600,  # ALINEA_REPORT_HTML / ALINEA_REPORT_CARD at the end
}
LOG_FORMATTER = "alinea_crawler.logformatter.OneLineLogFormatter"
LOG_LEVEL = "INFO"
STATS_DUMP = False  # the end-of-crawl summary replaces Scrapy's stats dump (full stats: DEBUG, ALINEA_REPORT_FILE)

# --- alinea-crawler's own settings ------------------------------------------
ALINEA_MORE_STEP = 10  # the "next" offset step of POST /more
# Browser executable (or the environment variable of the same name); unset: Playwright's own Chromium
# when `playwright install` has put one there, else the system's (Debian package `chromium`).
ALINEA_BROWSER_PATH = os.environ.get("ALINEA_BROWSER_PATH")
ALINEA_RENDER_WAIT_MS = 5000  # longest wait for a JavaScript-filled list to fill
ALINEA_ENDPOINT_MAX_FAILURES = 3  # learnt endpoint failures in a row before going back to the browser
# Rendered pages in a row whose "Berita Lainnya" stays empty (no endpoint learnt) before rendering stops; 0 = no limit
ALINEA_RENDER_BUDGET = 3
# Sitemaps (robots.txt Sitemap: lines, else /sitemap.xml) as a way to find articles; refusals: docs/navigation.md
ALINEA_SITEMAPS = True
ALINEA_SITEMAP_MAX_URLS = 50_000  # entries read from one sitemap (the protocol's own limit); the rest is refused
ALINEA_SITEMAP_MAX_DEPTH = 3  # sitemap indexes nested deeper are refused
ALINEA_ARTICLE_MAX_PAGES = 20  # an article's own pages followed and joined; one with more is dropped, not cut
ALINEA_REPORT_FILE = None  # e.g. "/data/alinea/report-%(time)s.json": failures + stats as JSON
ALINEA_REPORT_HTML = None  # e.g. "/data/alinea/report-%(job_id)s.html": the dataset report page at the end
ALINEA_REPORT_CARD = None  # e.g. "/data/alinea/card-%(job_id)s.md": the dataset card at the end

# --- Quality check at close (Spidermon, alinea_crawler/monitors.py) ----------
# A failed check sets alinea/failed to a one-paragraph summary: `scrapy crawl` exits 1.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["alinea_crawler.monitors.QualitySuite"]
SPIDERMON_ADD_FIELD_COVERAGE = True  # spidermon_field_coverage/ArticleItem/<field> stats
SPIDERMON_FIELD_COVERAGE_SKIP_NONE = True  # None and [] count as missing
ALINEA_MIN_ITEMS = 1  # fewer exported articles fail the crawl
ALINEA_MIN_COVERAGE = {"title": 1.0, "body": 1.0, "published_at": 1.0, "authors": 0.8}  # of exported articles
ALINEA_MAX_ERROR_RATE = 0.1  # pages given up / pages fetched or given up
ALINEA_MAX_DROP_RATE = 0.1  # articles dropped as broken (no title, body or date) / articles read
ALINEA_COVERAGE_MIN_ITEMS = 20  # field coverage is judged only from this many exported articles on
ALINEA_MAX_GENERIC_SHARE = 0.2  # warn (layout drift) when more articles' bodies came from the generic rung

# --- Incremental runs and per-job exports (Scrapyd) --------------------------
# Scrapyd runs spiders in its own working directory: give these absolute paths.
ALINEA_INCREMENTAL = False  # skip articles earlier runs exported; on by default for a Scrapyd job (it has _job)
# Where the state of exported articles lives: a SQLite file path, or postgresql://… shared by several nodes
# (password from the URL, PGPASSWORD, ~/.pgpass or a service file; shown as ***). Empty: ALINEA_STATE_PATH.
ALINEA_STATE_URL = os.environ.get("ALINEA_STATE_URL", "")
ALINEA_STATE_PATH = "~/.local/share/alinea-crawler/state.sqlite3"  # the older name: used when ALINEA_STATE_URL is empty
ALINEA_REVISIT_DAYS = 2  # incremental runs fetch articles published this recently again, to catch edits
ALINEA_EXPORT_DIR = ""  # e.g. "/data/alinea/exports": also write alinea-<job id>.csv and .jsonl there
SPIDER_MIDDLEWARES = {
    "alinea_crawler.incremental.IncrementalMiddleware": 950,  # off unless ALINEA_INCREMENTAL
    "alinea_crawler.sections.SectionCheckMiddleware": 40,  # -a sections=… against the site (before HttpError, 50)
}
ADDONS = {"alinea_crawler.addons.ExportDirAddon": 0}  # adds the ALINEA_EXPORT_DIR feeds to FEEDS

# --- Several nodes: the dataset in PostgreSQL (alinea_crawler/database.py, lock.py) ---
ALINEA_DATABASE_URL = os.environ.get("ALINEA_DATABASE_URL", "")  # postgresql://…: articles + article_revisions tables
ALINEA_DATABASE_BATCH = 100  # articles per committed write

# --- WARC archive (alinea_crawler/warc/) ------------------------------------
ALINEA_WARC_DIR = ""  # e.g. "/data/alinea/warc": every page fetched goes to alinea-<job id>-NNNNN.warc.gz there
ALINEA_WARC_MAX_BYTES = 1_000_000_000  # a WARC file this big is closed and the next one opened
ALINEA_REPLAY_PROCESSES = 0  # -a from_warc: workers reading article pages and load-more answers; 0 = one per core

# --- Browser (scrapy-playwright; the handler is installed only when render != never) ---
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_ABORT_REQUEST = "alinea_crawler.rendering.skip_heavy_resources"
PLAYWRIGHT_BROWSER_PROVIDER = "alinea_crawler.browser_priority.BackgroundBrowserProvider"  # below the crawl's CPU priority

# `scrapy check alinea`: the callbacks' contracts, their @url re-based on the spider's base_url
SPIDER_CONTRACTS = {
    "scrapy.contracts.default.UrlContract": None,
    "alinea_crawler.contracts.SiteUrlContract": 1,
}

TELNETCONSOLE_ENABLED = False
