"""Reading archived records: a whole file's for the index, one by its place as the response the crawl got."""

from __future__ import annotations

import hashlib
import mmap
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader

from . import KIND, PAGE, RENDERED, REPLAYED, VIA


@dataclass(frozen=True)
class Location:
    path: Path
    offset: int
    length: int = 0  # of the record in the file (its gzip member); 0: unknown


@dataclass
class ScannedRecord:
    """What the index needs of one whole record."""

    headers: dict[str, str]  # WARC headers, names in lower case (the first of a repeated name)
    method: str  # of a request record's HTTP request line ("GET" when it has none)
    payload: bytes  # of a request record: its body
    location: Location

    @property
    def type(self) -> str:
        return self.headers.get("warc-type", "")


def body_digest(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest() if body else ""


@dataclass
class ArchivedRequest:
    method: str
    digest: str  # of the body
    via: str | None
    kind: str | None  # the spider's request kind (article, amp, more, …)


# What the index takes from a run of records: the requests by the id of the response they went with, the
# responses as (id, url, marks, location), how many whole records, where the last one ends, and why the
# records end early (a cut or damaged file) or None.
Scanned = tuple[dict[str, ArchivedRequest], list[tuple[str, str, dict[str, str], Location]], int, int, str | None]


def scan(records: Iterator[ScannedRecord], start: int = 0) -> Scanned:
    """What the index takes from these records (read from ``start`` in their file)."""
    requests: dict[str, ArchivedRequest] = {}
    responses: list[tuple[str, str, dict[str, str], Location]] = []
    kept, end, cut = 0, start, None
    try:
        for record in records:
            kept += 1
            end = record.location.offset + record.location.length
            headers = record.headers
            if record.type == "request":
                requests[headers.get("warc-concurrent-to", "")] = ArchivedRequest(
                    record.method, body_digest(record.payload), headers.get(VIA.lower()), headers.get(KIND.lower()))
            elif record.type == "response":
                marks = {name: headers.get(name.lower(), "") for name in (RENDERED, PAGE)}
                responses.append((headers.get("warc-record-id"), headers.get("warc-target-uri"), marks,
                                  record.location))
    except CutShort as short:
        cut = str(short)
    return requests, responses, kept, end, cut


class NotPlain(Exception):
    """A file this module's direct reader does not take (possibly after some records): warcio reads it."""


class CutShort(Exception):
    """A file ends inside a record (a crawl killed mid-write); every whole record before it was given."""


INFLATE_STEP = 4_096  # compressed bytes given to zlib at a time (what follows a member's end is copied back)


def plain_records(path: Path, start: int = 0, stop: int | None = None) -> Iterator[ScannedRecord]:
    """Every whole record of one of this crawler's WARC files, in order, read directly (those that
    begin from ``start`` on and before ``stop``, a part of the file: ``start`` must be a record's start).

    The files this crawler writes (one gzip member per record, CRLF header lines) need no general
    WARC parser: zlib inflates each member and only the WARC headers are parsed (0.6x warcio's
    time on the 10,000-article archive: 1.0-1.2 against 1.6-2.1 s, timed in turn). Raises NotPlain for any other file,
    which ``warcio_records`` reads, and CutShort after the last whole record of a file cut short.
    """
    size = path.stat().st_size
    if not size:
        return
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped, \
            memoryview(mapped) as view:
        offset, stop = start, size if stop is None else min(stop, size)
        while offset < stop:
            if view[offset:offset + 2] != b"\x1f\x8b":
                raise NotPlain
            inflater, parts, end = zlib.decompressobj(zlib.MAX_WBITS | 16), [], offset
            try:
                while not inflater.eof and end < size:
                    parts.append(inflater.decompress(view[end:end + INFLATE_STEP]))
                    end = min(end + INFLATE_STEP, size)
            except zlib.error as error:
                raise CutShort(f"a record's compressed data is damaged ({error})") from None
            if not inflater.eof:
                raise CutShort("a record ends early")
            end -= len(inflater.unused_data)
            yield _plain_record(b"".join(parts), Location(path, offset, end - offset))
            offset = end


def record_starts(path: Path, parts: int) -> list[int]:
    """Where to cut one of this crawler's files into about ``parts`` equal parts, each at the start of a
    record: a gzip member whose data begins ``WARC/`` (the last part's reader checks that it meets the
    next one's start exactly, so a false start shows)."""
    size = path.stat().st_size
    starts = [0]
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        for n in range(1, parts):
            at = max(n * size // parts, starts[-1] + 1)
            while (at := mapped.find(b"\x1f\x8b\x08", at)) != -1 and not _begins_record(mapped, at):
                at += 1
            if at == -1:
                break
            starts.append(at)
    return starts


def _begins_record(data, at: int) -> bool:
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data[at:at + 512], 5) == b"WARC/"
    except zlib.error:
        return False


def _plain_record(data: bytes, location: Location) -> ScannedRecord:
    """The record in one inflated member."""
    head, found, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if not found or not lines[0].startswith(b"WARC/"):
        raise NotPlain
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or line[:1] in (b" ", b"\t"):  # folded or broken lines: warcio's business
            raise NotPlain
        try:
            headers.setdefault(name.strip().decode("ascii").lower(), value.strip().decode("utf-8"))
        except UnicodeDecodeError:
            raise NotPlain from None
    length = headers.get("content-length", "")
    if not length.isdigit():
        raise NotPlain
    if len(rest) < int(length):
        raise CutShort("a record ends early")
    method, payload = "GET", b""
    if headers.get("warc-type") == "request":
        http_head, found, payload = rest[:int(length)].partition(b"\r\n\r\n")
        if not found:
            raise NotPlain
        method = http_head.split(b" ", 1)[0].decode("latin-1").upper() or "GET"
    return ScannedRecord(headers, method, payload, location)


def warcio_records(path: Path) -> Iterator[ScannedRecord]:
    """Every whole record of any WARC file, in order, read by warcio; CutShort after the last whole one
    of a file cut short or damaged."""
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        try:
            for record in records:
                payload = record.raw_stream.read()
                if not _complete(record):
                    raise CutShort("a record ends early")
                headers: dict[str, str] = {}
                for name, value in record.rec_headers.headers:
                    headers.setdefault(name.lower(), value)
                http = record.http_headers
                method = ((http.protocol if http else None) or "GET").upper()
                location = Location(path, records.get_record_offset(), records.get_record_length())
                yield ScannedRecord(headers, method, payload, location)
        except CutShort:
            raise
        except Exception as error:  # noqa: BLE001 — a file cut or damaged: every whole record before
            raise CutShort(str(error)) from None


def _complete(record) -> bool:
    """Every byte the record's Content-Length announced was there."""
    stream = record.raw_stream
    return isinstance(stream, LimitReader) and stream.limit == 0


class ArchivedRecordReader:
    """Reads one record back by its offset; files stay open for the whole replay."""

    def __init__(self):
        self.handles: dict[Path, BinaryIO] = {}

    def read(self, location: Location):
        handle = self.handles.get(location.path)
        if handle is None:
            handle = self.handles[location.path] = location.path.open("rb")
        handle.seek(location.offset)
        record = next(iter(ArchiveIterator(handle)))
        return record, record.raw_stream.read()

    def read_response(self, location: Location) -> tuple[int, list[tuple[str, str]], bytes]:
        """(status, headers, body) of a response record: the plain records this module writes are
        read directly (about half warcio's time per page), anything else by warcio."""
        handle = self.handles.get(location.path)
        if handle is None:
            handle = self.handles[location.path] = location.path.open("rb")
        if location.length:
            handle.seek(location.offset)
            if parsed := parse_response_record(handle.read(location.length)):
                return parsed
        record, body = self.read(location)
        http = record.http_headers
        return int(http.get_statuscode() or 200), list(http.headers), body

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()
        self.handles.clear()


def archived_response(url: str, status: int, header_list: list[tuple[str, str]], body: bytes,
                      request: Request | None = None) -> Response:
    grouped: dict[str, list[str]] = {}  # a repeated name's values in order, as Headers.appendlist keeps them
    for name, value in header_list:
        grouped.setdefault(name.title(), []).append(value)  # Headers' own spelling of a name (normkey)
    headers = Headers(grouped)
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body, request=request, flags=[REPLAYED])


def parse_response_record(data: bytes) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) of one whole response record (a gzip member or plain), when it is
    the plain shape: CRLF lines, a Content-Length, ASCII HTTP headers without folded lines; else None."""
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        data = inflater.decompress(data)
        if not inflater.eof or inflater.unused_data:
            return None
    warc_head, found, block = data.partition(b"\r\n\r\n")
    lengths = [line[15:] for line in warc_head.split(b"\r\n") if line[:15].lower() == b"content-length:"]
    if not found or len(lengths) != 1 or not lengths[0].strip().isdigit():
        return None
    http_head, found, body = block[:int(lengths[0])].partition(b"\r\n\r\n")
    if not found or not http_head.isascii():
        return None
    status_line, *lines = http_head.decode("ascii").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit() or any(line[:1] in (" ", "\t") or ":" not in line for line in lines):
        return None
    return int(parts[1]), [(name, value.strip()) for name, _, value in (line.partition(":") for line in lines)], body
