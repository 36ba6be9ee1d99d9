"""A Scrapy extension for ``bench/memory.py --tracemalloc``: where the crawl's memory is at the end.

Enabled with ``-s EXTENSIONS={"bench.memprobe.TraceMallocProbe": 900, ...}`` and
``-s BENCH_TRACEMALLOC_FILE=<path>``; when the spider closes it writes the
biggest allocation sites still alive (by line) and the sizes of the sets that
are meant to grow, as JSON.
"""

from __future__ import annotations

import json
import sys
import tracemalloc

from scrapy import signals


def deep_size(container) -> int:
    """A set/dict with its keys and values (the ids in it are not shared with anything else)."""
    size = sys.getsizeof(container)
    members = [*container.keys(), *container.values()] if isinstance(container, dict) else container
    for value in members:
        size += deep_size(value) if isinstance(value, (set, dict)) else sys.getsizeof(value)
    return size


class TraceMallocProbe:
    def __init__(self, crawler):
        self.crawler = crawler
        self.path = crawler.settings.get("BENCH_TRACEMALLOC_FILE")
        tracemalloc.start(1)
        self.scheduler = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        self.scheduler = self.crawler.engine._slot.scheduler  # the dupefilter lives there

    def closed(self, spider, reason):
        snapshot = tracemalloc.take_snapshot()
        current, peak = tracemalloc.get_traced_memory()
        top = snapshot.statistics("lineno")[:15]
        engine = self.crawler.engine
        seen_fps = getattr(getattr(self.scheduler, "df", None), "_fingerprints", None)
        pipelines = {type(p).__name__: p for p in engine.scraper.itemproc.middlewares} if engine else {}
        dedup = pipelines.get("DeduplicatePipeline")
        sets = {
            "spider.requested_ids": (len(spider.requested_ids), deep_size(spider.requested_ids)),  # id -> depth
            "spider.listed_ids": (sum(map(len, spider.listed_ids.values())), deep_size(spider.listed_ids)),
            "DeduplicatePipeline.seen": (len(dedup.seen), deep_size(dedup.seen)) if dedup else None,
            "RFPDupeFilter._fingerprints": (len(seen_fps), deep_size(seen_fps)) if seen_fps is not None else None,
        }
        report = {
            "traced_current_mb": current / 2**20, "traced_peak_mb": peak / 2**20,
            "sets": {name: {"entries": v[0], "bytes": v[1]} if v else None for name, v in sets.items()},
            "top_lines": [{"where": f"{s.traceback[0].filename}:{s.traceback[0].lineno}",
                           "kib": s.size / 1024, "blocks": s.count} for s in top],
        }
        with open(self.path, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=1)
        tracemalloc.stop()
