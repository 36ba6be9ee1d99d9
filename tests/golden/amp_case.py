"""The AMP golden case: a saved ``/amp/<section>/<slug>-<id>`` page and the item it must become.

``amp/<case>.html`` is the page, ``<case>.json`` the expected item, ``amp/meta.json`` where it came
from plus the date of the listing card that linked the article: an AMP page shows no date, so the
crawler dates the item from that card (never from nothing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, Request

from tests.golden import GOLDEN, cleaned_item, offline_spider

AMP = GOLDEN / "amp"


def load_amp_meta() -> dict[str, dict[str, Any]]:
    return json.loads((AMP / "meta.json").read_text(encoding="utf-8"))


def amp_case_paths(case: str) -> tuple[Path, Path]:
    return AMP / f"{case}.html", AMP / f"{case}.json"


def item_from_amp_html(html: str, entry: dict[str, Any]) -> dict[str, Any] | None:
    """The spider's AMP callback (as after the article page failed) and the cleaning pipelines, no network."""
    crawler, spider = offline_spider(entry["url"])
    request = Request(entry["amp_url"], meta={"via": None, "amp_for": entry["url"], "listed_date": entry["listed_date"]},
                      cb_kwargs={"depth": 0, "why": "HTTP 500 (after 3 retries)", "unread": None})
    response = HtmlResponse(entry["amp_url"], body=html.encode("utf-8"), encoding="utf-8", request=request)
    return cleaned_item(crawler, spider.parse_amp(response, **request.cb_kwargs))
