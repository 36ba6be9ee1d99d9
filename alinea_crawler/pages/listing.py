"""Listing pages: home navigation, section index, ``POST /more`` fragments, /indeks, /rss."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from ..urls import absolute, article_id, canonical_url, same_site
from .common import clean_text, elements, node_text, text_of, wrap

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
        boxes = [box for box in _selected(sel, query) if not elements(box, _NOT_LISTING, css=False)]
        cards = _dedupe(filter(None, (_card(box, base_url) for box in boxes)))
        if cards:
            return cards
    # Generic rule: every article link outside the excluded blocks.
    links = [a for a in _selected(sel, "//a[@href]", css=False) if not elements(a, _NOT_LISTING, css=False)]
    return _dedupe(filter(None, (_card(a, base_url) for a in links)))


def _selected(sel: Selector, query: str, css: bool = True) -> list[Selector]:
    """``sel.css(query)`` (``sel.xpath(query)`` with ``css=False``) through ``elements``' compiled queries (parsel
    compiles each query on each call: most of a load-more answer's cost)."""
    return [wrap(sel, node) for node in elements(sel, query, css)]


def _card(box: Selector, base_url: str) -> Card | None:
    for href in elements(box, "descendant-or-self::a/@href", css=False):
        url = absolute(base_url, href)
        code = article_id(url) if url and same_site(url, base_url) else None
        if code:
            dates = elements(box, ".card-date, .date, time")
            titles = elements(box, ".card-title, h2, h3")
            # the first datetime attribute of the dates, else the first date's text
            stamp = next((value for date in dates if (value := date.get("datetime")) is not None), None)
            return Card(
                url=canonical_url(url),
                article_id=code,
                title=(node_text(titles[0]) if titles else None) or text_of(box),
                date_raw=clean_text(stamp) or (node_text(dates[0]) if dates else None),
            )
    return None


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


# Keys of a JSON article object, most telling first.
_URL_KEYS = ("url", "link", "href", "permalink", "canonical_url", "share_url", "path", "slug_url")
_TITLE_KEYS = ("title", "judul", "headline", "name")
_DATE_KEYS = ("published_at", "date_published", "datePublished", "publish_date", "published", "pubDate", "date",
              "tanggal", "created_at", "updated_at")
_MAX_JSON_DEPTH = 32


@dataclass(frozen=True)
class ListingAnswer:
    cards: list[Card]
    shape: str  # html, json_html (cards' HTML inside JSON), json_objects (article objects), json, text


def listing_answer(text: str, base_url: str) -> ListingAnswer:
    """The article cards in a listing or load-more answer, whatever its shape.

    An HTML page or fragment is read as any listing; JSON is walked: strings holding
    HTML are read as fragments, objects with an article URL are cards (their title and
    date keys), and an article URL anywhere is a card. Never raises on any input.
    """
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError):  # not JSON after all, or nested past the parser's depth
            data = None
        if data is not None:
            return _json_answer(data, base_url)
    if not stripped:
        return ListingAnswer([], "text")
    return ListingAnswer(extract_cards(Selector(text=text, type="html"), base_url), "html")


def _json_answer(data: Any, base_url: str) -> ListingAnswer:
    from_html: list[Card] = []
    from_objects: list[Card] = []
    for kind, card in _json_cards(data, base_url, 0):
        (from_html if kind == "html" else from_objects).append(card)
    cards = _dedupe([*from_objects, *from_html])
    shape = "json_objects" if from_objects else "json_html" if from_html else "json"
    return ListingAnswer(cards, shape)


def _json_cards(data: Any, base_url: str, depth: int) -> Iterator[tuple[str, Card]]:
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(data, dict):
        card = _object_card(data, base_url)
        if card:
            yield "object", card
        for key, value in data.items():
            if card is None or key not in _URL_KEYS:
                yield from _json_cards(value, base_url, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _json_cards(value, base_url, depth + 1)
    elif isinstance(data, str) and "<" in data and "href" in data:
        for card in extract_cards(Selector(text=data, type="html"), base_url):
            yield "html", card
    elif isinstance(data, str) and (card := _url_card(data, base_url, None, None)):
        yield "object", card


def _object_card(data: dict, base_url: str) -> Card | None:
    """An article object: an article URL under a URL key, its title and date when given."""
    title = next((clean_text(v) for k in _TITLE_KEYS if isinstance(v := data.get(k), str)), None)
    date = next((clean_text(str(v)) for k in _DATE_KEYS if isinstance(v := data.get(k), (str, int)) and v), None)
    for key in _URL_KEYS:
        value = data.get(key)
        if isinstance(value, str) and (card := _url_card(value, base_url, title, date)):
            return card
    return None


def _url_card(value: str, base_url: str, title: str | None, date: str | None) -> Card | None:
    if not value.startswith(("http://", "https://", "/")) or any(c.isspace() for c in value.strip()):
        return None
    url = absolute(base_url, value)
    code = article_id(url) if url and same_site(url, base_url) else None
    return Card(canonical_url(url), code, title, date) if code else None
