"""Reading one archived record back by its place in a WARC file, as the response the crawl would have got."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from . import REPLAYED


@dataclass(frozen=True)
class Location:
    path: Path
    offset: int
    length: int = 0  # of the record in the file (its gzip member); 0: unknown


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
    headers = Headers()
    for name, value in header_list:
        headers.appendlist(name, value)
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
