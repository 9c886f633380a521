"""The client's monthly statement (saldotiliote) as texts in one language, and as a document:
HTML for WeasyPrint's tagged PDF (PDF/UA), and CSV for spreadsheets.

The CSV is UTF-8 with a byte-order mark and `;` between fields, which is what Finnish Excel
opens directly (its list separator is `;`, since `,` is the decimal comma); money and
quantities are formatted as the person reads them in their language.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from html import escape

from hbapp.i18n import Translator
from hbapp.services.budget import BudgetMonth
from hbapp.views.decisions import BAND_NAMES


@dataclass(frozen=True)
class StatementTexts:
    title: str
    heading: str
    client: str
    decision: str
    decision_number: str
    summary: list[tuple[str, str]]
    line_header: list[str]
    lines: list[list[str]]
    changes: list[str]  # swaps and additions, one sentence each
    event_header: list[str]
    events: list[list[str]]
    footer: str


def statement_texts(t: Translator, month: BudgetMonth, generated: date) -> StatementTexts:
    statement = month.statement
    month_name = t.month(month.month)
    lines, changes = [], []
    for balance in statement.lines:
        view = month.lines[balance.line_id]
        name = view.names.get(t.locale)
        lines.append([
            name,
            t.money(balance.value_cents),
            t.money(balance.used_cents),
            t.quantity(balance.used_units, view.unit),
            t.money(balance.remaining_cents),
        ])
        if balance.adjustment_cents > 0:
            changes.append(t("{service}: {amount} added by swaps", service=name,
                             amount=t.money(balance.adjustment_cents)))
        elif balance.adjustment_cents < 0:
            changes.append(t("{service}: {amount} swapped to other services", service=name,
                             amount=t.money(-balance.adjustment_cents)))
    if statement.additions_cents:
        changes.append(t("Other additions to the budget: {amount}",
                         amount=t.money(statement.additions_cents)))
    events = []
    for event in sorted((e for e in month.events if getattr(e, "counted", True)),
                        key=lambda e: e.started_at):
        view = month.lines[event.line_id]
        when = t.time(event.started_at)
        if event.ended_at is not None:
            when = f"{when}–{t.time(event.ended_at)}"
        events.append([
            t.date(event.started_at, "short"),
            when,
            t(BAND_NAMES[event.band]) if event.band in BAND_NAMES else event.band,
            view.names.get(t.locale),
            event.provider_name,
            t.quantity(event.units, event.unit),
            t.money(event.amount_cents + event.km_compensation_cents),
            t.money(event.self_pay_cents),
        ])
    return StatementTexts(
        title=t("Budget statement {month}", month=month_name),
        heading=t("Budget statement"),
        client=month.client_name,
        decision=t("Decision {number}", number=month.decision_reference),
        decision_number=month.decision_reference,
        summary=[
            (t("Month"), month_name),
            (t("Budget for the month"), t.money(statement.budget_cents)),
            (t("Used"), t.money(statement.used_cents)),
            (t("Left"), t.money(statement.remaining_cents)),
            (t("Your self-pay shares"), t.money(statement.self_pay_cents)),
        ],
        line_header=[t("Service"), t("Budget"), t("Used"), t("Used amount"), t("Left")],
        lines=lines,
        changes=changes,
        event_header=[t("Date"), t("Time"), t("Time band"), t("Service"), t("Provider"),
                      t("Amount"), t("From the budget"), t("Self-pay")],
        events=events,
        footer=t("Made on {date} in HB. The amounts are those recorded by {date}.",
                 date=t.date(generated)),
    )


CSS = """
@page { size: A4; margin: 18mm 14mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 14pt 0 4pt; }
p { margin: 2pt 0; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 2pt 0; }
th, td { border-bottom: 0.5pt solid #666; padding: 2pt 4pt; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; }
dl { display: block; }
dl div { display: block; }
dt { display: inline; font-weight: bold; }
dd { display: inline; margin: 0 0 0 4pt; }
"""


def _table(caption: str, header: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f'<th scope="col"{cls(i)}>{escape(h)}</th>' for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(
            (f'<th scope="row">{escape(cell)}</th>' if i == 0 else
             f"<td{cls(i)}>{escape(cell)}</td>")
            for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def statement_html(t: Translator, texts: StatementTexts) -> str:
    summary = "".join(f"<div><dt>{escape(k)}:</dt><dd>{escape(v)}</dd></div>"
                      for k, v in texts.summary)
    changes = ("<ul>" + "".join(f"<li>{escape(c)}</li>" for c in texts.changes) + "</ul>"
               if texts.changes else f"<p>{escape(t('No swaps or additions this month.'))}</p>")
    events = (_table(t("Services delivered this month"), texts.event_header, texts.events,
                     {5, 6, 7})
              if texts.events else
              f"<p>{escape(t('No services have been recorded for this month yet.'))}</p>")
    return f"""<!DOCTYPE html>
<html lang="{escape(t.locale)}"><head><meta charset="utf-8">
<title>{escape(texts.title)}</title>
<meta name="author" content="HB">
<style>{CSS}</style></head>
<body>
<h1>{escape(texts.heading)}</h1>
<p><strong>{escape(texts.client)}</strong></p>
<p>{escape(texts.decision)}</p>
<dl>{summary}</dl>
<h2>{escape(t("Services"))}</h2>
{_table(t("Budget per service"), texts.line_header, texts.lines, {1, 2, 3, 4})}
<h2>{escape(t("Swaps and additions"))}</h2>
{changes}
<h2>{escape(t("Services delivered this month"))}</h2>
{events}
<p>{escape(texts.footer)}</p>
</body></html>"""


def statement_pdf(t: Translator, texts: StatementTexts) -> bytes:
    """A tagged PDF (PDF/UA-1: structure tree, language, title shown in the window)."""
    from weasyprint import HTML

    return HTML(string=statement_html(t, texts)).write_pdf(pdf_variant="pdf/ua-1")


def _safe(row: list[str]) -> list[str]:
    """A spreadsheet must not run a name as a formula: such a cell gets a leading '."""
    return ["'" + cell if cell[:1] in ("=", "+", "-", "@") else cell for cell in row]


def statement_csv(t: Translator, texts: StatementTexts) -> bytes:
    """UTF-8 with BOM, `;`-separated: the summary, the lines, the swaps and additions, the
    events; a blank row between the parts, each part with its own header row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([texts.title])
    writer.writerow([t("Client"), texts.client])
    writer.writerow([t("Decision"), texts.decision_number])
    for key, value in texts.summary:
        writer.writerow([key, value])
    writer.writerow([])
    writer.writerow(texts.line_header)
    writer.writerows(_safe(row) for row in texts.lines)
    writer.writerow([])
    writer.writerow([t("Swaps and additions")])
    for change in texts.changes:
        writer.writerow([change])
    writer.writerow([])
    writer.writerow(texts.event_header)
    writer.writerows(_safe(row) for row in texts.events)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
