"""A provider's CSV file of service events, read into rows that `record_event` can take.

Pure: bytes in, rows out; no database, no Reflex. The file is checked here only for what can be
known without the database (columns, dates, numbers); whether the voucher is the provider's,
the service on it, the 60-day rule and the budget are the event service's to decide.

Columns (a header row is required; `;` or `,` separates, sniffed from the header):
  voucher       the voucher code, e.g. HB-ABCD-EFGH (case, spaces and dashes forgiven)
  service_code  e.g. home_care
  start, end    the visit's start and end: `YYYY-MM-DD HH:MM` or `D.M.YYYY HH:MM`, or only
                `HH:MM` with the day in `date` (hour-based services)
  date          the day: `YYYY-MM-DD` or `D.M.YYYY` (day, visit and euro services; or the
                day of `start`/`end` given as times)
  units         days, visits or euros, e.g. 1 or 2,5 (a decimal comma is fine)
  km            kilometres driven, e.g. 12,5 (empty = 0)
  external_id   the provider's own id of the event; empty = one derived from the row, so a
                file sent twice never records an event twice

The file is UTF-8 (with or without a byte-order mark), else read as Windows-1252. At most
`MAX_BYTES` bytes and `MAX_ROWS` rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from hbapp.domain.vouchers import normalize_voucher_code

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "CsvFile",
    "CsvProblem",
    "CsvRow",
    "decode",
    "parse_events_csv",
    "rejected_csv",
]

COLUMNS = ("voucher", "service_code", "start", "end", "date", "units", "km", "external_id")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_FIELD = 200  # characters: no column of this file needs more
MAX_UNITS = Decimal(10_000)
MAX_KM = Decimal(10_000)
MAX_EXTERNAL_ID = 100  # ServiceEvent.external_id

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FI_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
_NUMBER = re.compile(r"\d{1,7}([.,]\d{1,4})?")


@dataclass(frozen=True)
class CsvProblem:
    """Why a row (or the file) cannot be used: a stable code, the column, values for the text."""

    code: str
    field: str | None = None
    params: dict = dc_field(default_factory=dict)


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the row starts in the file (the header is line 1)
    raw: dict[str, str]  # the row as written, by the header's column names
    fields: dict | None = None  # keyword arguments of EventInput, when the row could be read
    problem: CsvProblem | None = None


@dataclass(frozen=True)
class CsvFile:
    header: list[str]
    delimiter: str
    rows: list[CsvRow]
    problem: CsvProblem | None = None  # the whole file could not be read


class _Bad(Exception):
    def __init__(self, code: str, column: str | None = None, **params):
        super().__init__(code)
        self.problem = CsvProblem(code, column, params)


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark; otherwise Windows-1252 (Excel's "CSV")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Five bytes are undefined in cp1252: they come out as lone surrogates, which the
        # field check refuses like any other control character.
        return data.decode("cp1252", errors="surrogateescape")


def _sniff_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _clean(column: str, value: str) -> str:
    value = value.strip()
    if len(value) > MAX_FIELD:
        raise _Bad("too_long", column, limit=MAX_FIELD)
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029":
            raise _Bad("control_character", column)
    return value


def parse_date(text: str, column: str = "date") -> date:
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_FI_DATE, (2, 1, 0))):
        match = pattern.fullmatch(text)
        if match:
            parts = [int(match.group(i + 1)) for i in order]
            try:
                return date(*parts)
            except ValueError:
                raise _Bad("bad_date", column, value=text) from None
    raise _Bad("bad_date", column, value=text)


def parse_time(text: str, column: str) -> time:
    match = _TIME.fullmatch(text)
    if match:
        try:
            return time(int(match.group(1)), int(match.group(2)))
        except ValueError:
            pass
    raise _Bad("bad_time_format", column, value=text)


def parse_moment(text: str, column: str, day: date | None) -> datetime:
    """`YYYY-MM-DD HH:MM`, `D.M.YYYY HH:MM` (also with `T`), or `HH:MM` on `day`."""
    parts = text.replace("T", " ").split()
    if len(parts) == 2:
        return datetime.combine(parse_date(parts[0], column), parse_time(parts[1], column))
    if len(parts) == 1 and _TIME.fullmatch(parts[0]):
        if day is None:
            raise _Bad("time_without_date", column)
        return datetime.combine(day, parse_time(parts[0], column))
    raise _Bad("bad_datetime", column, value=text)


def parse_number(text: str, column: str, limit: Decimal) -> Decimal:
    """A non-negative decimal; a Finnish decimal comma is fine (`2,5`)."""
    compact = text.replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.fullmatch(compact):
        raise _Bad("bad_number", column, value=text)
    try:
        value = Decimal(compact.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise _Bad("bad_number", column, value=text) from None
    if value > limit:
        raise _Bad("number_too_large", column, limit=int(limit))
    return value


def _normalized_key(fields: dict) -> str:
    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return str(value)

    normalized = dict(fields, voucher=normalize_voucher_code(fields["voucher"])
                      or fields["voucher"])
    return "|".join(f"{name}={text(normalized.get(name))}" for name in
                    ("voucher", "service_code", "start", "end", "day", "units", "km"))


def derived_external_id(fields: dict, occurrence: int) -> str:
    """`csv:` + sha256 of the normalized row (and how many identical rows came before it), so
    the same file sent again maps each row to the same event, and two identical rows of one
    file stay two events."""
    key = _normalized_key(fields) + f"#{occurrence}"
    return "csv:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _row_fields(row: dict[str, str]) -> dict:
    values = {column: _clean(column, row.get(column, "")) for column in row}
    voucher = values.get("voucher", "")
    if not voucher:
        raise _Bad("missing_field", "voucher")
    service = values.get("service_code", "")
    if not service:
        raise _Bad("missing_field", "service_code")
    day = parse_date(values["date"]) if values.get("date") else None
    start = parse_moment(values["start"], "start", day) if values.get("start") else None
    end = parse_moment(values["end"], "end", day) if values.get("end") else None
    if end is not None and start is None:
        raise _Bad("missing_field", "start")
    if start is not None and end is None and not values.get("units"):
        raise _Bad("missing_field", "end")
    if start is None and day is None:
        raise _Bad("missing_field", "date")
    units = parse_number(values["units"], "units", MAX_UNITS) if values.get("units") else None
    km = parse_number(values["km"], "km", MAX_KM) if values.get("km") else Decimal(0)
    external_id = values.get("external_id") or None
    if external_id is not None and len(external_id) > MAX_EXTERNAL_ID:
        raise _Bad("too_long", "external_id", limit=MAX_EXTERNAL_ID)
    return {
        "voucher": voucher,
        "service_code": service,
        "start": start,
        "end": end,
        "day": day if start is None else None,
        "units": units,
        "km": km,
        "external_id": external_id,
    }


def parse_events_csv(data: bytes) -> CsvFile:
    """Every row of the file, each either with its `fields` or with its `problem`."""
    if len(data) > MAX_BYTES:
        return CsvFile([], ",", [], CsvProblem("file_too_large", None, {"limit": MAX_BYTES}))
    text = decode(data)
    if "\x00" in text:
        return CsvFile([], ",", [], CsvProblem("not_text"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header_fields = next(reader)
    except StopIteration:
        return CsvFile([], delimiter, [], CsvProblem("no_header"))
    except csv.Error:
        return CsvFile([], delimiter, [], CsvProblem("not_csv", None, {"line": 1}))
    header = [name.strip().lower() for name in header_fields]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or not header or "voucher" not in header or "service_code" not in header:
        return CsvFile(header, delimiter, [], CsvProblem(
            "bad_header", None, {"columns": ", ".join(COLUMNS)}))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        return CsvFile(header, delimiter, [], CsvProblem(
            "repeated_column", None, {"columns": ", ".join(repeated)}))
    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            return CsvFile(header, delimiter, rows, CsvProblem("not_csv", None, {"line": line}))
        start_line, line = line, reader.line_num + 1
        if not any(value.strip() for value in values):
            continue  # an empty line
        if len(rows) >= MAX_ROWS:
            return CsvFile(header, delimiter, [], CsvProblem("too_many_rows", None,
                                                             {"limit": MAX_ROWS}))
        raw = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}
        if len(values) > len(header):
            raw["_extra"] = delimiter.join(values[len(header):])
            rows.append(CsvRow(start_line, raw, None, CsvProblem("too_many_fields")))
            continue
        try:
            fields = _row_fields(raw)
        except _Bad as bad:
            rows.append(CsvRow(start_line, raw, None, bad.problem))
            continue
        if fields["external_id"] is None:
            key = _normalized_key(fields)
            seen[key] = seen.get(key, 0) + 1
            fields["external_id"] = derived_external_id(fields, seen[key] - 1)
        rows.append(CsvRow(start_line, raw, fields))
    if not rows:
        return CsvFile(header, delimiter, [], CsvProblem("no_rows"))
    return CsvFile(header, delimiter, rows)


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not \
        re.fullmatch(r"-?\d+([.,]\d+)?", value) else value


def rejected_csv(header: list[str], delimiter: str, rows: list[tuple[dict[str, str], str]]) -> str:
    """The refused rows, as they were written, with an `error` column to fix and send again."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([*header, "error"])
    for raw, message in rows:
        writer.writerow([_safe_cell(raw.get(name, "")) for name in header] + [_safe_cell(message)])
    return out.getvalue()
