"""Office CSV import: validated, all-or-nothing, per-line report, seed untouched."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from knowledge import db
from knowledge.import_offices import COLUMNS, import_offices, main
from knowledge.loader import build_database
from knowledge.models import Office

HEADER = ",".join(COLUMNS)
GOOD = [
    "notary,佛山市顺德公证处,佛山,顺德区,顺德某路1号,0757-1234567,周一至周五 9:00-17:00,notarization,顺德区司法局公告,2024-05-01",
    'legal_aid,广州市法律援助处,穗,,,,,"legal_aid;mediation",广州市司法局网站,2024-05-02',
]


def write(tmp_path, lines, name="offices.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def snapshot(url):
    with db.session_scope(url) as s:
        return sorted((o.origin, o.name, o.city or "", o.district or "", o.phone)
                      for o in s.execute(select(Office)).scalars())


def test_good_file_is_imported_and_normalised(kb_url, tmp_path):
    report = import_offices(write(tmp_path, [HEADER] + GOOD), kb_url)
    assert report.ok, report.errors
    with db.session_scope(kb_url) as s:
        rows = s.execute(select(Office).where(Office.origin == "import").order_by(Office.name)).scalars().all()
        assert [(o.city, o.district) for o in rows] == [("佛山市", "顺德区"), ("广州市", None)]
        assert rows[1].services == ["legal_aid", "mediation"]
        assert all(o.source and o.verified_on and o.import_batch for o in rows)


def test_imported_offices_come_first_in_lookups(kb, kb_url, tmp_path):
    assert import_offices(write(tmp_path, [HEADER] + GOOD), kb_url).ok
    offices = kb.find_offices(district="顺德")
    assert offices[0].name == "佛山市顺德公证处" and offices[0].phone == "0757-1234567"
    assert "佛山市顺德公证处" not in [o.name for o in kb.find_offices(city="佛山", district="南海")]


def test_malformed_csv_leaves_database_unchanged_with_per_line_report(kb_url, tmp_path):
    assert import_offices(write(tmp_path, [HEADER] + GOOD[:1], name="first.csv"), kb_url).ok
    before = snapshot(kb_url)
    lines = [
        HEADER,
        GOOD[1],                                                   # line 2 fine
        "notary,错区,佛山,天河区,,,,notarization,来源,2024-01-01",     # line 3 district of another city
        "spaceship,,北京,,,call me,,teleport,,2099-01-01",           # line 4 many problems
        "",                                                         # line 5 blank: ignored
        "legal_aid,坏日期,广州,,,,,legal_aid,来源,2024-13-01",        # line 6
        "legal_aid,多一列,广州,,,,,legal_aid,来源,2024-01-01,oops",   # line 7
        GOOD[0],                                                    # line 8 fine
    ]
    report = import_offices(write(tmp_path, lines), kb_url)
    assert not report.ok
    assert snapshot(kb_url) == before
    lines_reported = {int(e.split(":")[0].removeprefix("line ")) for e in report.errors}
    assert lines_reported == {3, 4, 6, 7}
    text = "\n".join(report.errors)
    for expected in ("belongs to 广州市", "name is empty", "source is empty", "office_type 'spaceship'",
                     "city '北京'", "phone 'call me'", "teleport", "in the future", "2024-13-01", "11 fields"):
        assert expected in text, expected


def test_bad_header_encoding_and_empty_files(kb_url, tmp_path):
    before = snapshot(kb_url)
    assert "missing column(s): verified_on" in import_offices(
        write(tmp_path, [HEADER.replace(",verified_on", "")]), kb_url).errors[0]
    assert "unknown column(s): fax" in "\n".join(import_offices(
        write(tmp_path, [HEADER + ",fax"]), kb_url).errors)
    assert "not UTF-8" in import_offices(write(tmp_path, [HEADER] + GOOD, encoding="gbk"), kb_url).errors[0]
    assert "empty" in import_offices(write(tmp_path, [""]), kb_url).errors[0]
    assert "no office rows" in import_offices(write(tmp_path, [HEADER]), kb_url).errors[0]
    assert import_offices(tmp_path / "missing.csv", kb_url).errors
    assert snapshot(kb_url) == before


def test_reimport_replaces_only_that_citys_imports(kb_url, tmp_path):
    assert import_offices(write(tmp_path, [HEADER] + GOOD), kb_url).ok
    corrected = GOOD[0].replace("0757-1234567", "0757-7654321")
    assert import_offices(write(tmp_path, [HEADER, corrected], name="fs.csv"), kb_url).ok
    imported = [row for row in snapshot(kb_url) if row[0] == "import"]
    assert [(r[2], r[4]) for r in imported] == [("佛山市", "0757-7654321"), ("广州市", "")]
    assert import_offices(write(tmp_path, [HEADER, corrected], name="fs2.csv"), kb_url, append=True).ok
    assert len([r for r in snapshot(kb_url) if r[0] == "import"]) == 3
    build_database(kb_url)
    assert len([r for r in snapshot(kb_url) if r[0] == "import"]) == 3


def test_dry_run_writes_nothing(kb_url, tmp_path):
    before = snapshot(kb_url)
    assert import_offices(write(tmp_path, [HEADER] + GOOD), kb_url, dry_run=True).ok
    assert snapshot(kb_url) == before


def test_cli_exit_codes_and_report(kb_url, tmp_path, capsys):
    assert main([str(write(tmp_path, [HEADER] + GOOD)), "--database-url", kb_url]) == 0
    assert "imported 2 office(s)" in capsys.readouterr().out
    bad = write(tmp_path, [HEADER, "notary,x,火星,,,,,,来源,2024-01-01"], name="bad.csv")
    assert main([str(bad), "--database-url", kb_url]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "line 2: city '火星'" in err


def test_cli_runs_as_module_without_traceback_when_db_is_unreachable(tmp_path):
    path = write(tmp_path, [HEADER] + GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "knowledge.import_offices", str(path),
         "--database-url", "postgresql://nobody@127.0.0.1:1/none"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "nothing was imported" in proc.stderr and "Traceback" not in proc.stderr


def _row(**fields) -> str:
    """One CSV line from the first good row with some fields replaced (quoted)."""
    import csv
    import io

    values = dict(zip(COLUMNS, next(csv.reader([GOOD[0]]))))
    values.update(fields)
    out = io.StringIO()
    csv.writer(out, lineterminator="", quoting=csv.QUOTE_ALL).writerow([values[c] for c in COLUMNS])
    return out.getvalue()


@pytest.mark.parametrize("column, value, char", [
    ("name", "佛山\u202e公证处", "U+202E"), ("address", "顺德\u2066某路\u2069", "U+2066"),
    ("hours", "9:00\u200e-17:00", "U+200E"), ("name", "公证\x1b[31m处", "U+001B"),
    ("source", "公告\x85", "U+0085"), ("address", "一行\n两行", "U+000A"), ("name", "\t公证处", "U+0009"),
])
def test_control_and_bidi_characters_are_rejected(kb_url, tmp_path, column, value, char):
    report = import_offices(write(tmp_path, [HEADER, GOOD[1], _row(**{column: value})]), kb_url)
    assert not report.ok
    [error] = report.errors
    line = 3 + value.count("\n")  # a row's number is its last physical line
    assert error.startswith(f"line {line}: ") and column in error and char in error
    assert value not in error and not any(c in error for c in "\u202e\u2066\u200e\x1b\x85\n\t")
    assert [r for r in snapshot(kb_url) if r[0] == "import"] == []


@pytest.mark.parametrize("column, value", [
    ("name", "=HYPERLINK(\"http://x\")"), ("address", "+1+1"), ("hours", "-2+3"), ("source", "@SUM(A1)"),
    ("name", "  =1+1"), ("address", "\u3000=1"), ("phone", "=1"), ("phone", "-12345"),
])
def test_formula_prefixes_are_rejected(kb_url, tmp_path, column, value):
    report = import_offices(write(tmp_path, [HEADER, _row(**{column: value})]), kb_url)
    [error] = report.errors
    assert error.startswith("line 2: ") and column in error and "formula" in error
    assert value.strip() not in error


def test_an_international_phone_is_not_a_formula(kb_url, tmp_path):
    assert import_offices(write(tmp_path, [HEADER, _row(phone="+86 757 1234567")]), kb_url).ok


def test_the_terminal_never_sees_raw_values(kb_url, tmp_path, capsys):
    hostile = "\x1b]0;owned\x07\x1b[2J火星\u202e"
    bad = write(tmp_path, [HEADER, _row(city="x" * 60 + hostile), _row(office_type=hostile[:4] + "y" * 80)], name="b.csv")
    assert main([str(bad), "--database-url", kb_url]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "line 2: city contains a control" in err and "line 3: office_type contains a control" in err


def test_values_in_messages_are_escaped_and_truncated():
    from knowledge.import_offices import shown

    assert shown("火星") == "'火星'"
    assert shown("a\u202eb\x00") == "'a\\u202eb\\u0000'"
    assert shown("x" * 100) == "'" + "x" * 40 + "…'"
