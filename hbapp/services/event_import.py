"""A provider's CSV file of service events, recorded row by row (`/provider/events/import`,
`hb events import`).

The file is read by `hbapp.domain.event_csv`; every readable row is recorded through the event
service (`record_event`, source `csv`), each row its own transaction, so a bad row never
loses a good one and the event rules are the service's alone. Rows without an `external_id`
get one derived from the row, so sending the same file again records nothing twice: the
service answers those rows with the event recorded the first time.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime

from sqlalchemy.engine import Engine

from hbapp.db import write_session
from hbapp.domain.event_csv import COLUMNS, MAX_BYTES, MAX_ROWS, CsvFile, parse_events_csv, \
    rejected_csv
from hbapp.i18n import N_
from hbapp.services import audit
from hbapp.services.access import Actor

# The texts of the file's and rows' problems found while reading (hbapp.domain.event_csv).
CSV_MESSAGES = {
    "file_too_large": N_("The file is too large. Send at most 2 MB at a time."),
    "too_many_rows": N_("The file has too many rows. Send at most {limit} rows at a time."),
    "not_text": N_("The file is not a CSV text file."),
    "not_csv": N_("Line {line} cannot be read as CSV (check the quotation marks)."),
    "no_header": N_("The file is empty. The first line must name the columns."),
    "bad_header": N_("The first line must name the columns. Known columns: {columns}."),
    "repeated_column": N_("These columns are named twice: {columns}."),
    "no_rows": N_("The file has no rows of events."),
    "too_many_fields": N_("The row has more fields than the first line has columns."),
    "too_long": N_("The column {field} is too long (at most {limit} characters)."),
    "control_character": N_("The column {field} contains a control character."),
    "missing_field": N_("The column {field} is empty."),
    "bad_date": N_("The column {field} is not a date. Write it as 2026-03-14 or 14.3.2026."),
    "bad_time_format": N_("The column {field} is not a time. Write it as 18:00."),
    "bad_datetime": N_("The column {field} is not a time. Write it as 14.3.2026 18:00 or only "
                       "18:00 with the day in the column date."),
    "time_without_date": N_("The column {field} has only a time: give the day in the column "
                            "date."),
    "bad_number": N_("The column {field} is not a number. Write it as 2 or 2,5."),
    "number_too_large": N_("The number in the column {field} is too large."),
    "refused": N_("The event could not be recorded."),
}


@dataclass(frozen=True)
class RowOutcome:
    line: int
    result: str  # recorded, needs_review, repeated, refused
    event_id: int | None = None
    code: str | None = None
    message: str | None = None  # an msgid, translated where it is shown
    field: str | None = None
    params: dict = dc_field(default_factory=dict)


@dataclass(frozen=True)
class ImportReport:
    parsed: CsvFile
    outcomes: list[RowOutcome]
    file_code: str | None = None
    file_params: dict = dc_field(default_factory=dict)

    @property
    def file_message(self) -> str | None:
        return CSV_MESSAGES.get(self.file_code) if self.file_code else None

    def lines(self, result: str) -> list[int]:
        return [o.line for o in self.outcomes if o.result == result]

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def refused(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.result == "refused"]

    def rejected_rows_csv(self, translate) -> str:
        """The refused rows as written plus an `error` column (message in `translate`'s
        language, with the line number), to fix and send again; "" when none was refused."""
        refused = self.refused
        if not refused:
            return ""
        raws = {row.line: row.raw for row in self.parsed.rows}
        rows = [(raws.get(o.line, {}), f"{o.line}: {message_text(translate, o)}")
                for o in refused]
        return rejected_csv(self.parsed.header, self.parsed.delimiter, rows)


def message_text(translate, outcome: RowOutcome) -> str:
    params = {"field": outcome.field or "", **outcome.params}
    text = translate(outcome.message or CSV_MESSAGES["refused"])
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def import_events(engine: Engine, *, provider_id: int, data: bytes, actor: Actor | None,
                  now: datetime | None = None) -> ImportReport:
    """Record every good row of the file; report every row by its line.

    `actor` is the provider's staff member (the service checks it for every row); None is the
    command line's operator. A refusal of the actor (not the provider's staff) ends the import.
    """
    from hbapp.services.provider_events import EventInput, EventRefused, record_event

    parsed = parse_events_csv(data)
    if parsed.problem is not None:
        return ImportReport(parsed, [], parsed.problem.code, dict(parsed.problem.params))
    outcomes: list[RowOutcome] = []
    for row in parsed.rows:
        if row.problem is not None:
            outcomes.append(RowOutcome(row.line, "refused", None, row.problem.code,
                                       CSV_MESSAGES.get(row.problem.code), row.problem.field,
                                       dict(row.problem.params)))
            continue
        try:
            event = record_event(engine, provider_id=provider_id, data=EventInput(**row.fields),
                                 source="csv", actor=actor, now=now)
        except EventRefused as refused:
            outcomes.append(RowOutcome(row.line, "refused", None, refused.code, refused.message,
                                       refused.field, dict(getattr(refused, "params", {}))))
            continue
        if not event.created:
            result = "repeated"
        elif event.status == "needs_review":
            result = "needs_review"
        else:
            result = "recorded"
        outcomes.append(RowOutcome(row.line, result, event.id))
    report = ImportReport(parsed, outcomes)
    with write_session(engine) as session:
        audit.record(session, actor.person_id if actor else None, "events_imported", None,
                     provider_id=provider_id, rows=len(outcomes),
                     recorded=report.count("recorded"), needs_review=report.count("needs_review"),
                     repeated=report.count("repeated"), refused=report.count("refused"))
    return report


__all__ = ["COLUMNS", "CSV_MESSAGES", "MAX_BYTES", "MAX_ROWS", "ImportReport", "RowOutcome",
           "import_events", "message_text"]
