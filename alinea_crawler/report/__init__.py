"""A report of a dataset: plots and tables of the exported articles and the crawl reports, and a dataset card.

``python -m alinea_crawler.report <exports…> [--crawl-report report.json …] -o report.html [--card card.md]``
(``__main__``); a crawl writes both at its end with ``ALINEA_REPORT_HTML`` / ``ALINEA_REPORT_CARD`` (``hook``).

- ``inputs``: export files and crawl reports read (one-line ``InputError`` otherwise)
- ``data``: every figure computed (pure; the numbers the tests compare)
- ``plots``, ``render``: the figures drawn with matplotlib as inline SVG, in one HTML page with their tables
- ``card``: the Hugging Face–style dataset card
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .inputs import find_exports, read_crawl_report, read_rows

if TYPE_CHECKING:
    from .data import Figures


def figures_of(exports: Iterable[str | Path], crawl_reports: Iterable[str | Path] = ()) -> Figures:
    """The figures of the articles in ``exports`` (files, folders, globs) and of the given crawl reports."""
    from .data import compute  # numpy: imported only when figures are computed, not by every crawl (hook)

    files = [(path, read_rows(path)) for path in find_exports(str(e) for e in exports)]
    return compute(files, [read_crawl_report(path) for path in crawl_reports])


def write_outputs(figures: Figures, html: Path | None, card_path: Path | None) -> None:
    """The report page and/or the dataset card, written whole (a file is replaced only once complete)."""
    if html:
        from .render import page  # matplotlib: imported only when a page is drawn
        _write(html, page(figures))
    if card_path:
        from .card import card
        _write(card_path, card(figures))


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(content, encoding="utf-8")
    partial.replace(path)
