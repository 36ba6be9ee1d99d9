"""Scrapy add-ons of alinea-crawler (enabled in ``ADDONS``)."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy.settings import Settings

logger = logging.getLogger(__name__)

EXPORT_FORMATS = {"csv": "csv", "jsonl": "jsonlines"}  # file extension: feed format


def export_feeds(export_dir: str) -> dict[str, dict[str, object]]:
    """One feed per format: ``<dir>/alinea-%(job_id)s.<ext>`` (``%(job_id)s``: the spider's ``job_id``)."""
    folder = str(Path(export_dir).expanduser().resolve()).replace("%", "%%")
    return {
        f"{folder}/alinea-%(job_id)s.{ext}": {"format": fmt, "overwrite": False, "store_empty": True}
        for ext, fmt in EXPORT_FORMATS.items()
    }


class ExportDirAddon:
    """``ALINEA_EXPORT_DIR``: each run also writes its items to a CSV and a JSON-lines file named by job.

    The files are ordinary FEEDS entries, added next to any configured feed
    (``-O``, project ``FEEDS`` or Scrapyd's ``items_dir``). A relative or
    ``~`` directory is made absolute first: Scrapyd runs spiders in its own
    working directory.
    """

    def update_settings(self, settings: Settings) -> None:
        export_dir = settings.get("ALINEA_EXPORT_DIR")
        if not export_dir:
            return
        exports = export_feeds(export_dir)
        # Same priority as the FEEDS in force (e.g. "cmdline" for -O): added to them, never replacing them.
        settings.set("FEEDS", {**settings.getdict("FEEDS"), **exports}, priority=settings.getpriority("FEEDS") or 0)
        logger.info("per-job exports: %s", ", ".join(exports))
