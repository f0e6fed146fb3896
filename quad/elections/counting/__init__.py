"""Quad's STV counting engine: pure Python (no Django), ERS97 rules, integer hundredths.

    from quad.elections.counting import count, read_blt
    result = count(read_blt("ward.blt"), ron="ordinary", seed=0)
    result.winner_names()

Run on its own as ``python -m quad.elections.counting FILE.blt [--rules ers97] [--ron ordinary|protected] [--json]``.
"""

from .blt import BltError, parse_blt, read_blt, write_blt
from .ers97 import RULES, count, count_rankings
from .model import (
    Ballot,
    CountError,
    CountResult,
    Election,
    LotDraw,
    Stage,
    SubStage,
    find_ron,
    hundredths,
    is_ron_name,
)
from .sheet import result_sheet

__all__ = [
    "RULES",
    "Ballot",
    "BltError",
    "CountError",
    "CountResult",
    "Election",
    "LotDraw",
    "Stage",
    "SubStage",
    "count",
    "count_rankings",
    "find_ron",
    "hundredths",
    "is_ron_name",
    "parse_blt",
    "read_blt",
    "result_sheet",
    "write_blt",
]
