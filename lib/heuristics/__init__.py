"""Heuristic quality signals (Gopher, C4, FineWeb, RedPajama-v2, URL filter) and the FineWeb decision rules.

``compute_signals`` scores a document without dropping it; ``decide`` turns a signals row into keep / drop with
the rules of a recipe (FineWeb's datatrove defaults in ``FINEWEB_RULES``).
"""

from crawlforge.lib.heuristics.decisions import FINEWEB_RULES, Decision, Rule, decide
from crawlforge.lib.heuristics.signals import SIGNAL_COLUMNS, SignalResources, compute_signals


__all__ = ["FINEWEB_RULES", "SIGNAL_COLUMNS", "Decision", "Rule", "SignalResources", "compute_signals", "decide"]
