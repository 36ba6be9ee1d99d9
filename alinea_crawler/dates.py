"""Dates read out of any text -> timezone-aware datetimes.

``find_datetime`` finds the first (leftmost) complete date in a string such as a
byline ("Nadia Lutfiana Mawarni Jumat, 31 Des 2021 13:15 WIB") or a few hundred
characters of page text; ``parse_id_datetime`` is the same for a field that should
hold just a date.

Written by hand with compiled regexes rather than with dateparser: ~100x faster
than its ``parse`` and ~3000x faster than its ``search_dates`` (bench/dates.py;
this runs on every byline and on text near every headline), and it never
guesses an offset. A date carries the offset it states (WIB/WITA/WIT,
``+07:00``, ``GMT+7``, ``Z`` ...); a date with no zone gets the caller's
``default_zone`` (WIB: a zone-less date on an alinea page is WIB); a date with a
zone we do not know (``CET``) is no date at all. dateparser 1.5 gives a zone-less date
+00:00 (``RETURN_AS_TIMEZONE_AWARE``), cannot read the seed's whole byline, and
finds dates in "5×24 jam" and "12/2021".

Deliberate refusals (no date rather than a guess): 2-digit years (``31/12/21``)
and years outside 1900-2099; month-first numbers (``12/31/2021`` is invalid,
``01/02/2021`` is 1 February); impossible days or times (``31 Februari``,
``25:00``: the whole candidate is rejected, not read as a day without a time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache

ZONES = {
    "wib": timezone(timedelta(hours=7)),
    "wita": timezone(timedelta(hours=8)),
    "wit": timezone(timedelta(hours=9)),
    "utc": timezone.utc,
    "gmt": timezone.utc,
    "z": timezone.utc,
}
DEFAULT_ZONE = ZONES["wib"]

MONTHS = {
    **dict.fromkeys(["januari", "jan", "january"], 1),
    **dict.fromkeys(["februari", "feb", "pebruari", "peb", "february"], 2),
    **dict.fromkeys(["maret", "mar", "march"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["juni", "jun", "june"], 6),
    **dict.fromkeys(["juli", "jul", "july"], 7),
    **dict.fromkeys(["agustus", "agu", "agt", "ags", "agus", "august", "aug"], 8),
    **dict.fromkeys(["september", "sep", "sept"], 9),
    **dict.fromkeys(["oktober", "okt", "october", "oct"], 10),
    **dict.fromkeys(["november", "nov", "nop", "nopember"], 11),
    **dict.fromkeys(["desember", "des", "december", "dec"], 12),
}
DAYS = (
    "senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "jum’at", "sabtu", "minggu", "ahad",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
)


def _alternation(words) -> str:
    """Longest first, so "Desember" wins over "Des" and "Jum'at" over "Jum"."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_MONTH = rf"(?:{_alternation(MONTHS)})\b\.?"
_YEAR = r"(?:19|20)\d\d(?!\d)"  # 4 digits only: "21" could be any century
_NUM = r"(?<![\w./:-])"  # a number that is not the tail of a longer number, version, or word
_DAY_NUM = rf"{_NUM}\d{{1,2}}(?:st|nd|rd|th)?"
# The date proper; each form has its own group names because Python forbids repeats.
_DATE = (
    # 31 Des 2021, 31 Desember 2021, 31 Des. 2021, 31 December 2021
    rf"(?P<d1>{_DAY_NUM})\s+(?P<mon1>{_MONTH})\s*(?P<y1>{_YEAR})"
    # December 31, 2021, Dec 31 2021
    rf"|\b(?P<mon2>{_MONTH})\s+(?P<d2>{_DAY_NUM}),?\s+(?P<y2>{_YEAR})"
    # 2021-12-31, 2021/12/31 (the same separator twice)
    rf"|{_NUM}(?P<y3>{_YEAR})(?P<s3>[-/])(?P<m3>\d{{1,2}})(?P=s3)(?P<d3>\d{{1,2}})(?!\d)"
    # 31/12/2021, 31-12-2021, 31.12.2021: day first, always
    rf"|{_NUM}(?P<d4>\d{{1,2}})(?P<s4>[-/.])(?P<m4>\d{{1,2}})(?P=s4)(?P<y4>{_YEAR})"
)
# Between date and time: ISO's T, white space, a punctuation mark, a word ("pukul", "at").
_TIME_SEP = r"(?:t|\s*[,|/\u2022\u00b7\u2013\u2014-]\s*|\s+)(?:(?:pukul|jam|at|pk\.?)\s*)?"
_TIME = (
    r"(?P<H>\d{1,2})[:.](?P<M>\d\d)(?:[:.](?P<S>\d\d)(?:\.(?P<frac>\d{1,6}))?)?(?!\d)"
    r"(?:\s*(?P<ampm>[ap])\.?m\b\.?)?"
)
_ZONE = (
    r"(?:\s*(?P<zone>wita|wib|wit|utc|gmt)(?P<zone_off>[+-]\d{1,2}(?::?\d\d)?)?(?![a-z])"
    r"|(?P<zulu>z)(?![a-z])"
    r"|\s?(?P<off>[+-]\d\d:?\d\d)(?!\d))"
)
# The patterns are lower case and read a lowered copy of the text (case-blind
# alternations are 2x slower); the copy has the same length, so spans index the text.
_ABSOLUTE = re.compile(rf"(?:{_DATE})(?:{_TIME_SEP}{_TIME}{_ZONE}?)?")
# Any other zone abbreviation after a time (CET, EST, CEST, JST), read in the
# original text: its offset would be a guess, so the date is no date.
_UNKNOWN_ZONE = re.compile(r"\s*[A-Z]{2,4}T(?![A-Za-z])")
# Only the few characters before a date are searched for its day name.
_DAY_BEFORE = re.compile(rf"(?<![\w'’])(?:{_alternation(DAYS)})\.?(?:,\s*|\s+)\Z")
_DAY_REACH = 16
_YEARS = re.compile(_YEAR)
_LEAD = 30  # the most a date puts before its year: "September 31st, " with room for spaces
_ISO_TAIL = 6  # "-12-31" after an ISO year

# "2 jam lalu", "5 menit yang lalu", "kemarin", "baru saja"
_RELATIVE = re.compile(
    r"\b(?:(?P<n>\d+)\s+(?P<unit>detik|menit|jam|hari|minggu)\s+(?:yang\s+)?lalu"
    r"|(?P<word>baru\s+saja|sekarang|kemarin))\b"
)
_RELATIVE_WORDS = ("lalu", "saja", "sekarang", "kemarin")
_UNITS = {"detik": "seconds", "menit": "minutes", "jam": "hours", "hari": "days", "minggu": "weeks"}


@dataclass(frozen=True)
class DateMatch:
    value: datetime  # always aware
    raw: str  # the exact substring of the text that was read


def find_datetime(
    text: str | None, now: datetime | None = None, default_zone: tzinfo = DEFAULT_ZONE,
) -> DateMatch | None:
    """The first complete date in ``text``; ``None`` when there is none.

    A date without a zone is in ``default_zone``; a date without a time is
    that day at 00:00. Relative forms ("2 jam lalu", "kemarin") are read only
    when ``now`` (aware) is given, and are then ``now`` minus the interval.
    """
    if not text:
        return None
    lowered = _lower(text)
    absolute = _find_absolute(text, lowered, default_zone)
    relative = _find_relative(text, lowered, now) if now is not None else None
    if absolute and relative:  # the leftmost; the absolute one where both start at the same place
        return min(absolute, relative, key=lambda candidate: candidate[0])[1]
    found = absolute or relative
    return found[1] if found else None


def parse_id_datetime(raw: str | None, now: datetime | None = None) -> datetime | None:
    """A date field ("Jumat, 31 Des 2021 13:15 WIB", ISO, RFC 822, "2 jam lalu").

    Lenient: a field with more than the date in it gives the date it contains
    (see ``find_datetime``); zone-less dates are WIB.
    """
    found = find_datetime(raw, now)
    return found.value if found else None


def to_iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _lower(text: str) -> str:
    """``text.lower()`` of the same length: "İ" is the one letter that lowers to two."""
    return text.replace("İ", "I").lower()


def _find_absolute(text: str, lowered: str, default_zone: tzinfo) -> tuple[int, DateMatch] | None:
    """(where it starts, the date) of the first valid absolute date.

    Every absolute date has a 4-digit year, and years are rare in text: the
    full pattern is searched only in the few characters before each year
    (searching all of a 300-character line costs ~5x more).
    """
    pos = 0
    for year in _YEARS.finditer(lowered):
        while pos < year.end() and (
            core := _ABSOLUTE.search(lowered, max(pos, year.start() - _LEAD), year.end() + _ISO_TAIL)
        ):
            match = _ABSOLUTE.match(lowered, core.start())  # the time and zone after the window
            pos = (match or core).end()
            value = _absolute_value(match, text, default_zone) if match else None
            if value is not None:
                start = _day_name_start(lowered, match.start())
                return start, DateMatch(value, text[start:match.end()])
    return None


def _absolute_value(match: re.Match, text: str, default_zone: tzinfo) -> datetime | None:
    if match["H"] and not _has_zone(match) and _UNKNOWN_ZONE.match(text, match.end()):
        return None
    year, month, day = _ymd(match)
    try:
        hour = _hour(match)
        zone = _zone(match) or default_zone
        return datetime(
            year, month, day, hour, int(match["M"] or 0), int(match["S"] or 0),
            int((match["frac"] or "0").ljust(6, "0")), tzinfo=zone,
        )
    except ValueError:  # 31 Februari, 25:00, 13:00 PM, GMT+25
        return None


def _ymd(match: re.Match) -> tuple[int, int, int]:
    if match["y1"]:
        return int(match["y1"]), _month(match["mon1"]), _day(match["d1"])
    if match["y2"]:
        return int(match["y2"]), _month(match["mon2"]), _day(match["d2"])
    if match["y3"]:
        return int(match["y3"]), int(match["m3"]), int(match["d3"])
    return int(match["y4"]), int(match["m4"]), int(match["d4"])


def _month(name: str) -> int:
    return MONTHS[name.rstrip(".")]


def _day(number: str) -> int:
    return int(number.rstrip("stndrh"))


def _hour(match: re.Match) -> int:
    hour = int(match["H"] or 0)
    if not match["ampm"]:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(f"{hour} is not a 12-hour clock hour")
    return hour % 12 + (12 if match["ampm"] == "p" else 0)


def _has_zone(match: re.Match) -> bool:
    return bool(match["zone"] or match["zulu"] or match["off"])


def _zone(match: re.Match) -> tzinfo | None:
    if match["off"]:
        return _offset(match["off"])
    if match["zone_off"]:
        return _offset(match["zone_off"])
    name = match["zone"] or match["zulu"]
    return ZONES[name] if name else None


@lru_cache(maxsize=64)  # a site states few offsets ("+07:00"); building one costs more than reading the date
def _offset(text: str) -> timezone:
    """"+0700", "+07:00", "+7", "-05" -> a fixed offset."""
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _day_name_start(text: str, start: int) -> int:
    """Where the date begins once a day name just before it ("Jumat, ") is included."""
    day = _DAY_BEFORE.search(text, max(0, start - _DAY_REACH), start)
    return day.start() if day else start


def _find_relative(text: str, lowered: str, now: datetime) -> tuple[int, DateMatch] | None:
    if not any(word in lowered for word in _RELATIVE_WORDS):  # 10x cheaper than the search
        return None
    match = _RELATIVE.search(lowered)
    if not match:
        return None
    if match["word"] == "kemarin":
        value = now - timedelta(days=1)
    elif match["word"]:  # baru saja, sekarang
        value = now
    else:
        value = now - timedelta(**{_UNITS[match["unit"]]: int(match["n"])})
    return match.start(), DateMatch(value, text[match.start():match.end()])
