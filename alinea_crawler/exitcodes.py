"""The crawl command's exit codes, and the exception a component raises to stop a crawl before it starts."""

from __future__ import annotations

OK = 0
FAILED = 1  # the crawl ran and failed (alinea/failed is set)
USAGE = 2  # bad setting or argument, or a store it needs is unreachable: nothing fetched
SKIPPED = 3  # another crawl of the site is running: this one did not start, nothing fetched


class NotStarted(Exception):
    """Raised while the crawler is built (``from_crawler``): the crawl stops before fetching anything.

    The ``crawl`` command logs the message as one line and exits with ``exitcode``.
    """

    exitcode = USAGE
    verdict = "crawl failed"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
