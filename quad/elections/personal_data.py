"""What elections holds about a person: their candidacies and manifestos, that they voted (never how),
their complaints, and the elections they ran. Registered with `quad.core.personal_data`.

Ballots are anonymous already: a `Ballot` has no voter and nothing joins it to a `VoteRecord`, so erasure
has no ballot to find. Vote records stay, pointing at the anonymous stub, so turnout stays true. Candidate
rows stay too (results point at them) but lose the manifesto and photo, and the published count names the
stub instead of the person. Erasure waits while an election the person stands in or runs is uncertified.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q

from quad.accounts.personal_data import ERASED, erased_name, redact_rows
from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register
from quad.elections.models import Candidate, Complaint, CountResult, Election, VoteRecord

# --- Export -------------------------------------------------------------------------------------


def _outcome(candidate: Candidate) -> str:
    result = getattr(candidate.post, "result", None)
    if candidate.withdrawn_at is not None:
        return "Withdrew"
    if result is None:
        return "Not counted yet"
    return "Elected" if candidate.pk in result.winners else "Not elected"


def _export(user: Any) -> list[ExportSection]:
    candidacies = (
        Candidate.objects.filter(user=user)
        .select_related("post__election__society", "post__result")
        .order_by("nominated_at", "id")
    )
    votes = (
        VoteRecord.objects.filter(voter=user)
        .select_related("post__election__society")
        .order_by("post__election__voting_open_at", "post__order", "id")
    )
    complaints = Complaint.objects.filter(complainant=user).select_related("election__society").order_by("created_at")
    ran = (
        Election.objects.filter(Q(returning_officer=user) | Q(created_by=user) | Q(certified_by=user))
        .select_related("society")
        .order_by("voting_open_at", "id")
    )
    return [
        ExportSection(
            "Your candidacies",
            [
                {
                    "election": c.post.election.title,
                    "society": c.post.election.society.name,
                    "post": c.post.name,
                    "nominated": iso(c.nominated_at),
                    "withdrawn": iso(c.withdrawn_at),
                    "manifesto": c.manifesto,
                    "photo": bool(c.photo),
                    "outcome": _outcome(c),
                }
                for c in candidacies
            ],
        ),
        ExportSection(
            "Elections you voted in",
            [
                {"election": v.post.election.title, "society": v.post.election.society.name, "post": v.post.name}
                for v in votes
            ],
            note="Quad records that you voted, never how: ballots are stored apart with nothing that links them "
            "to you. If your account is erased these records stay, anonymous, so that turnout stays true.",
        ),
        ExportSection(
            "Your complaints about elections",
            [
                {
                    "election": c.election.title,
                    "society": c.election.society.name,
                    "made": iso(c.created_at),
                    "complaint": c.text,
                    "outcome": c.get_status_display(),
                    "response": c.response,
                }
                for c in complaints
            ],
        ),
        ExportSection(
            "Elections you ran",
            [
                {
                    "election": e.title,
                    "society": e.society.name,
                    "returning officer": e.returning_officer_id == user.pk,
                    "set it up": e.created_by_id == user.pk,
                    "certified it": e.certified_by_id == user.pk,
                    "certified": iso(e.certified_at),
                }
                for e in ran
            ],
        ),
    ]


# --- Refusals -----------------------------------------------------------------------------------


def _refuse(user: Any) -> list[str]:
    reasons = []
    uncertified = Q(certified_at__isnull=True)
    for candidate in Candidate.objects.filter(user=user, post__election__certified_at__isnull=True).select_related(
        "post__election__society"
    ):
        election = candidate.post.election
        doing = "standing" if candidate.withdrawn_at is None else "withdrawn, but named in the count"
        reasons.append(
            f"A candidacy ({doing}) for {candidate.post.name} in the {election.society.name} election "
            f"“{election.title}”: the election has not been certified yet."
        )
    for election in Election.objects.filter(uncertified, returning_officer=user).select_related("society"):
        reasons.append(
            f"Returning officer of the {election.society.name} election “{election.title}”, "
            "which has not been certified yet."
        )
    for complaint in Complaint.objects.filter(complainant=user, status=Complaint.Status.OPEN).select_related(
        "election__society"
    ):
        reasons.append(
            f"A complaint about the {complaint.election.society.name} election “{complaint.election.title}” "
            "has not been answered yet."
        )
    return reasons


# --- Erasure ------------------------------------------------------------------------------------


def _renamer(names: list[str], old: str, new: str) -> Callable[[str], str]:
    """Replace the candidate name `old` by `new` wherever it stands as a name in a text, not inside a
    longer candidate name ("Sam" in "Sam Smith") or a word."""
    alternatives = "|".join(re.escape(name) for name in sorted({n for n in names if n}, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    def rename(text: str) -> str:
        return pattern.sub(lambda match: new if match.group(0) == old else match.group(0), text)

    return rename


def _renamed(value: Any, rename: Callable[[str], str]) -> Any:
    if isinstance(value, dict):
        return {rename(key) if isinstance(key, str) else key: _renamed(item, rename) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed(item, rename) for item in value]
    if isinstance(value, str):
        return rename(value)
    return value


def _renamed_sheet(sheet: str, rename: Callable[[str], str]) -> str:
    """The fixed-width result sheet with the name changed, its name column widened if the new name needs it."""
    lines = sheet.split("\n")
    gap = " | "
    header = next((line for line in lines if line.startswith("Stage") and gap in line), None)
    if header is None:
        return rename(sheet)
    width = header.index(gap)
    table = [len(line) >= width + len(gap) and line[width : width + len(gap)] == gap for line in lines]
    labels = [rename(line[:width].rstrip()) if in_table else "" for line, in_table in zip(lines, table, strict=True)]
    new_width = max([width, *(len(label) for label in labels)])
    out = []
    for line, in_table, label in zip(lines, table, labels, strict=True):
        if in_table:
            out.append(label.ljust(new_width) + line[width:])
        elif line and set(line) == {"-"}:
            out.append(line + "-" * (new_width - width))
        else:
            out.append(rename(line))
    return "\n".join(out)


def _rename_in_results(user: Any) -> int:
    """Counted posts the person stood for: their name in the count record and the result sheet becomes
    the stub's. The count itself (every number) is unchanged."""
    changed = 0
    for candidate in Candidate.objects.filter(user=user, post__result__isnull=False):
        result = CountResult.objects.get(post_id=candidate.post_id)
        order = list(Candidate.objects.filter(post_id=candidate.post_id).order_by("id").values_list("pk", flat=True))
        names = list(result.record.get("candidates", []))
        index = order.index(candidate.pk)
        if index >= len(names):  # not in this count (cannot happen: every candidate is counted)
            continue
        rename = _renamer(names, names[index], erased_name(user))
        result.record = _renamed(result.record, rename)
        result.sheet = _renamed_sheet(result.sheet, rename)
        result.save(update_fields=["record", "sheet"])
        changed += 1
    return changed


def _erase(user: Any, erasure: Erasure) -> None:
    candidacies = list(Candidate.objects.filter(user=user))
    manifestos = 0
    for candidate in candidacies:
        fields = []
        if candidate.manifesto:
            candidate.manifesto = ""
            fields.append("manifesto")
            manifestos += 1
        if candidate.photo:
            # The file goes only if the whole erasure commits.
            transaction.on_commit(partial(candidate.photo.storage.delete, candidate.photo.name))
            candidate.photo = None  # type: ignore[assignment]
            fields.append("photo")
        if fields:
            candidate.save(update_fields=fields)
    erasure.count("manifestos", manifestos)
    erasure.count("election results naming the person", _rename_in_results(user))
    complaints = Complaint.objects.filter(complainant=user).exclude(text=ERASED)
    erasure.count("election complaints", complaints.update(text=ERASED))
    erasure.count(
        "responses to complaints naming the person",
        redact_rows(Complaint.objects.filter(complainant=user), ["response"], user),
    )
    if candidacies:
        erasure.keep("Candidacies in certified elections, without manifesto or photo, under the anonymous stub.")
    if VoteRecord.objects.filter(voter=user).exists():
        erasure.keep("Records that they voted (never how), under the anonymous stub, so that turnout stays true.")


register(
    PersonalData(
        app="elections",
        title="Elections",
        models=(
            "elections.Election",
            "elections.Candidate",
            "elections.VoteRecord",
            "elections.CountResult",
            "elections.Complaint",
        ),
        holdings=(
            Holding(
                what="Your candidacies: the post, your manifesto and photo, and the result, which names you",
                why="To run the society's elections openly",
                basis="Legitimate interests (democratic running of societies, union guidance)",
                kept="With the election, as the society's record; the manifesto and photo are deleted and the "
                "result names an anonymous stub if your account is erased",
            ),
            Holding(
                what="That you voted for a post (never how you voted: ballots are stored apart, with nothing "
                "that links them to you)",
                why="To stop anyone voting twice and to publish turnout",
                basis="Legitimate interests",
                kept="With the election; anonymous once your account is erased",
            ),
            Holding(
                what="Complaints you make about an election, and the returning officer's response",
                why="So the returning officer can decide them before certifying the result",
                basis="Legitimate interests",
                kept="With the election; your words are deleted if your account is erased",
            ),
            Holding(
                what="Elections you set up, count or certify as a committee member or returning officer",
                why="So the union can account for how an election was run",
                basis="Legitimate interests",
                kept="With the election",
            ),
        ),
        export=_export,
        erase=_erase,
        refuse=_refuse,
    )
)
