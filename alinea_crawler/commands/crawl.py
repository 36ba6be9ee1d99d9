"""``scrapy crawl`` that fails loudly, and early.

Stock ``scrapy crawl`` prints a traceback for a bad spider argument, notices a
bad setting only when something reads it, and exits 0 when the crawl itself
failed. This command checks every ``ALINEA_*`` setting and the spider
arguments before the crawler process exists — one line, exit 2, no banner,
nothing fetched — and ends with one line, ``crawl finished: ok`` or
``crawl failed: <reason>`` (exit 1 when the crawl recorded ``alinea/failed``).
A component that refuses to start (``exitcodes.NotStarted``, raised while the
crawler is built, before anything is fetched) ends it with its own line:
``crawl failed: <PostgreSQL unreachable…>`` (exit 2) or ``crawl skipped:
another crawl of <site> is running (…)`` (exit 3). Exit codes: ``exitcodes.py``.

Messages go through logging, so they reach stderr (stdout may be a feed:
``-o -``, JSON Lines unless a format follows: ``-o -:csv``) or, under Scrapyd,
the job's own log file (``LOG_FILE``). Scrapy's start-up lists are logged at
DEBUG. ``-h`` lists the spider arguments.

A crawl that stopped on an argument the site refutes (an unknown section:
close reason ``bad_argument``) exits 2, like any other bad argument.

Scrapyd runs every job through this command with a ``_job`` argument; such a
job is incremental unless ``ALINEA_INCREMENTAL`` is given
(``-d setting=ALINEA_INCREMENTAL=0``), or it re-extracts from WARC (``from_warc``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.log import configure_logging

from ..args import BAD_ARGUMENT, ArgumentError, describe_arguments
from ..config import SettingError, check_settings
from ..exitcodes import FAILED as EXIT_FAILED
from ..exitcodes import USAGE, NotStarted
from ..exporters import FeedError, check_appends
from ..logformatter import quiet_startup_lists
from ..stats import FAILED

logger = logging.getLogger(__name__)
STDOUT = "-"
STDOUT_FORMAT = "jsonl"  # the format of a bare -o - / -O -


class _HelpFormatter(ScrapyHelpFormatter):
    """Scrapy's help layout, with the description's lines kept (the spider arguments are a table)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "".join(indent + line for line in text.splitlines(keepends=True))


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        return "\n".join([
            "Run a spider of this project (alinea). Spider arguments of alinea (-a name=value):",
            *describe_arguments(),
            "A feed on stdout: -o - (JSON Lines) or -o -:csv. Documentation: README.md and docs/.",
        ])

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = _HelpFormatter

    def process_options(self, args, opts):
        quiet_startup_lists()
        for outputs in (opts.output, opts.overwrite_output):
            if outputs:
                outputs[:] = [f"{STDOUT}:{STDOUT_FORMAT}" if uri == STDOUT else uri for uri in outputs]
        super().process_options(args, opts)
        if len(args) != 1:
            return
        scrapyd_job = "_job" in opts.spargs and "from_warc" not in opts.spargs  # a replay leaves the state alone
        if scrapyd_job and self.settings.getpriority("ALINEA_INCREMENTAL") < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("ALINEA_INCREMENTAL", True, priority="cmdline")  # a Scrapyd job
        try:
            check_settings(self.settings)
            self.check_arguments(args[0], opts.spargs)
            check_appends(self.settings.getdict("FEEDS"))
        except (SettingError, ArgumentError, FeedError) as error:
            configure_logging(self.settings)  # stderr, or the job's LOG_FILE under Scrapyd
            logger.error("crawl failed: %s", error)
            raise UsageError("", print_help=False) from None  # exit 2, no usage text

    def check_arguments(self, spider_name: str, spargs: dict) -> None:
        try:
            spidercls = get_spider_loader(self.settings).load(spider_name)
        except KeyError:
            return  # run() reports an unknown spider
        if check := getattr(spidercls, "check_arguments", None):
            check(spargs)

    def run(self, args, opts):
        if len(args) != 1:
            return super().run(args, opts)
        crawler = self._create_crawler(args[0])
        refused: list[NotStarted] = []
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(started, asyncio.Future):
            started.add_done_callback(lambda task: _not_started(task, refused))
        else:  # a Deferred (CrawlerProcess, Twisted's own reactor)
            started.addErrback(lambda failure: refused.append(failure.value) if failure.check(NotStarted) else failure)
        self.crawler_process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        failure = stats.get(FAILED)
        if refused:
            logger.error("%s: %s", refused[0].verdict, refused[0].message)
            self.exitcode = refused[0].exitcode
        elif self.crawler_process.bootstrap_failed or failure:
            logger.error("crawl failed: %s", failure or "the crawler could not start (see above)")
            self.exitcode = USAGE if stats.get("finish_reason") == BAD_ARGUMENT else EXIT_FAILED
        else:
            logger.info("crawl finished: ok")


def _not_started(task: asyncio.Future, refused: list[NotStarted]) -> None:
    """Keep a ``NotStarted`` for the one-line verdict; log anything else as asyncio would have."""
    if task.cancelled() or (error := task.exception()) is None:
        return
    if isinstance(error, NotStarted):
        refused.append(error)
    else:
        logger.error("the crawler could not start", exc_info=error)
