"""``ALINEA_REPORT_HTML`` / ``ALINEA_REPORT_CARD``: a crawl writes the report page and the dataset card of
its own export at its end.

The extension waits for ``engine_stopped``: by then every feed file is closed
(a Parquet file is readable only then) and the crawl report is complete. It
reads one of the crawl's feed files (the first of Parquet, JSON Lines, JSON,
CSV: they hold the same articles) and this crawl's report (``CrawlReport``), so
the page also shows layouts, field rungs, failures and pages fetched. Paths take
``%(name)s``, ``%(time)s`` and ``%(job_id)s`` like ``ALINEA_REPORT_FILE``;
under Scrapyd give absolute paths (jobs run in Scrapyd's working directory).

A crawl that exported nothing, or has no feed file to read, gets no report:
one line in the log says why. So does a report that cannot be written; the
crawl's own verdict stays what it was (its data is not worse for it).
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from ..extensions import CrawlReport, expand_path, feed_files
from . import write_outputs
from .inputs import FORMATS, InputError, read_rows

logger = logging.getLogger(__name__)


class DatasetReport:
    def __init__(self, crawler: Crawler, html: str | None, card: str | None):
        self.crawler = crawler
        self.html, self.card = html, card
        crawler.signals.connect(self.on_engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatasetReport:
        html, card = crawler.settings.get("ALINEA_REPORT_HTML"), crawler.settings.get("ALINEA_REPORT_CARD")
        if not html and not card:
            raise NotConfigured  # off by default: a message would be a WARNING on every crawl
        return cls(crawler, html, card)

    def on_engine_stopped(self) -> None:
        spider = self.crawler.spider
        html = expand_path(self.html, spider).resolve() if self.html else None
        card = expand_path(self.card, spider).resolve() if self.card else None
        export = self.export_file()
        if export is None:
            logger.error("dataset report not written: the crawl has no feed file to read (-O articles.jsonl, "
                         "ALINEA_EXPORT_DIR, …)")
            return
        from .data import compute  # numpy: imported by a crawl only when it writes its report

        try:
            figures = compute([(export, read_rows(export))], self.crawl_reports())
            if not figures.articles:
                logger.error("dataset report not written: no article exported (%s)", export)
                return
            write_outputs(figures, html, card)
        except (InputError, OSError) as error:
            logger.error("dataset report not written: %s", error)
            return
        for path in filter(None, (html, card)):
            logger.info("dataset report written: %s (%d articles)", path, figures.articles)

    def export_file(self) -> Path | None:
        """The crawl's feed file in the best format to read (all feeds hold the same articles)."""
        files = [Path(feed.path) for feed in feed_files(self.crawler)
                 if Path(feed.path).suffix in FORMATS and Path(feed.path).is_file()]
        return min(files, key=lambda p: FORMATS.index(p.suffix), default=None)

    def crawl_reports(self) -> list[dict]:
        """This crawl's report (``CrawlReport``), named as the file it was written to, if any."""
        report = next((ext for ext in self.crawler.extensions.middlewares if isinstance(ext, CrawlReport)), None)
        if report is None or report.result is None:
            return []
        return [{**report.result, "path": str(report.written_to or "this crawl")}]
