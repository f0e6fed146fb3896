"""python -m quad.elections.counting FILE.blt [--rules ers97] [--ron ordinary|protected] [--json]

Recount any BLT ballot file by ERS97 STV: prints the result sheet and the winners in order of election,
or the whole count record as JSON with --json. Exit status 2 for a file or option that cannot be counted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from .blt import BltError, parse_blt, read_blt
from .ers97 import RULES, count
from .model import RON_MODES, CountError
from .sheet import result_sheet


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m quad.elections.counting",
        description="Count a BLT ballot file by ERS97 STV and print the result sheet and the winners.",
    )
    parser.add_argument("file", help="the BLT file ('-' reads standard input)")
    parser.add_argument("--rules", choices=RULES, default="ers97", help="the rule set (default ers97)")
    parser.add_argument(
        "--ron",
        choices=RON_MODES,
        default="ordinary",
        help="RON (re-open nominations) convention: 'ordinary' (if elected, the seat is left vacant; the default)"
        " or 'protected' (never excluded)",
    )
    parser.add_argument(
        "--ron-candidate",
        type=int,
        metavar="N",
        help="which candidate number (from 1, as in the file) is RON; default: the one named RON, if any; 0: none",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for the lot that breaks unbreakable ties")
    parser.add_argument("--json", action="store_true", help="print the full count record as JSON")
    args = parser.parse_args(argv)

    try:
        election = parse_blt(sys.stdin.read()) if args.file == "-" else read_blt(args.file)
    except BltError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    ron_candidate: int | str | None = "auto"
    if args.ron_candidate is not None:
        ron_candidate = None if args.ron_candidate == 0 else args.ron_candidate - 1
    try:
        result = count(election, rules=args.rules, ron=args.ron, ron_candidate=ron_candidate, seed=args.seed)
    except CountError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    if args.json:
        output = json.dumps(result.to_dict(), indent=1, ensure_ascii=False) + "\n"
    else:
        winners = ", ".join(result.winner_names()) or "none"
        output = result_sheet(result) + f"Winners in order of election: {winners}\n"
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
