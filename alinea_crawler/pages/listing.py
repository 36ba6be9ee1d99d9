"""Listing pages: home navigation, section index, ``POST /more`` fragments, /indeks, /rss."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector

from ..urls import absolute, article_id, canonical_url, same_site
from .common import clean_text, text_of

# Single-segment site pages that are not sections.
NOT_SECTIONS = frozenset(
    {"indeks", "rss", "search", "video", "foto", "tag", "penulis", "tentang-kami", "pedoman-media-siber",
     "redaksi", "kontak", "kontak-kami", "karir", "privacy-policy", "kebijakan-privasi", "disclaimer",
     "infografis", "more", "login", "register"}
)
_SECTION_SLUG = re.compile(r"^/([a-z][a-z0-9-]*)/?$")
_INLINE_TOKEN = re.compile(r"""["']_token["']\s*:\s*["']([A-Za-z0-9]{20,})["']""")
# Listing blocks that are not part of the list itself ("popular", sidebars).
_NOT_LISTING = "ancestor::*[contains(@class, 'section-popular') or contains(@class, 'sidebar')]"
CARD_CSS = (".card-news", ".box1", "article.card", "li.news-item")


@dataclass(frozen=True)
class Card:
    url: str
    article_id: str
    title: str | None
    date_raw: str | None


def discover_sections(sel: Selector, base_url: str) -> list[str]:
    """Section slugs linked from the main navigation, in menu order."""
    for query in ("nav.main-nav a", "header nav a", "nav a"):
        sections = _section_slugs(sel.css(query).xpath("@href").getall(), base_url)
        if sections:
            return sections
    return []


def _section_slugs(hrefs: list[str], base_url: str) -> list[str]:
    slugs: list[str] = []
    for href in hrefs:
        url = absolute(base_url, href)
        match = _SECTION_SLUG.match(urlsplit(url).path) if url and same_site(url, base_url) else None
        if match and match[1] not in NOT_SECTIONS and match[1] not in slugs:
            slugs.append(match[1])
    return slugs


def extract_cards(sel: Selector, base_url: str) -> list[Card]:
    """Article cards in list order, one per article id; "popular" blocks are not results."""
    for query in CARD_CSS:
        boxes = [box for box in sel.css(query) if not box.xpath(_NOT_LISTING)]
        cards = _dedupe(filter(None, (_card(box, base_url) for box in boxes)))
        if cards:
            return cards
    # Generic rule: every article link outside the excluded blocks.
    links = [a for a in sel.xpath("//a[@href]") if not a.xpath(_NOT_LISTING)]
    return _dedupe(filter(None, (_card(a, base_url) for a in links)))


def _card(box: Selector, base_url: str) -> Card | None:
    for href in box.xpath("descendant-or-self::a/@href").getall():
        url = absolute(base_url, href)
        code = article_id(url) if url and same_site(url, base_url) else None
        if code:
            date = box.css(".card-date, .date, time")
            return Card(
                url=canonical_url(url),
                article_id=code,
                title=text_of(first_or_none(box.css(".card-title, h2, h3"))) or text_of(box),
                date_raw=clean_text(date.xpath("@datetime").get()) or text_of(first_or_none(date)),
            )
    return None


def first_or_none(found: list[Selector]) -> Selector | None:
    return found[0] if found else None


def _dedupe(cards) -> list[Card]:
    seen: set[str] = set()
    unique = []
    for card in cards:
        if card.article_id not in seen:
            seen.add(card.article_id)
            unique.append(card)
    return unique


def csrf_token(sel: Selector) -> str | None:
    """Laravel's CSRF token: the meta tag, an inline ``"_token":"…"``, or a form field."""
    return (
        sel.xpath('//meta[@name="csrf-token"]/@content').get()
        or next(iter(_INLINE_TOKEN.findall(sel.get())), None)
        or sel.xpath('//input[@name="_token"]/@value').get()
    )


def has_load_more(sel: Selector) -> bool:
    return bool(sel.css("#loadmore, [data-next], .loadmore, .load-more"))


def rss_cards(xml_text: str, base_url: str) -> list[Card]:
    """Items of an RSS 2.0 feed as cards (``pubDate`` as the raw date)."""
    sel = Selector(text=xml_text, type="xml")
    sel.remove_namespaces()
    cards = []
    for item in sel.xpath("//item"):
        url = absolute(base_url, clean_text(item.xpath("link/text()").get() or item.xpath("guid/text()").get()))
        code = article_id(url) if url and same_site(url, base_url) else None
        if code:
            cards.append(Card(canonical_url(url), code, clean_text(item.xpath("title/text()").get()),
                              clean_text(item.xpath("pubDate/text()").get())))
    return _dedupe(cards)
