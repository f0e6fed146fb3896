"""An ERS-style result sheet: a row per candidate, a column pair (transfers, totals) per stage."""

from __future__ import annotations

import textwrap

from .model import CountResult, Stage, hundredths


def _signed(value: int) -> str:
    if value == 0:
        return ""
    return ("+" if value > 0 else "") + hundredths(value)


def _stage_label(result: CountResult, stage: Stage) -> list[str]:
    names = " + ".join(result.candidates[c] for c in stage.subjects)
    if stage.action == "first":
        return ["First", "preferences"]
    return ["Surplus of" if stage.action == "surplus" else "Exclusion of", names]


def result_sheet(result: CountResult) -> str:
    """The whole count as fixed-width text: the table, then what happened at each stage, then the result."""
    names = result.candidates
    shown = [c for c in range(len(names)) if c not in result.withdrawn]
    stages = result.stages
    biggest = max([result.valid_votes, *(abs(v) for s in stages for v in s.transfers)], default=0)
    width = max(9, len(hundredths(biggest)) + 2)
    pair = 2 * width
    label_width = max([len("Non-transferable"), len("Loss of fractions"), *(len(names[c]) for c in shown)])

    first = max(width, len("preferences") + 1)

    def cell_width(stage: Stage) -> int:
        return first if stage.action == "first" else pair

    def header_cell(text: str, stage: Stage) -> str:
        return text.center(cell_width(stage))[: cell_width(stage)]

    lines: list[str] = []
    if result.title:
        lines.append(result.title)
    lines.append(
        f"ERS97 STV count, {result.seats} seat{'s' if result.seats != 1 else ''}, "
        f"{len(shown)} candidate{'s' if len(shown) != 1 else ''}"
        + (f", withdrawn: {', '.join(names[c] for c in result.withdrawn)}" if result.withdrawn else "")
    )
    lines.append(
        f"Ballots {result.ballots}, invalid {result.invalid_ballots}, valid votes {hundredths(result.valid_votes)}"
        f", quota {hundredths(result.quota)}"
    )
    if result.ron_candidate is not None:
        lines.append(f"RON: {names[result.ron_candidate]} ({result.ron_mode} convention)")
    lines.append("")

    # Header: stage numbers, then the action wrapped over the column pair.
    wrapped: list[list[str]] = []
    for stage in stages:
        top, rest = _stage_label(result, stage)
        wrapped.append([top, *textwrap.wrap(rest, cell_width(stage) - 1)])
    depth = max(len(w) for w in wrapped)
    gap = " | "
    lines.append("Stage".ljust(label_width) + gap + gap.join(header_cell(str(s.number), s) for s in stages))
    for line in range(depth):
        cells = [header_cell(w[line] if line < len(w) else "", s) for w, s in zip(wrapped, stages, strict=True)]
        lines.append(" " * label_width + gap + gap.join(cells))
    columns = []
    for stage in stages:
        if stage.action == "first":
            columns.append("Votes".rjust(first))
        else:
            columns.append("Transfers".rjust(width) + "Totals".rjust(width))
    lines.append("Candidate".ljust(label_width) + gap + gap.join(columns) + gap + "Result")
    rule = "-" * len(lines[-1])
    lines.append(rule)

    def status(c: int) -> str:
        if c in result.elected:
            text = f"Elected at stage {result.elected_at(c)}"
            if c == result.ron_candidate:
                text += ": RON, seat left vacant"
            return text
        at = result.excluded_at(c)
        if at is not None:
            return f"Excluded at stage {at}"
        return result.status[c].capitalize()

    def row(label: str, values: list[tuple[int, int]], tail: str = "", dash_from: int | None = None) -> str:
        cells = []
        for i, (stage, (change, total)) in enumerate(zip(stages, values, strict=True)):
            total_text = hundredths(total)
            if dash_from is not None and i >= dash_from and total == 0:
                total_text = "-"
            if stage.action == "first":
                cells.append(total_text.rjust(first))
            else:
                cells.append(_signed(change).rjust(width) + total_text.rjust(width))
        return label.ljust(label_width) + gap + gap.join(cells) + (gap + tail if tail else "")

    for c in shown:
        dash_from = next((s.number - 1 for s in stages if c in s.excluded), None)
        lines.append(row(names[c], [(s.transfers[c], s.totals[c]) for s in stages], status(c), dash_from))
    lines.append(row("Non-transferable", [(s.nontransferable_change, s.nontransferable) for s in stages]))
    lines.append(row("Loss of fractions", [(s.loss_of_fractions_change, s.loss_of_fractions) for s in stages]))
    lines.append(
        row(
            "Totals",
            [(0, sum(s.totals) + s.nontransferable + s.loss_of_fractions) for s in stages],
        )
    )
    lines.append(rule)
    quota_cells = []
    for stage in stages:
        text = hundredths(stage.quota)
        quota_cells.append(text.rjust(first) if stage.action == "first" else " " * width + text.rjust(width))
    lines.append("Quota".ljust(label_width) + gap + gap.join(quota_cells))
    lines.append("")

    # What happened at each stage.
    for stage in stages:
        words = [f"Stage {stage.number}: {result.describe(stage).removesuffix('.')}."]
        if stage.action == "surplus":
            surplus = -stage.transfers[stage.subjects[0]]
            if stage.transfer_value is None:
                words.append(f"Surplus {hundredths(surplus)}.")
            else:
                words.append(
                    f"Surplus {hundredths(surplus)} over {stage.transferable_papers} transferable papers: "
                    f"transfer value {hundredths(stage.transfer_value)}."
                )
        for sub in stage.substages:
            text = f"Batch at {hundredths(sub.transfer_value)}: {sub.papers} papers."
            if sub.elected:
                text += " Elected: " + ", ".join(names[c] for c in sub.elected).removesuffix(".") + "."
            words.append(text)
        for lot in stage.lots:
            words.append(
                f"{', '.join(names[c] for c in lot.tied)} were tied at every point of the count; "
                f"by lot (seed {lot.seed}) {names[lot.chosen]} "
                + ("is excluded." if lot.purpose == "exclusion" else "has the surplus transferred first.")
            )
        words.extend(note + ("" if note.endswith(".") else ".") for note in stage.notes)
        if stage.elected and not stage.substages:
            words.append("Elected: " + ", ".join(names[c] for c in stage.elected).removesuffix(".") + ".")
        if stage.formally_excluded:
            words.append(
                "Every place is filled: " + ", ".join(names[c] for c in stage.formally_excluded) + " excluded."
            )
        lines.extend(textwrap.wrap(" ".join(words), 100, subsequent_indent="    "))
    lines.append("")
    lines.extend(result.notes)
    lines.append("Elected in order of election:")
    for place, c in enumerate(result.elected, start=1):
        ron = " - RON: this seat is left vacant for re-opened nominations" if c == result.ron_candidate else ""
        lines.append(f"  {place}. {names[c]} (stage {result.elected_at(c)}){ron}")
    if not result.elected:
        lines.append("  (no one)")
    if result.vacant_seats:
        lines.append(f"Vacant seats: {result.vacant_seats}")
    return "\n".join(lines) + "\n"
