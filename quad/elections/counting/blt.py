"""BLT ballot files (Hill, Wichmann & Woodall, "Algorithm 123", 1987), read and written.

    4 2          4 candidates, 2 seats
    -2           optional: candidate 2 withdrawn (several on a line, or several lines)
    3 1 3 4 0    3 identical ballots ranking candidates 1 > 3 > 4, ended by 0
    0            end of ballots
    "Adam"       candidate names in number order, quoted
    "Title"      the election's title, quoted

Blank lines are ignored, and so is a ``#`` comment in the numeric part. Anything else that does not fit
is refused with a BltError naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .model import CountError, Election

_INT = re.compile(r"[0-9]+")
_QUOTED = re.compile(r'\s*"([^"\n]*)"\s*')


class BltError(ValueError):
    """A BLT file that cannot be read, or an election that cannot be written as one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


def _whole(token: str, line: int, what: str) -> int:
    if not _INT.fullmatch(token):
        raise BltError(f"{what} must be a whole number, not {token!r}", line)
    return int(token)


def _quoted(text: str, line: int) -> list[str]:
    """Every quoted string on a line; anything else on it is an error."""
    found: list[str] = []
    pos = 0
    while pos < len(text):
        match = _QUOTED.match(text, pos)
        if not match:
            rest = text[pos:].strip()
            if rest.count('"') % 2:
                raise BltError(f"unterminated quoted name: {rest!r}", line)
            raise BltError(f'expected a quoted name like "Alex Smith", found {rest!r}', line)
        found.append(match.group(1))
        pos = match.end()
    return found


def parse_blt(text: str) -> Election:
    """An Election from the text of a BLT file."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = iter(enumerate(lines, start=1))

    def numeric_lines() -> Iterator[tuple[int, list[str]]]:
        for number, raw in numbered:
            tokens = raw.split("#", 1)[0].split()
            if tokens:
                yield number, tokens

    numeric = numeric_lines()
    try:
        number, tokens = next(numeric)
    except StopIteration:
        raise BltError("the file is empty: expected a first line 'candidates seats'", 1) from None
    if len(tokens) != 2:
        raise BltError(f"the first line must be two numbers, 'candidates seats', not {' '.join(tokens)!r}", number)
    n = _whole(tokens[0], number, "the number of candidates")
    seats = _whole(tokens[1], number, "the number of seats")
    if n < 1:
        raise BltError("there must be at least one candidate", number)
    if seats < 1:
        raise BltError("there must be at least one seat", number)

    withdrawn: set[int] = set()
    ballots: list[tuple[int, tuple[int, ...]]] = []
    last = number
    for number, tokens in numeric:
        last = number
        if tokens == ["0"]:
            break
        if tokens[0].startswith("-"):
            if ballots:
                raise BltError("withdrawn candidates (negative numbers) must come before the ballots", number)
            for token in tokens:
                if not token.startswith("-"):
                    raise BltError(f"a withdrawn-candidates line holds only negative numbers, not {token!r}", number)
                c = _whole(token[1:], number, "a withdrawn candidate")
                if not 1 <= c <= n:
                    raise BltError(f"withdrawn candidate {c} is not one of the {n} candidates", number)
                withdrawn.add(c - 1)
            continue
        if tokens[0].startswith('"'):
            raise BltError("a candidate name came before the terminating 0 line that ends the ballots", number)
        weight = _whole(tokens[0], number, "a ballot's weight (first number)")
        if weight < 1:
            raise BltError("a ballot's weight must be at least 1 (a line holding only 0 ends the ballots)", number)
        if tokens[-1] != "0" or len(tokens) < 2:
            raise BltError("a ballot line must end with 0", number)
        ranking: list[int] = []
        for token in tokens[1:-1]:
            if token in {"-", "="} or "=" in token:
                raise BltError(f"skipped or equal preferences ({token!r}) are not supported", number)
            c = _whole(token, number, "a preference")
            if c == 0:
                raise BltError("0 may only end a ballot line", number)
            if c > n:
                raise BltError(f"candidate {c} is not one of the {n} candidates", number)
            if c - 1 in ranking:
                raise BltError(f"candidate {c} is ranked twice", number)
            ranking.append(c - 1)
        ballots.append((weight, tuple(ranking)))
    else:
        raise BltError("the file ended before the terminating 0 line that ends the ballots", last)

    strings: list[tuple[int, str]] = []
    for number, raw in numbered:
        if raw.strip():
            strings.extend((number, s) for s in _quoted(raw, number))
    if len(strings) < n:
        raise BltError(
            f"expected {n} quoted candidate names after the ballots, found {len(strings)}",
            strings[-1][0] if strings else last,
        )
    names = [s for _, s in strings[:n]]
    for number, name in strings[:n]:
        if not name.strip():
            raise BltError("a candidate name is empty", number)
    if len(strings) > n + 1:
        number, extra = strings[n + 1]
        raise BltError(f"unexpected text after the title: {extra!r}", number)
    title = strings[n][1] if len(strings) > n else ""
    try:
        return Election(tuple(names), seats, tuple(ballots), frozenset(withdrawn), title)
    except CountError as error:  # pragma: no cover - the checks above come first
        raise BltError(str(error)) from error


def read_blt(path: str | Path) -> Election:
    """An Election from a BLT file on disk (UTF-8)."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise BltError(f"the file is not UTF-8 text (byte {error.start})") from error
    return parse_blt(text)


def _check_text(value: str, what: str) -> None:
    if '"' in value or "\n" in value or "\r" in value:
        raise BltError(f"{what} {value!r} cannot be written to BLT: it holds a double quote or line break")


def write_blt(election: Election) -> str:
    """The BLT text of an election; ballots written in the order given."""
    try:
        election.check_ballots()
    except CountError as error:
        raise BltError(str(error)) from error
    for name in election.candidates:
        _check_text(name, "candidate name")
        if not name.strip():
            raise BltError("a candidate name is empty")
    _check_text(election.title, "title")
    out = [f"{len(election.candidates)} {election.seats}"]
    if election.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(election.withdrawn)))
    out.extend(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]) for weight, ranking in election.ballots)
    out.append("0")
    out.extend(f'"{name}"' for name in election.candidates)
    out.append(f'"{election.title}"')
    return "\n".join(out) + "\n"
