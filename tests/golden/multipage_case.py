"""Golden files of articles over several pages: ``multipage/<case>/page-N.html`` + ``multipage/<case>.json``.

The spider's own callbacks read page 1, follow its pager and join the pages
(``parse_article`` → ``parse_article_page`` …), then the cleaning pipelines run:
the JSON is the one item the pages must become. ``meta.json`` names each case's
URL and source. Regenerate with ``python -m tests.golden.multipage_case``
(pages and JSON from the replica's model: review the diff).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse

from alinea_crawler import settings as project_settings
from tests.golden import cleaned_item, offline_spider

FOLDER = Path(__file__).resolve().parent / "multipage"
BASE = "https://www.alinea.id"
ALINEA_DEFAULTS = {name: getattr(project_settings, name) for name in dir(project_settings) if name.startswith("ALINEA_")}
SOURCE = {"articles": 24, "seed": 2021, "hidden_every": 0, "multipage_every": 3}


def load_meta() -> dict[str, dict[str, Any]]:
    return json.loads((FOLDER / "meta.json").read_text(encoding="utf-8"))


def page_files(case: str) -> dict[str, Path]:
    """``?page=N`` (or ``""`` for page 1, ``"all"``) -> its saved page."""
    return {"" if path.stem == "page-1" else path.stem.removeprefix("page-"): path
            for path in sorted((FOLDER / case).glob("page-*.html"))}


def item_from_pages(case: str, url: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The item the spider makes of the saved pages (no network), and the page URLs it asked for in order."""
    crawler, spider = offline_spider(url, ALINEA_DEFAULTS)
    saved = page_files(case)

    def respond(page_url: str, request: Request) -> HtmlResponse:
        number = parse_qs(urlsplit(page_url).query).get("page", [""])[0]
        html = saved[number].read_text(encoding="utf-8")
        return HtmlResponse(page_url, body=html.encode(), encoding="utf-8", request=request)

    asked: list[str] = []
    outputs = list(spider.parse_article(respond(url, Request(url, meta={"via": None})), depth=0))
    while outputs and isinstance(outputs[0], Request):
        request = outputs[0]
        asked.append(request.url)
        outputs = list(getattr(spider, request.callback.__name__)(respond(request.url, request), **request.cb_kwargs))
    return cleaned_item(crawler, outputs), asked


def regen() -> None:
    """Save the first paged v2021 and generic articles of the replica's model, and the items they become."""
    from tests.replica import listings, pages
    from tests.replica.model import build_site

    site = build_site(**SOURCE)
    meta = {}
    for layout in ("v2021", "generic"):
        article = next(a for a in site.articles if a.pages > 1 and a.layout == layout and a.template == "classic")
        case = f"{layout}-{article.pages}-pages"
        (FOLDER / case).mkdir(parents=True, exist_ok=True)
        for number in range(1, article.pages + 1):
            view, pager = listings.article_view(article, str(number), single_view=False)
            html = pages.article_page(BASE, site, view, pager=pager)
            (FOLDER / case / f"page-{number}.html").write_text(html, encoding="utf-8")
        url = BASE + article.path
        meta[case] = {"url": url, "layout": layout, "pages": article.pages,
                      "source": "tests/replica " + " ".join(f"{k}={v}" for k, v in SOURCE.items())}
        (FOLDER / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        item, _ = item_from_pages(case, url)
        (FOLDER / f"{case}.json").write_text(json.dumps(item, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                                             encoding="utf-8")


if __name__ == "__main__":
    regen()
