"""The STV counting engine: 1,000,000 ballots, 15 candidates, 3 seats (ERS97); and pyrankvote for comparison.

    .venv/bin/python -m bench.stv            # 1,000,000 ballots; 100,000 through both engines
    .venv/bin/python -m bench.stv --quick    # 100,000 ballots; 10,000 through both engines (well under a minute)

What it does, start to finish (pure Python in this process: no database, no Django):
1. makes the ballots of a realistic committee election, seeded: 15 candidates on three slates; each voter
   backs a slate (45/35/20%) and ranks candidates by a Plackett-Luce draw from skewed popularity (Zipf,
   their own slate's candidates four times as likely), stopping after 1 + Exp(0.3) preferences — most rank
   two to five, a few rank all fifteen;
2. times `ers97.count_rankings` on them (the best of three counts; the input is a list of rankings, each a
   tuple of candidate numbers, as the service reads them from the database);
3. does the same for the worst case: every ballot a uniformly random complete ranking of all 15, so
   almost no two ballots are alike and no candidate dominates;
4. counts the first 100,000 realistic ballots with both this engine and pyrankvote's
   `single_transferable_vote` (best of three each) and reports the ratio, and whether the two elected the
   same people: pyrankvote's STV is not ERS97 (Droop quota as a float, surpluses spread over all of a
   candidate's ballots at one fraction, no deferred surpluses), so they may differ; a difference is
   reported, not hidden. `ratio` is from the same input (the rankings) to the winners, so pyrankvote's time
   includes building its Ballot objects, as this engine's includes reading the rankings;
   `ratio_count_only` leaves the Ballot objects out.

pyrankvote is installed for this benchmark only (never in requirements.lock): `make bench` installs
bench/requirements.txt (pinned, with hashes) first; run on its own, this module installs it the same way
when it is missing and says so. Without it the engine figures are still reported.

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from quad.elections.counting import CountResult, ers97

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "bench" / "requirements.txt"
CANDIDATES = 15
SEATS = 3
SLATES = ((0, 1, 2, 3, 4), (5, 6, 7, 8, 9), (10, 11, 12, 13, 14))
SLATE_SHARE = (0.45, 0.35, 0.20)
OWN_SLATE_BOOST = 4.0
ZIPF = 0.8
STOP_RATE = 0.3  # preferences ranked: 1 + Exp(0.3), at most all 15
SEED = 97
TARGET_SECONDS = 3.0
TARGET_RATIO = 50.0
REPEATS = 3

Ranking = tuple[int, ...]


def names() -> list[str]:
    return [f"Candidate {chr(ord('A') + i)}" for i in range(CANDIDATES)]


def realistic_ballots(n: int, rng: random.Random) -> list[Ranking]:
    """Truncated preference lists with skewed popularity and slate loyalty (see the module's docstring)."""
    popularity = [1 / (rank + 1) ** ZIPF for rank in range(CANDIDATES)]
    rng.shuffle(popularity)
    weights_by_slate = [
        [w * (OWN_SLATE_BOOST if c in slate else 1.0) for c, w in enumerate(popularity)] for slate in SLATES
    ]
    slates = rng.choices(range(len(SLATES)), weights=SLATE_SHARE, k=n)
    draw = rng.expovariate
    everyone = range(CANDIDATES)
    ballots = []
    for slate in slates:
        weights = weights_by_slate[slate]
        # Plackett-Luce: sorting Exp(w) draws ranks each candidate with probability proportional to w.
        keys = [draw(w) for w in weights]
        order = sorted(everyone, key=keys.__getitem__)
        ballots.append(tuple(order[: 1 + int(draw(STOP_RATE))]))
    return ballots


def uniform_ballots(n: int, rng: random.Random) -> list[Ranking]:
    everyone = list(range(CANDIDATES))
    return [tuple(rng.sample(everyone, CANDIDATES)) for _ in range(n)]


def best_of(repeats: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def count(ballots: Sequence[Ranking]) -> CountResult:
    return ers97.count_rankings(names(), SEATS, ballots, ron_candidate=None, seed=SEED)


def worst_case(n: int, compared_n: int, rng: random.Random) -> tuple[float, CountResult, list[Ranking]]:
    """Uniformly random complete rankings, counted; the first `compared_n` are kept for the comparison."""
    uniform = uniform_ballots(n, rng)
    seconds, result = best_of(REPEATS, lambda: count(uniform))
    return seconds, result, uniform[:compared_n]


def ensure_pyrankvote() -> tuple[Any, str]:
    """pyrankvote, installed from bench/requirements.txt if it is missing; (module, version) or (None, why not)."""
    try:
        module = importlib.import_module("pyrankvote")
    except ImportError:
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps"]
        print(f"pyrankvote is missing: installing {REQUIREMENTS.relative_to(ROOT)} (for this benchmark only)")
        done = subprocess.run([*command, "-r", str(REQUIREMENTS)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return None, f"could not install pyrankvote: {done.stderr.strip()[-300:]}"
        importlib.invalidate_caches()
        module = importlib.import_module("pyrankvote")
        print(f"installed pyrankvote {importlib.metadata.version('pyrankvote')}")
    return module, importlib.metadata.version("pyrankvote")


def head_to_head(ballots: Sequence[Ranking], prefix: str = "") -> dict[str, Any]:
    """This engine and pyrankvote count the same ballots (best of three each): times, ratios, winners."""
    engine_s, engine = best_of(REPEATS, lambda: count(ballots))
    figures: dict[str, Any] = {f"{prefix}engine_compared_s": round(engine_s, 4)}
    pyrankvote, version = ensure_pyrankvote()
    if pyrankvote is None:
        return {**figures, "pyrankvote_error": version}
    people = [pyrankvote.Candidate(name) for name in names()]

    def build() -> list[Any]:
        return [pyrankvote.Ballot(ranked_candidates=[people[c] for c in ranking]) for ranking in ballots]

    build_s, theirs = best_of(REPEATS, build)
    count_s, result = best_of(REPEATS, lambda: pyrankvote.single_transferable_vote(people, theirs, SEATS))
    winners = [candidate.name for candidate in result.get_winners()]
    ratio = (build_s + count_s) / engine_s
    return {
        **figures,
        "pyrankvote_version": version,
        f"{prefix}pyrankvote_build_s": round(build_s, 3),
        f"{prefix}pyrankvote_count_s": round(count_s, 3),
        f"{prefix}ratio": round(ratio, 1),
        f"{prefix}ratio_count_only": round(count_s / engine_s, 1),
        f"{prefix}engine_winners": engine.winner_names(),
        f"{prefix}pyrankvote_winners": winners,
        f"{prefix}winners_agree": set(winners) == set(engine.winner_names()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 ballots (10,000 compared) instead of 1,000,000")
    args = parser.parse_args()
    ballots_n = 100_000 if args.quick else 1_000_000
    compared_n = 10_000 if args.quick else 100_000
    rng = random.Random(SEED)

    print(f"making {ballots_n:,} realistic ballots …", flush=True)
    realistic = realistic_ballots(ballots_n, rng)
    count_s, result = best_of(REPEATS, lambda: count(realistic))
    print(f"counted in {count_s:.3f} s: {', '.join(result.winner_names())}", flush=True)

    print(f"making {ballots_n:,} uniformly random complete rankings …", flush=True)
    uniform_s, uniform_result, uniform_compared = worst_case(ballots_n, compared_n, rng)
    print(f"counted in {uniform_s:.3f} s: {', '.join(uniform_result.winner_names())}", flush=True)

    print(f"{compared_n:,} ballots through both engines (realistic, then worst case) …", flush=True)
    realistic_comparison = head_to_head(realistic[:compared_n])
    worst_comparison = head_to_head(uniform_compared, prefix="worst_case_")

    figures: dict[str, Any] = {
        "ballots": ballots_n,
        "candidates": CANDIDATES,
        "seats": SEATS,
        "distinct_rankings": len(set(realistic)),
        "mean_preferences": round(sum(map(len, realistic)) / ballots_n, 2),
        "count_s": round(count_s, 3),
        "stages": len(result.stages),
        "winners": result.winner_names(),
        "worst_case_uniform_count_s": round(uniform_s, 3),
        "worst_case_stages": len(uniform_result.stages),
        "target_s": TARGET_SECONDS,
        # The targets are for the full run; a quick run's figures are smaller by design.
        "meets_target": None if args.quick else max(count_s, uniform_s) < TARGET_SECONDS,
        "compared_ballots": compared_n,
        **realistic_comparison,
        **worst_comparison,
        "ratio_target": TARGET_RATIO,
    }
    if "ratio" in figures:
        figures["meets_ratio_target"] = None if args.quick else figures["ratio"] >= TARGET_RATIO
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
