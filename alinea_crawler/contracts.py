"""Spider contracts (``scrapy check alinea``): a one-command smoke test of the live site's markup.

The contracts in the spider's callback docstrings name real alinea.id URLs.
``@url`` is re-based on the spider's ``base_url``, so the same contracts check
the live site (``scrapy check alinea``) or a copy of it
(``scrapy check alinea -a base_url=http://127.0.0.1:8700``: the tests' replica).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.contracts.default import UrlContract


class SiteUrlContract(UrlContract):
    """``@url https://www.alinea.id/<path>``: that path on the site the spider crawls."""

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        spider = args["callback"].__self__  # the bound callback under test
        parts = urlsplit(self.args[0])
        args["url"] = spider.base_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return args
