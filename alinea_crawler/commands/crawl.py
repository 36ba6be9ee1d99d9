"""``scrapy crawl`` that fails loudly.

Stock ``scrapy crawl`` prints a traceback for a bad spider argument and exits 0
when the crawl itself failed (browser missing, every page errored, quality
check failed). This command checks the arguments first — one line, exit 2 —
and exits 1 when the finished crawl recorded ``alinea/failed`` in its stats.
"""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from ..args import ArgumentError
from ..stats import FAILED


class Command(ScrapyCrawlCommand):
    def run(self, args, opts):
        if len(args) != 1:
            return super().run(args, opts)
        crawler = self._create_crawler(args[0])
        check = getattr(crawler.spidercls, "check_arguments", None)
        if check:
            try:
                check(opts.spargs)
            except ArgumentError as error:
                raise UsageError(str(error), print_help=False) from None
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        failure = crawler.stats.get_value(FAILED) if crawler.stats else None
        if self.crawler_process.bootstrap_failed or failure:
            if failure:
                print(f"crawl failed: {failure}")
            self.exitcode = 1
