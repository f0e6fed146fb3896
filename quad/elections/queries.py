"""Reads for the election pages: the ballot paper, and the result sheet and chart drawn from a count record.

The sheet and the chart are built from `CountResult.record` (the engine's `to_dict()`): vote values are
exact decimal strings, so they are handled as `Decimal`, never floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch

from quad.elections import services
from quad.elections.models import Ballot, Candidate, CountResult, Election, Post, VoteRecord

ZERO = Decimal("0")


def posts_with_candidates(election: Election) -> list[Post]:
    """Each post with `standing` (RON last) and `withdrawn` candidates, in two queries."""
    posts: list[Post] = list(
        election.posts.prefetch_related(
            Prefetch("candidates", queryset=Candidate.objects.select_related("user"), to_attr="all_candidates")
        )
    )
    for post in posts:
        everyone: list[Candidate] = post.all_candidates  # type: ignore[attr-defined]
        post.standing = [c for c in everyone if c.withdrawn_at is None]  # type: ignore[attr-defined]
        post.withdrawn = [c for c in everyone if c.withdrawn_at is not None]  # type: ignore[attr-defined]
    return posts


def voted_post_ids(election: Election, user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(VoteRecord.objects.filter(post__election=election, voter=user).values_list("post_id", flat=True))


def turnout_by_post(election: Election) -> tuple[dict[int, int], int]:
    """How many have voted for each post (never who), and how many may vote."""
    counts = dict(election.posts.annotate(voted=Count("vote_records")).values_list("pk", "voted"))
    return counts, services.eligible_voters(election).count()


# --- The result sheet and the chart --------------------------------------------------------------


def _signed(value: Decimal) -> str:
    if value == 0:
        return ""
    return f"+{value:.2f}" if value > 0 else f"{value:.2f}"


@dataclass(frozen=True)
class StageColumn:
    number: int
    first: bool
    description: str
    quota: str
    note: str


@dataclass(frozen=True)
class Cell:
    stage: int
    first: bool
    transfer: str
    total: str


@dataclass(frozen=True)
class SheetRow:
    label: str
    cells: list[Cell]
    result: str = ""
    is_ron: bool = False


@dataclass(frozen=True)
class Bar:
    name: str
    votes: str
    width: int  # of 1000, on a scale shared by every stage of the post
    state: str  # "elected", "excluded" or ""


@dataclass(frozen=True)
class ChartStage:
    number: int
    description: str
    quota: str
    quota_at: int  # of 1000
    bars: list[Bar]


@dataclass
class PostResult:
    post: Post
    result: CountResult
    winners: list[Candidate]
    voted: int
    eligible: int
    stages: list[StageColumn] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)
    chart: list[ChartStage] = field(default_factory=list)
    receipt_codes: list[str] = field(default_factory=list)

    @property
    def turnout_percent(self) -> int:
        return round(100 * self.voted / self.eligible) if self.eligible else 0

    @property
    def ron_elected(self) -> bool:
        return any(e.get("ron") for e in self.result.record.get("elected", []))


def _fates(record: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """Each candidate's name → ("elected" | "excluded", stage)."""
    fates: dict[str, tuple[str, int]] = {}
    for stage in record["stages"]:
        for name in stage["elected"]:
            fates[name] = ("elected", stage["stage"])
        for name in [*stage["excluded"], *stage["formally_excluded"]]:
            fates.setdefault(name, ("excluded", stage["stage"]))
    return fates


def result_sheet_table(record: dict[str, Any]) -> tuple[list[StageColumn], list[SheetRow]]:
    """The ERS result sheet as rows and columns: a (transfers, totals) pair per stage, the first stage's
    votes alone; then non-transferable votes, loss of fractions and the quota."""
    stages = record["stages"]
    withdrawn = set(record["withdrawn"])
    ron = record.get("ron")
    names = [n for n in record["candidates"] if n not in withdrawn and n != ron] + ([ron] if ron else [])
    fates = _fates(record)

    columns = []
    for stage in stages:
        notes = []
        if stage.get("transfer_value"):
            notes.append(f"transfer value {stage['transfer_value']}")
        if stage["elected"]:
            notes.append("elected: " + ", ".join(stage["elected"]))
        if stage["formally_excluded"]:
            notes.append("excluded as every place is filled: " + ", ".join(stage["formally_excluded"]))
        columns.append(
            StageColumn(
                number=stage["stage"],
                first=stage["action"] == "first",
                description=stage["description"],
                quota=stage["quota"],
                note="; ".join(notes),
            )
        )

    rows = []
    for name in names:
        cells = []
        gone = False
        for stage in stages:
            total = Decimal(stage["totals"].get(name, "0"))
            gone = gone or name in stage["excluded"]
            cells.append(
                Cell(
                    stage=stage["stage"],
                    first=stage["action"] == "first",
                    transfer=_signed(Decimal(stage["transfers"].get(name, "0"))),
                    total="-" if gone and total == 0 else f"{total:.2f}",
                )
            )
        fate = fates.get(name)
        result = f"{fate[0].capitalize()} at stage {fate[1]}" if fate else ""
        if name == ron and fate and fate[0] == "elected":
            result += " (seat left vacant)"
        rows.append(SheetRow(label=name, cells=cells, result=result, is_ron=name == ron))

    for label, key in (("Non-transferable", "non_transferable"), ("Loss of fractions", "loss_of_fractions")):
        cells, before = [], ZERO
        for stage in stages:
            now = Decimal(stage[key])
            cells.append(
                Cell(stage["stage"], stage["action"] == "first", transfer=_signed(now - before), total=f"{now:.2f}")
            )
            before = now
        rows.append(SheetRow(label=label, cells=cells))
    quota = [Cell(s["stage"], s["action"] == "first", transfer="", total=s["quota"]) for s in stages]
    rows.append(SheetRow(label="Quota", cells=quota))
    return columns, rows


def count_chart(record: dict[str, Any]) -> list[ChartStage]:
    """Each candidate's votes at the end of each stage, scaled to the largest total or quota seen."""
    stages = record["stages"]
    ron = record.get("ron")
    withdrawn = set(record["withdrawn"])
    names = [n for n in record["candidates"] if n not in withdrawn and n != ron] + ([ron] if ron else [])
    biggest = max(
        [Decimal(v) for s in stages for v in s["totals"].values()] + [Decimal(s["quota"]) for s in stages] + [ZERO]
    )
    scale = biggest if biggest > 0 else Decimal(1)

    def width(value: Decimal) -> int:
        return int(value * 1000 / scale)

    chart: list[ChartStage] = []
    elected: set[str] = set()
    excluded: set[str] = set()
    for stage in stages:
        elected.update(stage["elected"])
        excluded.update(stage["excluded"], stage["formally_excluded"])
        bars = []
        for name in names:
            votes = Decimal(stage["totals"].get(name, "0"))
            state = "elected" if name in elected else "excluded" if name in excluded else ""
            bars.append(Bar(name=name, votes=f"{votes:.2f}", width=width(votes), state=state))
        chart.append(
            ChartStage(
                number=stage["stage"],
                description=stage["description"],
                quota=stage["quota"],
                quota_at=width(Decimal(stage["quota"])),
                bars=bars,
            )
        )
    return chart


def results_for(election: Election) -> list[PostResult]:
    voted, eligible = turnout_by_post(election)
    posts = list(election.posts.select_related("result"))
    winner_ids = [pk for post in posts for pk in post.result.winners]
    candidates = Candidate.objects.select_related("user").in_bulk(winner_ids)
    results = []
    for post in posts:
        result = post.result
        stages, rows = result_sheet_table(result.record)
        results.append(
            PostResult(
                post=post,
                result=result,
                winners=[candidates[pk] for pk in result.winners if pk in candidates],
                voted=voted.get(post.pk, 0),
                eligible=eligible,
                stages=stages,
                rows=rows,
                chart=count_chart(result.record),
                receipt_codes=services.receipt_codes(post),
            )
        )
    return results


def find_receipt(election: Election, code: str) -> Post | None:
    """The post a counted ballot with this receipt code was cast for, or None."""
    ballot = Ballot.objects.filter(post__election=election, receipt_code=code).select_related("post").first()
    return ballot.post if ballot else None
