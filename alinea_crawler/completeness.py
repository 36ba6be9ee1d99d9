"""Completeness said out loud: what the site's own lists say, against what the crawl reached.

The spider keeps one ``ListingRecord`` (``spider.listings``): the sections it
found (and how), the cards each listing gave, and every listing that stopped
paging early (``max_pages``, ``since``, no CSRF token, a page that failed or
answered in a shape without links). At close, ``account(listings, ledger)``
compares it with the article ledger:

* articles a sitemap lists, within the crawl's range, that no listing reached
  (the ledger's ``discovered_from`` is still the sitemap);
* sections of the site's navigation that gave no article card;
* listings that stopped before their end, with the reason.

The crawl summary and the JSON report (``ALINEA_REPORT_FILE``) show it; stats
``alinea/completeness/…``. Natural ends (an empty page, cards repeated, the
incremental early stop on a page of known articles) are not early stops.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import stats as keys

OUT_OF_SCOPE = frozenset({"out_of_range", "other_section"})  # a sitemap article the crawl was not asked for
SHOWN = 5  # URLs shown per line in the summary (all of them are in the report file)


@dataclass
class ListingRecord:
    sections: dict[str, str] = field(default_factory=dict)  # section -> how it was found
    cards: Counter[str] = field(default_factory=Counter)  # listing -> article cards it gave
    stopped: list[dict[str, str]] = field(default_factory=list)  # {"listing", "url", "reason"}

    def section_found(self, section: str, found_by: str) -> None:
        self.sections.setdefault(section, found_by)

    def cards_read(self, listing: str, count: int) -> None:
        self.cards[listing] += count

    def stopped_early(self, listing: str, url: str, reason: str) -> None:
        self.stopped.append({"listing": listing or "home", "url": url, "reason": reason})


def account(listings: ListingRecord | None, ledger) -> dict[str, Any]:
    """The comparison, as the report file holds it."""
    sitemap_only = [{"url": entry.url, "sitemap": entry.sitemap, "fate": fate or "unaccounted"}
                    for code, entry in ledger.entries.items()
                    if entry.sitemap and entry.via == entry.sitemap
                    and (fate := ledger.fate_of(code, entry)[0]) not in OUT_OF_SCOPE]
    listed_in_sitemaps = sum(1 for entry in ledger.entries.values() if entry.sitemap)
    listings = listings or ListingRecord()
    empty_sections = [section for section, how in listings.sections.items()
                      if how == "navigation" and not listings.cards[section]]
    return {
        "sitemap_articles": listed_in_sitemaps,
        "sitemap_only": sitemap_only,
        "sections_without_articles": empty_sections,
        "listings_stopped_early": listings.stopped,
    }


def record_stats(stats, found: dict[str, Any]) -> None:
    stats.set_value(keys.COMPLETENESS.format(what="sitemap_only"), len(found["sitemap_only"]))
    stats.set_value(keys.COMPLETENESS.format(what="sections_without_articles"), len(found["sections_without_articles"]))
    stats.set_value(keys.COMPLETENESS.format(what="listings_stopped_early"), len(found["listings_stopped_early"]))


def summary_lines(found: dict[str, Any]) -> list[str]:
    """The summary's completeness lines; none when the site's lists and the crawl agree."""
    lines = []
    if found["sitemap_articles"]:
        only = found["sitemap_only"]
        lines.append(f"  in sitemaps          {found['sitemap_articles']} articles, {len(only)} reached by no listing"
                     + (f": {_some(item['url'] for item in only)}" if only else ""))
    if found["sections_without_articles"]:
        lines.append(f"  empty sections       {len(found['sections_without_articles'])} in the navigation gave no "
                     f"article: {_some(found['sections_without_articles'])}")
    stops = found["listings_stopped_early"]
    if stops:
        reasons = Counter(stop["reason"] for stop in stops)
        lines.append(f"  listings cut short   {len(stops)} ("
                     + ", ".join(f"{reason} {n}" for reason, n in reasons.most_common()) + ")")
    return lines


def _some(values) -> str:
    values = list(values)
    return ", ".join(values[:SHOWN]) + (f" … (+{len(values) - SHOWN}, see the report file)" if len(values) > SHOWN else "")
