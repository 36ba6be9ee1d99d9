"""Dates: every form SITE.md names, read out of any text, the offset always kept (never guessed)."""

from datetime import datetime, timedelta, timezone

import pytest

from alinea_crawler.dates import DateMatch, find_datetime, parse_id_datetime, to_iso

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone(timedelta(hours=7)))


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Jumat, 31 Des 2021 13:15 WIB", "2021-12-31T13:15:00+07:00"),
        ("Jum'at, 31 Desember 2021 13:15 WIB", "2021-12-31T13:15:00+07:00"),
        ("Senin, 3 Jan 2022 09:05 WITA", "2022-01-03T09:05:00+08:00"),
        ("Selasa, 17 Agustus 2021 | 07.30 WIT", "2021-08-17T07:30:00+09:00"),
        ("Rabu, 4 Agt 2021 20:00 WIB", "2021-08-04T20:00:00+07:00"),
        ("Kamis, 5 Agu 2021 20:00 WIB", "2021-08-05T20:00:00+07:00"),
        ("Sabtu, 7 Ags 2021 20:00", "2021-08-07T20:00:00+07:00"),
        ("Minggu, 5 Sept 2021 01:02 WIB", "2021-09-05T01:02:00+07:00"),
        ("Selasa, 2 Nop 2021 12:00 WITA", "2021-11-02T12:00:00+08:00"),
        ("1 Mei 2024", "2024-05-01T00:00:00+07:00"),
        ("12 Februari 2023, 10:11 WIB", "2023-02-12T10:11:00+07:00"),
        ("  Jumat,\n 31  Des 2021  13:15  WIB ", "2021-12-31T13:15:00+07:00"),
        ("2024-05-01T10:00:00+08:00", "2024-05-01T10:00:00+08:00"),
        ("2024-05-01T03:00:00Z", "2024-05-01T03:00:00+00:00"),
        ("2024-05-01 10:00", "2024-05-01T10:00:00+07:00"),
        ("Fri, 31 Dec 2021 13:15:00 +0700", "2021-12-31T13:15:00+07:00"),
    ],
)
def test_absolute_forms(raw, iso):
    assert to_iso(parse_id_datetime(raw)) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2 jam lalu", "2026-11-25T08:00:00+07:00"),
        ("5 menit yang lalu", "2026-11-25T09:55:00+07:00"),
        ("3 hari lalu", "2026-11-22T10:00:00+07:00"),
        ("kemarin", "2026-11-24T10:00:00+07:00"),
        ("Baru saja", "2026-11-25T10:00:00+07:00"),
    ],
)
def test_relative_forms_need_now(raw, iso):
    assert to_iso(parse_id_datetime(raw, now=NOW)) == iso
    assert parse_id_datetime(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["", None, "Jumat", "31 Foo 2021 13:15 WIB", "31 Februari 2021 10:00 WIB",
     "Jumat, 31 Des 2021 25:00 WIB", "31 Des 2021 13:15 CET", "sekitar tahun lalu"],
)
def test_unparseable_is_none_never_a_guess(raw):
    assert parse_id_datetime(raw) is None


def test_wib_wita_wit_are_different_instants():
    wib, wita, wit = (parse_id_datetime(f"1 Jan 2022 10:00 {zone}") for zone in ("WIB", "WITA", "WIT"))
    assert wib - wita == timedelta(hours=1) and wita - wit == timedelta(hours=1)


def test_whole_field_with_more_than_a_date_is_read_leniently():
    # The strict parser dropped these; an unknown word before the date is not part of it.
    assert to_iso(parse_id_datetime("Jumpat, 31 Des 2021")) == "2021-12-31T00:00:00+07:00"
    assert to_iso(parse_id_datetime("Diperbarui: Jumat, 31 Des 2021 13:15 WIB")) == "2021-12-31T13:15:00+07:00"


# (text, ISO with offset, the exact substring read)
FOUND = [
    # the seed's byline: a name before the date
    ("Nadia Lutfiana Mawarni Jumat, 31 Des 2021 13:15 WIB", "2021-12-31T13:15:00+07:00",
     "Jumat, 31 Des 2021 13:15 WIB"),
    # labels before, anything after
    ("Reporter: Budi Santoso | Senin, 3 Jan 2022 | 09:05 WITA | Editor: Ani", "2022-01-03T09:05:00+08:00",
     "Senin, 3 Jan 2022 | 09:05 WITA"),
    ("Oleh Ani · 31 Des. 2021 · 13.15 WIT · 3 menit baca", "2021-12-31T13:15:00+09:00",
     "31 Des. 2021 · 13.15 WIT"),
    ("Diterbitkan 31/12/2021 pukul 13:15 WIB", "2021-12-31T13:15:00+07:00", "31/12/2021 pukul 13:15 WIB"),
    ("Published: Friday, December 31, 2021 at 1:15 PM UTC+7. Share", "2021-12-31T13:15:00+07:00",
     "Friday, December 31, 2021 at 1:15 PM UTC+7"),
    # day names: optional, with or without comma, Ahad, Jum'at with either apostrophe, English
    ("Jumat 31 Desember 2021", "2021-12-31T00:00:00+07:00", "Jumat 31 Desember 2021"),
    ("Ahad, 2 Jan 2022 07:00 WIB", "2022-01-02T07:00:00+07:00", "Ahad, 2 Jan 2022 07:00 WIB"),
    ("Jum’at, 31 Des 2021", "2021-12-31T00:00:00+07:00", "Jum’at, 31 Des 2021"),
    ("Fri, 31 Dec 2021 13:15:00 +0700", "2021-12-31T13:15:00+07:00", "Fri, 31 Dec 2021 13:15:00 +0700"),
    ("Sunday 2 January 2022", "2022-01-02T00:00:00+07:00", "Sunday 2 January 2022"),
    # month spellings (SITE.md), English, month first, ordinal, capitals
    ("8 Agus 2021", "2021-08-08T00:00:00+07:00", "8 Agus 2021"),
    ("10 Pebruari 2021", "2021-02-10T00:00:00+07:00", "10 Pebruari 2021"),
    ("10 Nopember 2021", "2021-11-10T00:00:00+07:00", "10 Nopember 2021"),
    ("31 December 2021", "2021-12-31T00:00:00+07:00", "31 December 2021"),
    ("31st December 2021", "2021-12-31T00:00:00+07:00", "31st December 2021"),
    ("December 31, 2021", "2021-12-31T00:00:00+07:00", "December 31, 2021"),
    ("Dec 31 2021", "2021-12-31T00:00:00+07:00", "Dec 31 2021"),
    ("JUMAT, 31 DESEMBER 2021 13:15 WIB", "2021-12-31T13:15:00+07:00", "JUMAT, 31 DESEMBER 2021 13:15 WIB"),
    # numbers: day first, ISO, ISO with slashes
    ("31-12-2021", "2021-12-31T00:00:00+07:00", "31-12-2021"),
    ("31.12.2021 13.15", "2021-12-31T13:15:00+07:00", "31.12.2021 13.15"),
    ("01/02/2021", "2021-02-01T00:00:00+07:00", "01/02/2021"),
    ("2021-12-31", "2021-12-31T00:00:00+07:00", "2021-12-31"),
    ("2021/12/31 13:15", "2021-12-31T13:15:00+07:00", "2021/12/31 13:15"),
    ("updated 2021-12-31T13:15:00+07:00 by", "2021-12-31T13:15:00+07:00", "2021-12-31T13:15:00+07:00"),
    ("2021-12-31T06:15:00.250Z", "2021-12-31T06:15:00.250000+00:00", "2021-12-31T06:15:00.250Z"),
    # every separator between date and time
    ("31 Des 2021 13:15", "2021-12-31T13:15:00+07:00", "31 Des 2021 13:15"),
    ("31 Des 2021, 13:15", "2021-12-31T13:15:00+07:00", "31 Des 2021, 13:15"),
    ("31 Des 2021 - 13:15", "2021-12-31T13:15:00+07:00", "31 Des 2021 - 13:15"),
    ("31 Des 2021 – 13:15", "2021-12-31T13:15:00+07:00", "31 Des 2021 – 13:15"),
    ("31 Des 2021 — 13:15", "2021-12-31T13:15:00+07:00", "31 Des 2021 — 13:15"),
    ("31 Des 2021 • 13:15", "2021-12-31T13:15:00+07:00", "31 Des 2021 • 13:15"),
    ("31 Des 2021 / 13:15", "2021-12-31T13:15:00+07:00", "31 Des 2021 / 13:15"),
    ("31 Des 2021 jam 13:15", "2021-12-31T13:15:00+07:00", "31 Des 2021 jam 13:15"),
    ("31 Des 2021 Pk. 13.15 WIB", "2021-12-31T13:15:00+07:00", "31 Des 2021 Pk. 13.15 WIB"),
    ("31 December 2021 at 13:15", "2021-12-31T13:15:00+07:00", "31 December 2021 at 13:15"),
    # times: seconds, 12-hour clock
    ("31 Des 2021 13:15:07", "2021-12-31T13:15:07+07:00", "31 Des 2021 13:15:07"),
    ("31 Des 2021 1:15 pm", "2021-12-31T13:15:00+07:00", "31 Des 2021 1:15 pm"),
    ("31 Des 2021 12:05 AM", "2021-12-31T00:05:00+07:00", "31 Des 2021 12:05 AM"),
    # zones: WIT vs WITA, numeric offsets, GMT/UTC with and without an offset
    ("31 Des 2021 13:15 WIT, Jayapura", "2021-12-31T13:15:00+09:00", "31 Des 2021 13:15 WIT"),
    ("31 Des 2021 13:15 WITA, Makassar", "2021-12-31T13:15:00+08:00", "31 Des 2021 13:15 WITA"),
    ("31 Des 2021 13:15 wib", "2021-12-31T13:15:00+07:00", "31 Des 2021 13:15 wib"),
    ("31 Des 2021 13:15 +0800", "2021-12-31T13:15:00+08:00", "31 Des 2021 13:15 +0800"),
    ("31 Des 2021 13:15 +07:00", "2021-12-31T13:15:00+07:00", "31 Des 2021 13:15 +07:00"),
    ("31 Des 2021 13:15 GMT+7", "2021-12-31T13:15:00+07:00", "31 Des 2021 13:15 GMT+7"),
    ("31 Des 2021 13:15 UTC+08:00", "2021-12-31T13:15:00+08:00", "31 Des 2021 13:15 UTC+08:00"),
    ("31 Des 2021 13:15 UTC", "2021-12-31T13:15:00+00:00", "31 Des 2021 13:15 UTC"),
    ("31 Des 2021 13:15 GMT", "2021-12-31T13:15:00+00:00", "31 Des 2021 13:15 GMT"),
    # the first (leftmost) date wins; an impossible one is skipped for the next
    ("31 Des 2021 dan 1 Jan 2022", "2021-12-31T00:00:00+07:00", "31 Des 2021"),
    ("31 Februari 2021, lalu 1 Maret 2021", "2021-03-01T00:00:00+07:00", "1 Maret 2021"),
    ("31 Des 2021 13:15 CET; 1 Jan 2022 08:00 WIB", "2022-01-01T08:00:00+07:00", "1 Jan 2022 08:00 WIB"),
    # not a time after the date: the day at 00:00, the text after it untouched
    ("31 Des 2021 12.500 orang", "2021-12-31T00:00:00+07:00", "31 Des 2021"),
    ("31 Des 2021 13:15 BMKG melaporkan", "2021-12-31T13:15:00+07:00", "31 Des 2021 13:15"),
]


@pytest.mark.parametrize(("text", "iso", "raw"), FOUND)
def test_finds_the_date_in_any_text(text, iso, raw):
    found = find_datetime(text)
    assert found == DateMatch(found.value, raw)
    assert found.value.isoformat() == iso
    assert raw in text


@pytest.mark.parametrize(
    "text",
    [
        "Hubungi 0812-3456-7890 atau (021) 3190-2021",  # phone numbers
        "+62 21 3190 2021",
        "layanan 5×24 jam",
        "60.000 hingga 90.000",
        "Rp 1.250.000, naik 12,5 persen",
        "versi 2.11.2 dan v1.12.2021 dan 10.0.19041",  # version numbers
        "12/2021",  # a month alone
        "pada tahun 2021",  # a bare year
        "Desember 2021",
        "31/12/21",  # a 2-digit year could be any century
        "31.12.21 13:15",
        "12/31/2021",  # month first: never swapped
        "31 Des 1850",  # outside 1900-2099
        "pukul 13.15 WIB",  # a time without a date
        "31 Desa 2021",  # a word that starts like a month
        "Jumat, 31 Des 2021 13:15 EST",  # a zone we do not know: its offset would be a guess
        "31 Des 2021 13:15 CEST",
        "31 Des 2021 13:15 GMT+25",
        "31 Des 2021 13:00 PM",  # 13 on a 12-hour clock
        "2021-02-30",
        "2 jam lalu",  # relative: only with now
    ],
)
def test_not_a_date_is_none(text):
    assert find_datetime(text) is None


def test_a_date_without_a_zone_takes_the_callers_zone_never_another():
    utc = find_datetime("Rilis 31 Des 2021 13:15", default_zone=timezone.utc)
    assert utc.value.isoformat() == "2021-12-31T13:15:00+00:00"
    assert find_datetime("31 Des 2021 13:15").value.utcoffset() == timedelta(hours=7)  # WIB by default
    stated = find_datetime("31 Des 2021 13:15 WITA", default_zone=timezone.utc)
    assert stated.value.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("text", "iso", "raw"),
    [
        ("Nadia Lutfiana Mawarni · 2 jam lalu", "2026-11-25T08:00:00+07:00", "2 jam lalu"),
        ("Dimuat 5 menit yang lalu oleh redaksi", "2026-11-25T09:55:00+07:00", "5 menit yang lalu"),
        ("Update: Kemarin", "2026-11-24T10:00:00+07:00", "Kemarin"),
        ("Baru  saja | Politik", "2026-11-25T10:00:00+07:00", "Baru  saja"),
        ("3 hari lalu, 31 Des 2021", "2026-11-22T10:00:00+07:00", "3 hari lalu"),  # leftmost
        ("31 Des 2021, 3 hari lalu", "2021-12-31T00:00:00+07:00", "31 Des 2021"),
    ],
)
def test_relative_dates_in_text_with_now(text, iso, raw):
    found = find_datetime(text, now=NOW)
    assert (found.value.isoformat(), found.raw) == (iso, raw)


def test_raw_is_sliced_from_the_original_text_even_after_a_two_char_lowercase():
    text = "İSTANBUL — Jumat, 31 Des 2021 13:15 WIB"  # "İ".lower() is two characters
    assert find_datetime(text).raw == "Jumat, 31 Des 2021 13:15 WIB"
