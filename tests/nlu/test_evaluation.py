"""Scoring a triage run against a labelled file: the figures the eval command prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlu.evaluation import EvalFileError, GoldRow, format_report, read_tsv, score, summary_line
from nlu.triage import Triage

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "triage_dev.tsv"


def gold(kind: str, label: str = "-", text: str = "x") -> GoldRow:
    return GoldRow(kind, frozenset(label.split("|")) - {"-"}, text, 2)


def pred(kind: str, severity: str | None = None, article: str | None = None) -> Triage:
    return Triage(kind, severity, article, 0.9, False, None, ())


def test_reader_accepts_either_label_and_rejects_a_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "good.tsv"
    good.write_text("kind\tlabel\ttext\nincident\thigh|hardware\t开不了机\nstatus\t-\t我的单子呢\n", encoding="utf-8")
    rows = read_tsv(good)
    assert [(r.kind, r.labels) for r in rows] == [("incident", {"high", "hardware"}), ("status", frozenset())]
    bad = tmp_path / "bad.tsv"
    bad.write_text("kind\tlabel\ttext\nincident\tcritical\t机房停电\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match=r"bad\.tsv:2: an incident needs a severity"):
        read_tsv(bad)


def test_the_dev_set_is_well_formed_and_large_enough() -> None:
    rows = read_tsv(DEV_SET)
    assert len(rows) >= 300
    assert {r.kind for r in rows} == {"incident", "howto", "status", "complaint", "purchase", "chitchat", "unknown"}


def test_scores_count_a_missed_incident_as_a_wrong_severity() -> None:
    rows = [gold("incident", "urgent"), gold("incident", "high|hardware"), gold("howto", "vpn-connect"), gold("status")]
    predicted = [
        pred("incident", "urgent"),
        pred("howto", article="vpn-connect"),
        pred("howto", article="wifi-connect"),
        pred("status"),
    ]
    report = score(rows, predicted)
    assert report.kind_accuracy == pytest.approx(3 / 4)
    assert report.severity_accuracy == pytest.approx(1 / 2)
    assert report.article_accuracy == 0.0
    assert report.severity_confusion["urgent"] == {"urgent": 1}
    assert report.severity_confusion["hardware|high"] == {"(howto)": 1}
    howto = next(k for k in report.per_kind if k.kind == "howto")
    assert (howto.precision, howto.recall, howto.support) == (pytest.approx(0.5), 1.0, 1)


def test_either_label_accepts_both_answers() -> None:
    rows = [gold("incident", "high|hardware")] * 2
    assert score(rows, [pred("incident", "high"), pred("incident", "hardware")]).severity_accuracy == 1.0


def test_report_ends_with_the_summary_line() -> None:
    report = score([gold("chitchat"), gold("incident", "normal")], [pred("chitchat"), pred("incident", "high")])
    text = format_report(report)
    assert text.splitlines()[-1] == summary_line(report)
    assert re.fullmatch(r"kind_accuracy=1\.000 severity_accuracy=0\.000 article_accuracy=nan", summary_line(report))
    assert "want incident/normal, got incident/high" in text


SHIPPED = (
    DEV_SET,
    DEV_SET.parent / "triage_check_lead.tsv",
    *sorted((Path(__file__).resolve().parent / "data").glob("triage_*.tsv")),
)


def test_the_office_column_is_read_and_optional_for_a_file_of_ones_own(tmp_path: Path) -> None:
    tagged = tmp_path / "tagged.tsv"
    tagged.write_text("kind\tlabel\toffice\ttext\nincident\thigh\thotel\t开不了机\n", encoding="utf-8")
    assert [(r.office, r.kind, r.text) for r in read_tsv(tagged)] == [("hotel", "incident", "开不了机")]
    plain = tmp_path / "plain.tsv"
    plain.write_text("kind\tlabel\ttext\nstatus\t-\t我的单子呢\n", encoding="utf-8")
    assert [(r.office, r.text) for r in read_tsv(plain)] == [("", "我的单子呢")]
    nameless = tmp_path / "nameless.tsv"
    nameless.write_text("kind\tlabel\toffice\ttext\nstatus\t-\t\t我的单子呢\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match=r"nameless\.tsv:2: empty office"):
        read_tsv(nameless)


def test_every_shipped_row_names_its_office_and_an_office_lives_in_one_file() -> None:
    offices: dict[str, set[str]] = {}
    for path in SHIPPED:
        for row in read_tsv(path):
            assert row.office, f"{path.name}:{row.line}"
            offices.setdefault(row.office, set()).add(path.name)
    assert len(offices) >= 10
    assert {office: files for office, files in offices.items() if len(files) > 1} == {}
