"""read_warc: the HTTP responses of web archives (WARC, as Common Crawl publishes them) as rows, streamed with warcio.

Each file is read record by record (gzip member by member): memory holds one record's payload, at most
`max_record_bytes` of it (the rest is drained, and the row says `truncated`, as Common Crawl's WARC-Truncated
header does), plus the Arrow rows produced so far. A record that does not parse, or a gzip member that ends
early, is reported with its file and byte offset: `on_error := 'fail'` raises, `'skip'` goes on from the next
record start (the next gzip member, or the next `WARC/1.` line in an uncompressed file) and counts what it
skipped in a warning (`SkippedInputsWarning`) naming each place.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.file_globs import matching_files
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, check_range, operator
from aidb.ops.skipped_inputs import SkippedInput, check_on_error, skipped_reports, warn_skipped

DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024
_RECORD_TYPES = frozenset({"response", "resource"})
_BATCH_ROWS = 1024
_PROGRESS_BYTES = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = re.compile(rb"(?:^|\n)WARC/1\.[01]\r?\n")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
SCHEMA = pa.schema([
    ("file", pa.string()), ("offset", pa.int64()), ("warc_record_id", pa.string()), ("url", pa.string()),
    ("fetched_at", pa.timestamp("us", tz="UTC")), ("http_status", pa.int32()), ("content_type", pa.string()),
    ("charset", pa.string()), ("truncated", pa.bool_()), ("html", pa.string()),
])


@dataclass
class WarcScan:
    """What one read_warc call read: the rows, and the records it skipped."""

    rows: pa.Table
    skipped: list[SkippedInput] = field(default_factory=list)


class _Corrupt(Exception):
    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset, self.reason = offset, reason


def read_warc(
    pattern: str, content_types: list[str] | None = ("text/html",), with_html: bool = True, on_error: str = "fail",
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES, progress: Any = None,
) -> WarcScan:
    """The response records of every file `pattern` matches whose media type is in `content_types` (None: all)."""
    check_on_error("read_warc", on_error)
    check_range("read_warc", "max_record_bytes", max_record_bytes, 0, float("inf"), low_open=True)
    wanted = None if content_types is None else frozenset(str(t).strip().lower() for t in content_types)
    files = matching_files("read_warc", pattern)
    batches: list[pa.RecordBatch] = []
    skipped: list[SkippedInput] = []
    for number, path in enumerate(files, start=1):
        stage = f"read_warc {number}/{len(files)} {path.name}"
        reader = _FileReader(path, wanted, max_record_bytes, on_error, skipped, progress, stage, with_html)
        rows: list[dict[str, Any]] = []
        for row in reader.rows():
            rows.append(row)
            if len(rows) == _BATCH_ROWS:
                batches.append(pa.RecordBatch.from_pylist(rows, SCHEMA))
                rows = []
        if rows:
            batches.append(pa.RecordBatch.from_pylist(rows, SCHEMA))
    table = pa.Table.from_batches(batches, SCHEMA)
    if not with_html:
        table = table.drop_columns(["html"])
    return WarcScan(table, skipped)


class _FileReader:
    """The rows of one WARC file, resuming after corrupt records when skipping."""

    def __init__(self, path: Path, wanted: frozenset[str] | None, max_bytes: int, on_error: str,
                 skipped: list[SkippedInput], progress: Any, stage: str, with_html: bool) -> None:
        self.path, self.wanted, self.max_bytes, self.on_error = path, wanted, max_bytes, on_error
        self.with_html = with_html  # without, the pages are decoded (for `charset`) but not kept
        self.skipped, self.progress, self.stage = skipped, progress, stage
        try:
            self.size = path.stat().st_size
        except OSError as error:
            raise OperationalError(f"read_warc(): cannot read {str(path)!r}: {error.strerror or error}") from error
        self._reported = 0

    def rows(self) -> Iterator[dict[str, Any]]:
        try:
            handle = self.path.open("rb")
        except OSError as error:
            raise OperationalError(f"read_warc(): cannot read {str(self.path)!r}: {error.strerror or error}") from error
        with handle:
            start = 0
            while start is not None:
                try:
                    yield from self._records_from(handle, start)
                    start = None
                except _Corrupt as corrupt:
                    if _is_gzip(handle) and not _gzip_member_complete(handle, corrupt.offset):
                        corrupt.reason = f"truncated gzip member (the file ends inside it; {corrupt.reason})"
                    place = f"{self.path} at byte offset {corrupt.offset}"
                    if self.on_error == "fail":
                        raise DataError(
                            f"read_warc(): corrupt WARC record in {place}: {corrupt.reason}; "
                            "on_error := 'skip' reads past it (and counts what it skipped)"
                        ) from None
                    self.skipped.append(SkippedInput(str(self.path), f"byte offset {corrupt.offset}", corrupt.reason))
                    start = _next_record_start(handle, corrupt.offset + 1, gzipped=_is_gzip(handle))
        self._report(self.size, force=True)

    def _records_from(self, handle: BinaryIO, start: int) -> Iterator[dict[str, Any]]:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        handle.seek(start)
        records = ArchiveIterator(handle)
        failures = (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError)
        while True:
            try:
                record = next(records, None)
            except failures as error:
                raise _Corrupt(records.offset, _reason(error)) from None  # the offset of the record that failed to parse
            if record is None:
                return
            offset = records.offset  # absolute: the iterator counts from the handle's position when it was made
            try:
                row = self._row(record, offset)
            except failures as error:
                raise _Corrupt(offset, _reason(error)) from None
            self._report(handle.tell())
            if row is not None:
                yield row

    def _row(self, record: Any, offset: int) -> dict[str, Any] | None:
        # warcio reads any 5-word first line as an ARC header, so a file that is no archive (a saved HTML page) would
        # come back as one empty record and vanish; its length field (ARC's `length`) is then no byte count
        length = record.rec_headers.get_header("Content-Length") or record.rec_headers.get_header("length")
        if length is not None and not length.strip().isdigit():
            raise ValueError(f"not a WARC or ARC record: its length field is {length.strip()[:40]!r}, not a byte count")
        if record.rec_type not in _RECORD_TYPES:
            return None
        headers = record.http_headers if record.rec_type == "response" else None
        if record.rec_type == "response" and headers is None:
            return None  # a response to a non-HTTP request (DNS): no page
        raw_type = (headers.get_header("Content-Type") if headers else record.rec_headers.get_header("Content-Type")) or ""
        media_type, declared = _media_type(raw_type)
        if self.wanted is not None and media_type not in self.wanted:
            return None
        stream = record.content_stream()
        payload = stream.read(self.max_bytes)
        truncated = bool(record.rec_headers.get_header("WARC-Truncated"))
        if stream.read(1):
            truncated = True
            while stream.read(1 << 16):  # drain: the iterator must reach the record's end
                pass
        missing = getattr(record.raw_stream, "limit", 0)
        if missing:  # the file ended before the record's Content-Length (warcio itself stops quietly)
            raise EOFError(f"the record ends {missing} bytes before its Content-Length")
        text, charset = _decode(payload, declared)
        status = headers.get_statuscode() if headers else None
        return {
            "file": str(self.path), "offset": offset, "warc_record_id": record.rec_headers.get_header("WARC-Record-ID"),
            "url": record.rec_headers.get_header("WARC-Target-URI"), "fetched_at": _warc_date(record.rec_headers.get_header("WARC-Date")),
            "http_status": int(status) if status and status.isdigit() else None, "content_type": media_type or None,
            "charset": charset, "truncated": truncated, "html": text if self.with_html else None,
        }

    def _report(self, done: int, force: bool = False) -> None:
        if self.progress is not None and (force or done - self._reported >= _PROGRESS_BYTES):
            self._reported = done
            self.progress(self.stage, min(done, self.size), self.size)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, (EOFError, zlib.error)):
        return f"truncated or corrupt gzip data ({text})"
    return text[:200]


def _is_gzip(handle: BinaryIO) -> bool:
    handle.seek(0)
    return handle.read(3) == _GZIP_MAGIC


def _gzip_member_complete(handle: BinaryIO, offset: int) -> bool:
    """Whether the gzip member at `offset` ends before the file does (decompressing it, a block at a time)."""
    handle.seek(offset)
    member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        while not member.eof:
            block = handle.read(1 << 16)
            if not block:
                return False
            member.decompress(block, 1 << 16)
            while member.unconsumed_tail and not member.eof:
                member.decompress(member.unconsumed_tail, 1 << 16)
    except zlib.error:
        return True  # corrupt rather than cut short: the reason already says what failed
    return True


def _next_record_start(handle: BinaryIO, position: int, gzipped: bool) -> int | None:
    """The offset of the next gzip member (or `WARC/1.` line) at or after `position`; None at the end of the file."""
    chunk_size = 1 << 20
    handle.seek(position)
    carry = b""
    base = position
    while True:
        chunk = handle.read(chunk_size)
        if not chunk:
            return None
        data = carry + chunk
        if gzipped:
            found = data.find(_GZIP_MAGIC)
            if found >= 0:
                return base + found
        else:
            match = _WARC_LINE.search(data)
            if match:
                return base + match.start() + (1 if data[match.start():match.start() + 1] == b"\n" else 0)
        keep = 16
        carry = data[-keep:]
        base += len(data) - len(carry)


def _media_type(content_type: str) -> tuple[str, str | None]:
    """('text/html', 'utf-8') from 'text/html; charset=UTF-8'; the charset only when Python knows it."""
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = _known_charset(value.strip().strip("\"'"))
    return parts[0].lower(), charset


def _known_charset(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode(payload: bytes, declared: str | None) -> tuple[str, str]:
    """The page's text and the charset it was decoded with: the HTTP header's, else a <meta> tag's, else UTF-8 if
    it decodes, else windows-1252 (what browsers assume for undeclared Western pages). Bad bytes become U+FFFD."""
    if declared is None:
        match = _META_CHARSET.search(payload[:4096])
        declared = _known_charset(match.group(1).decode("ascii", "replace")) if match else None
    if declared is None:
        try:
            return payload.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            declared = "cp1252"
    return payload.decode(declared, errors="replace"), declared


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@operator(
    name="read_warc",
    params=[
        OperatorParam("path", "string"), OperatorParam("content_types", "any", ["text/html"]),
        OperatorParam("with_html", "boolean", True), OperatorParam("on_error", "string", "fail"),
        OperatorParam("max_record_bytes", "integer", DEFAULT_MAX_RECORD_BYTES), OperatorParam("skipped", "string", None),
    ],
)
def read_warc_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """HTTP responses of WARC files (a path or glob), streamed with warcio: one row per page with its decoded HTML."""
    content_types = args["content_types"]
    if isinstance(content_types, str):
        content_types = [content_types]
    elif content_types is not None and not isinstance(content_types, (list, tuple)):
        raise ProgrammingError(f"read_warc(): content_types must be a list of media types such as ['text/html'] or NULL, got {content_types!r}")
    context = getattr(source, "context", None)
    scan = read_warc(
        args["path"], content_types, bool(args["with_html"]), args["on_error"], args["max_record_bytes"],
        progress=getattr(context, "progress", None),
    )
    warn_skipped("read_warc", "record(s)", scan.skipped)
    return OperatorResult(scan.rows, reports=skipped_reports(args["skipped"], scan.skipped))
