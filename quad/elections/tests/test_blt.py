"""BLT files: reading, writing, the round trip, refusing malformed files by line, and the recount CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quad.elections.counting import BltError, Election, count, parse_blt, read_blt, write_blt
from quad.elections.counting.__main__ import main

REPO = Path(__file__).resolve().parents[3]
STV = REPO.parent / "shared" / "test-data" / "stv"

README_EXAMPLE = """\
4 2
-2
3 1 3 4 0
0
"Adam"
"Basil"
"Charlotte"
"Donald"
"Title"
"""


def test_reads_the_format_example() -> None:
    election = parse_blt(README_EXAMPLE)
    assert election == Election(("Adam", "Basil", "Charlotte", "Donald"), 2, ((3, (0, 2, 3)),), frozenset({1}), "Title")


def test_reads_comments_blank_lines_several_withdrawn_and_names_on_one_line() -> None:
    text = '\ufeff# a comment\n\n3 1\n-1 -3\n2 2 0  # two ballots\n\n1 0\n0\n"A" "B"\n"C"\n"T"\n\n'
    election = parse_blt(text)
    assert election.withdrawn == frozenset({0, 2})
    assert election.ballots == ((2, (1,)), (1, ()))
    assert election.candidates == ("A", "B", "C")
    assert election.title == "T"


def test_title_may_be_missing() -> None:
    assert parse_blt('1 1\n1 1 0\n0\n"A"\n').title == ""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "empty"),
        ("4\n", 1, "two numbers"),
        ("4 x\n", 1, "seats"),
        ("0 1\n0\n", 1, "at least one candidate"),
        ("2 0\n0\n", 1, "at least one seat"),
        ('2 1\n1 1 0\n"A"\n"B"\n', 3, "before the terminating 0"),
        ("2 1\n1 1 0\n", 2, "ended before the terminating 0"),
        ("2 1\n1 1 2\n0\n", 2, "end with 0"),
        ("2 1\n1 0 1 0\n0\n", 2, "0 may only end"),
        ("2 1\n1 1 3 0\n0\n", 2, "candidate 3 is not one of the 2"),
        ("2 1\n1 1 1 0\n0\n", 2, "ranked twice"),
        ("2 1\n1 1 - 2 0\n0\n", 2, "not supported"),
        ("2 1\n1 1=2 0\n0\n", 2, "not supported"),
        ("2 1\nx 1 0\n0\n", 2, "weight"),
        ("2 1\n1.5 1 0\n0\n", 2, "weight"),
        ("2 1\n0 1 0\n0\n", 2, "at least 1"),
        ("2 1\n1\n0\n", 2, "end with 0"),
        ("2 1\n1 1 0\n-2\n0\n", 3, "before the ballots"),
        ("2 1\n-3\n0\n", 2, "withdrawn candidate 3"),
        ("2 1\n-1 2\n0\n", 2, "only negative numbers"),
        ('2 1\n1 1 0\n0\n"A"\n', 4, "expected 2 quoted candidate names"),
        ('2 1\n1 1 0\n0\n"A"\nB\n"T"\n', 5, "quoted name"),
        ('2 1\n1 1 0\n0\n"A"\n"B\n', 5, "unterminated"),
        ('2 1\n1 1 0\n0\n"A"\n""\n"T"\n', 5, "empty"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', 7, "after the title"),
    ],
)
def test_malformed_files_are_refused_with_the_line_number(text: str, line: int, message: str) -> None:
    with pytest.raises(BltError) as caught:
        parse_blt(text)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.blt"
    path.write_bytes(b'1 1\n1 1 0\n0\n"\xff"\n')
    with pytest.raises(BltError, match="not UTF-8"):
        read_blt(path)


def test_write_refuses_what_blt_cannot_hold() -> None:
    with pytest.raises(BltError, match="double quote"):
        write_blt(Election(('Say "hi"',), 1, ()))
    with pytest.raises(BltError, match="ranked twice"):
        write_blt(Election(("A", "B"), 1, ((1, (0, 0)),)))
    with pytest.raises(BltError, match="weight"):
        write_blt(Election(("A",), 1, ((0, (0,)),)))


def test_writes_the_format() -> None:
    election = Election(("Adam", "Basil"), 1, ((3, (1, 0)), (1, ())), frozenset({0}), "Chair")
    assert write_blt(election) == '2 1\n-1\n3 2 1 0\n1 0\n0\n"Adam"\n"Basil"\n"Chair"\n'


TEXT = st.characters(exclude_characters='"\r\n', exclude_categories=["Cs"])
names = st.text(alphabet=TEXT, min_size=1).filter(str.strip)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    n = draw(st.integers(1, 8))
    ballots = tuple(
        (draw(st.integers(1, 1000)), tuple(draw(st.permutations(range(n)))[: draw(st.integers(0, n))]))
        for _ in range(draw(st.integers(0, 12)))
    )
    return Election(
        tuple(draw(names) for _ in range(n)),
        draw(st.integers(1, 5)),
        ballots,
        draw(st.frozensets(st.integers(0, n - 1))),
        draw(st.text(alphabet=TEXT)),
    )


@settings(max_examples=200, deadline=None)
@given(elections())
def test_round_trip(election: Election) -> None:
    assert parse_blt(write_blt(election)) == election


@pytest.mark.parametrize("path", sorted(STV.glob("*/*.blt")) or [STV / "missing.blt"], ids=lambda p: p.stem)
def test_reference_files_round_trip(path: Path) -> None:
    if not path.is_file():
        pytest.fail(f"The STV reference data is missing: expected BLT files under {STV}")
    election = read_blt(path)
    assert parse_blt(write_blt(election)) == election


# -- the recount CLI ----------------------------------------------------------------------------------


def test_cli_prints_the_sheet_and_winners(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "chair.blt"
    path.write_text('3 1\n4 1 0\n3 2 3 0\n2 3 2 0\n0\n"Ada"\n"Ben"\n"RON"\n"Chair"\n')
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "Chair" in out and "Quota" in out and "Non-transferable" in out
    assert "Exclusion of" in out
    assert out.rstrip().endswith("Winners in order of election: Ben")


def test_cli_json_and_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "chair.blt"
    path.write_text('3 1\n5 3 0\n3 2 0\n2 1 0\n0\n"Ada"\n"Ben"\n"RON"\n"Chair"\n')
    assert main([str(path), "--json", "--ron", "protected", "--seed", "4"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winners"] == [] and data["vacant_seats"] == 1
    assert data["ron"] == "RON" and data["ron_mode"] == "protected" and data["seed"] == 4
    assert data["elected"] == [{"candidate": "RON", "stage": 1, "ron": True}]
    assert data["quota"] == "5.00"
    # --ron-candidate 0: no RON, so the candidate named RON takes the seat.
    assert main([str(path), "--json", "--ron-candidate", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["RON"]


def test_cli_refuses_a_malformed_file_with_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.blt"
    path.write_text('2 1\n1 1 1 0\n0\n"A"\n"B"\n')
    assert main([str(path)]) == 2
    assert capsys.readouterr().err.strip() == f"{path}: line 2: candidate 1 is ranked twice"
    assert main([str(tmp_path / "absent.blt")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_cli_runs_as_a_module_without_django(tmp_path: Path) -> None:
    path = tmp_path / "chair.blt"
    path.write_text('2 1\n3 1 0\n1 2 0\n0\n"Ada"\n"Ben"\n"Chair"\n')
    run = subprocess.run(
        [sys.executable, "-m", "quad.elections.counting", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Winners in order of election: Ada" in run.stdout
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, quad.elections.counting.__main__; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip() == "[]"


def test_reference_counts_match_from_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    path = STV / "02-edinburgh-2017-ward13-leith" / "edinburgh-2017-ward13-leith.blt"
    if not path.is_file():
        pytest.fail(f"The STV reference data is missing: {path}")
    assert main([str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["candidate"] for e in data["elected"]] == ["Adam MCVEY", "Chas BOOTH", "Gordon John MUNRO"]
    assert data["quota"] == "1903.25"
    assert data == count(read_blt(path)).to_dict()
