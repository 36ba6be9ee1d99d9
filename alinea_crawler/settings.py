"""Scrapy settings for alinea-crawler: polite defaults for the real site.

Every ``ALINEA_*`` setting and every default here is documented in README.md.
"""

from .items import FIELD_NAMES

BOT_NAME = "alinea_crawler"
SPIDER_MODULES = ["alinea_crawler.spiders"]
NEWSPIDER_MODULE = "alinea_crawler.spiders"
COMMANDS_MODULE = "alinea_crawler.commands"

# --- Politeness -------------------------------------------------------------
USER_AGENT = "alinea-crawler/1.0 (+https://github.com/alinea-crawler/alinea-crawler; news archive bot)"
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

# --- Crawl order: articles before more listing pages keeps the queue short ---
DEPTH_PRIORITY = 0
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"

# --- Items and output -------------------------------------------------------
ITEM_PIPELINES = {
    "alinea_crawler.pipelines.CleanArticlePipeline": 100,
    "alinea_crawler.pipelines.ValidateArticlePipeline": 200,
    "alinea_crawler.pipelines.DeduplicatePipeline": 300,
}
FEED_EXPORT_FIELDS = FIELD_NAMES
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {"csv": "alinea_crawler.exporters.ArticleCsvItemExporter"}
EXTENSIONS = {"alinea_crawler.extensions.CrawlReport": 500}
LOG_FORMATTER = "alinea_crawler.logformatter.OneLineLogFormatter"
LOG_LEVEL = "INFO"

# --- alinea-crawler's own settings ------------------------------------------
ALINEA_MORE_STEP = 10  # the "next" offset step of POST /more
ALINEA_REPORT_FILE = None  # e.g. "/data/alinea/report-%(time)s.json": failures + stats as JSON

TELNETCONSOLE_ENABLED = False
