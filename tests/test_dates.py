"""Indonesian dates: every form SITE.md names, the offset always kept."""

from datetime import datetime, timedelta, timezone

import pytest

from alinea_crawler.dates import parse_id_datetime, to_iso

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
    ["", None, "Jumat", "31 Foo 2021 13:15 WIB", "Jumpat, 31 Des 2021", "31 Februari 2021 10:00 WIB",
     "Jumat, 31 Des 2021 25:00 WIB", "31 Des 2021 13:15 CET", "sekitar tahun lalu"],
)
def test_unparseable_is_none_never_a_guess(raw):
    assert parse_id_datetime(raw) is None


def test_wib_wita_wit_are_different_instants():
    wib, wita, wit = (parse_id_datetime(f"1 Jan 2022 10:00 {zone}") for zone in ("WIB", "WITA", "WIT"))
    assert wib - wita == timedelta(hours=1) and wita - wit == timedelta(hours=1)
