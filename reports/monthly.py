"""月工作报告及优化建议表: the monthly figures laid out as a document in the reader's language.

Every heading and label comes from the catalog (``report_*`` keys); the figures come from
``reports.figures`` and the suggestions from ``reports.suggestions``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Any

from babel.dates import format_date, get_day_names

from i18n import format_list, say, severity_name, status_name, step_name
from i18n.catalog import locale
from reports.document import Cell, Chart, Document, Section, Table
from reports.figures import NO_SEVERITY, SEVERITIES, MonthlyFigures, SeverityFigures
from reports.suggestions import Suggestion, suggestions

__all__ = ["monthly_document", "suggestion_text"]


def _severity(lang: str, severity: str) -> str:
    return say(lang, "report_no_severity") if severity == NO_SEVERITY else severity_name(lang, severity)


def _kind(lang: str, kind: str) -> str:
    key = f"report_kind_{kind}"
    try:
        return say(lang, key)
    except KeyError:
        return kind


def category_name(lang: str, category: str) -> str:
    return say(lang, f"report_category_{category}")


def _weekday(lang: str, weekday: int) -> str:
    return str(get_day_names("wide", locale=locale(lang))[weekday])


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def suggestion_text(lang: str, s: Suggestion) -> str:
    v: dict[str, Any] = s.values
    if s.rule == "repeated_fault":
        faults = format_list(lang, v["faults"]) or "—"
        tickets = format_list(lang, [f"#{n}" for n in v["tickets"]])
        return say(
            lang,
            "report_suggest_repeated_fault",
            device=v["device"],
            label=v["key"],
            count=v["count"],
            faults=faults,
            tickets=tickets,
        )
    if s.rule == "weekday_misses":
        return say(
            lang,
            "report_suggest_weekday_misses",
            teams=format_list(lang, v["teams"]) or "—",
            weekday=_weekday(lang, v["weekday"]),
            rate=_pct(v["rate"]),
            other_rate=_pct(v["other_rate"]),
            count=v["count"],
        )
    if s.rule == "write_article":
        return say(
            lang,
            "report_suggest_write_article",
            category=category_name(lang, v["category"]),
            count=v["count"],
            example=v["example"][:40],
        )
    if s.rule == "revise_article":
        return say(lang, "report_suggest_revise_article", article=v["article"], served=v["served"], ticket=v["ticket"])
    if s.rule == "complaint_missed":
        return say(lang, "report_suggest_complaint_missed", facts=v["facts"], answer=v["answer"], total=v["total"])
    if s.rule == "slow_response":
        return say(
            lang,
            "report_suggest_slow_response",
            severity=_severity(lang, v["severity"]),
            rate=_pct(v["rate"]),
            count=v["count"],
        )
    if s.rule == "retrain_triage":
        return say(
            lang, "report_suggest_retrain_triage", corrected=v["corrected"], opened=v["opened"], rate=_pct(v["rate"])
        )
    raise ValueError(f"no text for suggestion rule {s.rule!r}")


def _counts_table(title: str, head: str, rows: tuple[tuple[str, int], ...], total: int, lang: str) -> Table:
    return Table(
        columns=(head, say(lang, "report_col_tickets"), say(lang, "report_col_share")),
        rows=tuple((Cell(name), Cell(n, "int"), Cell(n / total if total else None, "percent")) for name, n in rows),
        title=title,
        widths=(3, 1, 1),
    )


def _clock(lang: str, s: SeverityFigures) -> str:
    return say(lang, f"report_clock_{s.clock}")


def _hours(value: float | None) -> Cell:
    return Cell(value, "hours")


_Column = tuple[str, Callable[[SeverityFigures], Cell]]


def _per_severity(
    lang: str, figures: MonthlyFigures, columns: Sequence[_Column], title: str, widths: tuple[float, ...]
) -> Table:
    """One row per severity: its name and clock, then ``columns`` (a catalog column key and its cell)."""
    heads = ("severity", "clock", *(key for key, _ in columns))
    rows = tuple(
        (Cell(_severity(lang, s.severity)), Cell(_clock(lang, s)), *(cell(s) for _, cell in columns))
        for s in figures.severities
    )
    return Table(tuple(say(lang, f"report_col_{c}") for c in heads), rows, title=say(lang, title), widths=widths)


def _response_table(lang: str, figures: MonthlyFigures) -> Table:
    columns: tuple[_Column, ...] = (
        ("tickets", lambda s: Cell(s.tickets, "int")),
        ("target_h", lambda s: _hours(s.target_h)),
        ("promised", lambda s: Cell(s.promised, "int")),
        ("in_time", lambda s: Cell(s.acknowledged_in_time, "int")),
        ("in_time_share", lambda s: Cell(s.in_time_share, "percent")),
        ("median_h", lambda s: _hours(s.response_median_h)),
        ("p90_h", lambda s: _hours(s.response_p90_h)),
    )
    widths = (2, 1.4, 1, 1.1, 1.1, 1.1, 1.2, 1.1, 1.1)
    return _per_severity(lang, figures, columns, "report_table_response", widths)


def _resolution_table(lang: str, figures: MonthlyFigures) -> Table:
    columns: tuple[_Column, ...] = (
        ("tickets", lambda s: Cell(s.tickets, "int")),
        ("resolved", lambda s: Cell(s.resolved, "int")),
        ("within_2h", lambda s: Cell(s.resolved_within_2h, "int")),
        ("within_2h_share", lambda s: Cell(s.within_2h_share, "percent")),
        ("within_24h", lambda s: Cell(s.resolved_within_24h, "int")),
        ("within_24h_share", lambda s: Cell(s.within_24h_share, "percent")),
        ("median_h", lambda s: _hours(s.resolution_median_h)),
        ("p90_h", lambda s: _hours(s.resolution_p90_h)),
    )
    widths = (2, 1.4, 1, 1, 1, 1.1, 1, 1.1, 1, 1)
    return _per_severity(lang, figures, columns, "report_table_resolution", widths)


def _key_values(lang: str, items: Sequence[tuple[str, Cell]], title: str | None = None) -> Table:
    """A two-column table of named figures (项目 / 数值): each item is a catalog key and its cell."""
    columns = (say(lang, "report_col_item"), say(lang, "report_col_value"))
    rows = tuple((Cell(say(lang, key)), cell) for key, cell in items)
    return Table(columns, rows, title=say(lang, title) if title else "", widths=(3, 1))


def _escalation_section(lang: str, figures: MonthlyFigures) -> Section:
    summary = _key_values(
        lang,
        (
            ("report_escalated_tickets", Cell(figures.escalated_tickets, "int")),
            ("report_escalations_timeout", Cell(figures.escalations, "int")),
            ("report_escalations_by_hand", Cell(figures.escalations_by_hand, "int")),
        ),
    )
    rows = tuple(
        (
            Cell(f"#{t.number}"),
            Cell(_severity(lang, t.severity or NO_SEVERITY)),
            Cell(t.escalations, "int"),
            Cell(t.escalations_by_hand, "int"),
            Cell(t.text[:40]),
        )
        for t in figures.tickets
        if t.escalations or t.escalations_by_hand
    )
    detail = Table(
        columns=tuple(say(lang, f"report_col_{c}") for c in ("ticket", "severity", "by_timeout", "by_hand", "problem")),
        rows=rows,
        title=say(lang, "report_table_escalated"),
        widths=(1, 1.5, 1, 1, 5),
    )
    return Section(say(lang, "report_section_escalations"), (summary, detail))


def _complaint_section(lang: str, figures: MonthlyFigures, zone: tzinfo) -> Section:
    c = figures.complaints

    def verdict(kept: bool | None) -> Cell:
        return Cell(say(lang, "report_pending" if kept is None else "report_kept" if kept else "report_missed"))

    counts = {
        "total": c.total,
        "facts_kept": c.facts_kept,
        "facts_missed": c.facts_missed,
        "answer_kept": c.answer_kept,
        "answer_missed": c.answer_missed,
        "pending": c.pending,
    }
    summary = _key_values(lang, tuple((f"report_complaints_{k}", Cell(n, "int")) for k, n in counts.items()))
    rows = tuple(
        (
            Cell(f"C{row.id}"),
            Cell(row.created_at.astimezone(zone).replace(tzinfo=None), "time"),
            Cell(f"#{row.ticket_number}" if row.ticket_number else "—"),
            verdict(facts),
            verdict(answer),
        )
        for row, facts, answer in c.rows
    )
    detail = Table(
        columns=tuple(
            say(lang, f"report_col_{k}") for k in ("complaint", "opened", "ticket", "facts_8h", "answer_24h")
        ),
        rows=rows,
        title=say(lang, "report_table_complaints"),
        widths=(1, 2, 1, 1.5, 1.5),
    )
    return Section(say(lang, "report_section_complaints"), (summary, detail))


def _repair_section(lang: str, figures: MonthlyFigures) -> Section:
    rows = tuple(
        (
            Cell(f"#{r.ticket_number}"),
            Cell(r.device or "—"),
            Cell(r.serial or "—"),
            Cell((r.fault or "—")[:30]),
            Cell(step_name(lang, r.step) if r.step else "—"),
            Cell(r.quote_fen, "money"),
        )
        for r in figures.repairs
    )
    table = Table(
        columns=tuple(say(lang, f"report_col_{k}") for k in ("ticket", "device", "serial", "fault", "step", "quote")),
        rows=rows,
        title=say(lang, "report_table_repairs"),
        widths=(1, 2, 1.6, 2.4, 1.2, 1.2),
    )
    total = _key_values(
        lang,
        (
            ("report_repairs_count", Cell(len(figures.repairs), "int")),
            ("report_repairs_cost", Cell(figures.repair_cost_fen, "money")),
        ),
    )
    repeated = Table(
        columns=tuple(say(lang, f"report_col_{k}") for k in ("device", "serial", "fault_count", "faults", "ticket")),
        rows=tuple(
            (
                Cell(d.device),
                Cell(d.key),
                Cell(d.repairs, "int"),
                Cell(format_list(lang, d.faults)[:60] or "—"),
                Cell(format_list(lang, [f"#{n}" for n in d.tickets])),
            )
            for d in figures.repeated_devices
        ),
        title=say(lang, "report_table_repeated"),
        widths=(2, 1.6, 1, 3, 1.6),
    )
    return Section(say(lang, "report_section_repairs"), (total, table, repeated))


def _kb_section(lang: str, figures: MonthlyFigures) -> Section:
    d = figures.deflection
    summary = _key_values(
        lang,
        (
            ("report_kb_served", Cell(d.served, "int")),
            ("report_kb_solved", Cell(d.solved, "int")),
            ("report_kb_ticket", Cell(d.became_ticket, "int")),
            ("report_kb_rate", Cell(d.rate, "percent")),
        ),
    )
    per = Table(
        columns=tuple(say(lang, f"report_col_{k}") for k in ("article", "served", "solved", "became_ticket", "rate")),
        rows=tuple(
            (Cell(a), Cell(s, "int"), Cell(k, "int"), Cell(t, "int"), Cell(k / s if s else None, "percent"))
            for a, s, k, t in d.per_article
        ),
        title=say(lang, "report_table_articles"),
        widths=(3, 1, 1, 1, 1),
    )
    return Section(say(lang, "report_section_kb"), (summary, per))


def _charts(lang: str, figures: MonthlyFigures) -> tuple[Chart, ...]:
    shown = [s for s in (*SEVERITIES, NO_SEVERITY) if any(w[2].get(s) for w in figures.weekly)] or list(SEVERITIES)
    weeks = tuple(f"{a:%m-%d}–{b:%m-%d}" for a, b, _ in figures.weekly)
    weekly = Chart(
        "stacked_column",
        say(lang, "report_chart_weekly"),
        weeks,
        tuple((_severity(lang, s), tuple(float(w[2].get(s, 0)) for w in figures.weekly)) for s in shown),
        y_title=say(lang, "report_col_tickets"),
    )
    promised = [s for s in figures.severities if s.target_h is not None]
    response = Chart(
        "column",
        say(lang, "report_chart_response"),
        tuple(_severity(lang, s.severity) for s in promised),
        (
            (say(lang, "report_col_median_h"), tuple(s.response_median_h or 0.0 for s in promised)),
            (say(lang, "report_col_p90_h"), tuple(s.response_p90_h or 0.0 for s in promised)),
        ),
        target=(say(lang, "report_col_target_h"), tuple(s.target_h or 0.0 for s in promised)),
        y_title=say(lang, "report_hours"),
    )
    top = figures_top_categories(figures)
    categories = Chart(
        "bar",
        say(lang, "report_chart_categories"),
        tuple(category_name(lang, c) for c, _ in top),
        ((say(lang, "report_col_tickets"), tuple(float(n) for _, n in top)),),
    )
    d = figures.deflection
    deflection = Chart(
        "pie",
        say(lang, "report_chart_deflection"),
        (say(lang, "report_kb_solved"), say(lang, "report_kb_ticket"), say(lang, "report_kb_other")),
        (
            (
                say(lang, "report_kb_served"),
                (float(d.solved), float(d.became_ticket), float(max(0, d.served - d.solved - d.became_ticket))),
            ),
        ),
    )
    return (weekly, response, categories, deflection)


def figures_top_categories(figures: MonthlyFigures, count: int = 6) -> list[tuple[str, int]]:
    return sorted(figures.by_category, key=lambda kv: (-kv[1], kv[0]))[:count]


def _summary(lang: str, figures: MonthlyFigures) -> Table:
    high = next(s for s in figures.severities if s.severity == "high")
    items = (
        ("report_total_tickets", Cell(figures.total, "int")),
        ("report_high_in_time", Cell(high.in_time_share, "percent")),
        ("report_escalated_tickets", Cell(figures.escalated_tickets, "int")),
        ("report_complaints_total", Cell(figures.complaints.total, "int")),
        ("report_repairs_cost", Cell(figures.repair_cost_fen, "money")),
        ("report_kb_rate", Cell(figures.deflection.rate, "percent")),
        ("report_triage_corrected", Cell(figures.triage.corrected, "int")),
        ("report_triage_corrected_share", Cell(figures.triage.corrected_share, "percent")),
        ("report_triage_classified", Cell(figures.triage.classified, "int")),
    )
    return _key_values(lang, items, "report_table_key_figures")


def monthly_document(figures: MonthlyFigures, lang: str, zone: tzinfo, customer: str = "") -> Document:
    """The monthly report for a reader of ``lang``; times shown in ``zone`` (the contract's)."""
    month = format_date(figures.month.first_day, say(lang, "report_month_format"), locale=locale(lang))
    notes = []
    if figures.estimated_years:
        years = format_list(lang, [str(y) for y in figures.estimated_years])
        notes.append(say(lang, "report_note_estimated_calendar", years=years))
    total = figures.total
    volumes = Section(
        say(lang, "report_section_volumes"),
        (
            _counts_table(
                say(lang, "report_table_by_kind"),
                say(lang, "report_col_kind"),
                tuple((_kind(lang, k), n) for k, n in figures.by_kind),
                total,
                lang,
            ),
            _counts_table(
                say(lang, "report_table_by_severity"),
                say(lang, "report_col_severity"),
                tuple((_severity(lang, s), n) for s, n in figures.by_severity),
                total,
                lang,
            ),
            _counts_table(
                say(lang, "report_table_by_department"),
                say(lang, "report_col_department"),
                figures.by_department,
                total,
                lang,
            ),
            _counts_table(
                say(lang, "report_table_by_category"),
                say(lang, "report_col_category"),
                tuple((category_name(lang, c), n) for c, n in figures_top_categories(figures, 99)),
                total,
                lang,
            ),
        ),
    )
    service = Section(
        say(lang, "report_section_service"),
        (_response_table(lang, figures), _resolution_table(lang, figures)),
        (say(lang, "report_note_clocks"),),
    )
    found = suggestions(figures)
    advice = Section(
        say(lang, "report_section_suggestions"),
        (
            Table(
                (say(lang, "report_col_number"), say(lang, "report_col_suggestion")),
                tuple((Cell(i, "int"), Cell(suggestion_text(lang, s))) for i, s in enumerate(found, start=1))
                or ((Cell(None), Cell(say(lang, "report_no_suggestions"))),),
                widths=(0.5, 8),
            ),
        ),
    )
    tickets = Section(
        say(lang, "report_section_tickets"),
        (
            Table(
                tuple(
                    say(lang, f"report_col_{k}")
                    for k in ("ticket", "opened", "severity", "department", "status", "problem")
                ),
                tuple(
                    (
                        Cell(f"#{t.number}"),
                        Cell(t.created_at.astimezone(zone).replace(tzinfo=None), "time"),
                        Cell(_severity(lang, t.severity or NO_SEVERITY)),
                        Cell(t.department or "—"),
                        Cell(status_name(lang, t.status)),
                        Cell(t.text[:40]),
                    )
                    for t in figures.tickets
                ),
                widths=(1, 2, 1.5, 1.4, 1.2, 5),
            ),
        ),
    )
    return Document(
        title=say(lang, "report_monthly_title"),
        subtitle=f"{customer} · {month}" if customer else month,
        lang=lang,
        notes=tuple(notes),
        charts=_charts(lang, figures),
        summary=_summary(lang, figures),
        sections=(
            volumes,
            service,
            _escalation_section(lang, figures),
            _complaint_section(lang, figures, zone),
            _repair_section(lang, figures),
            _kb_section(lang, figures),
            advice,
            tickets,
        ),
        overview_sheet=say(lang, "report_sheet_overview"),
        chart_data_sheet=say(lang, "report_sheet_chart_data"),
        footer=say(lang, "report_footer", at=figures.generated_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
    )
