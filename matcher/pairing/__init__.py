"""One-to-one support (点对点帮扶): a steady primary volunteer and a backup per household.

The reference-carer model of home care: each household keeps one familiar
volunteer for a long period, with a named backup, loads stay balanced, and
a pair changes only when it must.

Modules
-------
rules
    The hard rules of a (volunteer, household) pair and its fit, in one place.
candidates
    The candidate pairs (pruned at district size) and a greedy pairing.
model
    The CP-SAT model of a pairing and the terms of its stages.
solve
    The lexicographic stages, solved part by part: :func:`pair_households`.
changes
    What changed against the previous pairing, with a reason for each change.
report
    Unpaired households with reasons and the nearest volunteers; continuity.
visits
    The visits of a horizon as needs pinned to the primary, else the backup.
export
    The output folder of ``matcher pair``.
"""

from __future__ import annotations

from matcher.pairing.rules import RULES, PairingScreen
from matcher.pairing.solve import STAGES, PairingParams, PairingResult, pair_households

__all__ = [
    "RULES",
    "STAGES",
    "PairingParams",
    "PairingResult",
    "PairingScreen",
    "pair_households",
]
