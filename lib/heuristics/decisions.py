"""Keep / drop decisions from signals: rules as data, and FineWeb's datatrove defaults as one rule list.

A :class:`Rule` reads one signal column and drops the document when ``value <op> threshold`` holds. A ``None``
value never fails a rule (the statistic is undefined, e.g. a ratio over zero words; datatrove either skips such a
check or has already dropped the document for a reason earlier in the list). :func:`decide` evaluates rules in
list order and returns the first failing one, the way a datatrove pipeline stops at the first filter that drops.

:data:`FINEWEB_RULES` reproduces ``examples/fineweb.py`` of huggingface/datatrove (0.10.1; thresholds are the
filters' defaults, C4 with ``filter_no_terminal_punct=False``). Pipeline order, with the datatrove drop reason
as the part of the rule name after ``/``:

1. ``url_filter``: domain, subdomain, url, hard_blacklisted, soft_blacklisted (>= 2 words), blacklisted_subword
   (Trafilatura extraction and the fastText language filter, en >= 0.65, sit here in the recipe; they belong to
   the extract and language-id jobs and are not signals of this module);
2. ``gopher_rep``: empty, dup_para_frac, dup_para_char_frac, dup_line_frac, dup_line_char_frac, top_{2,3,4}_gram,
   duplicated_{5..10}_n_grams;
3. ``gopher_qual``: gopher_short_doc, gopher_long_doc, gopher_below_avg_threshold, gopher_above_avg_threshold,
   gopher_too_many_hashes, gopher_too_many_ellipsis, gopher_too_many_bullets, gopher_too_many_end_ellipsis,
   gopher_below_alpha_threshold, gopher_enough_stop_words;
4. ``c4_quality``: lorem_ipsum, curly_bracket, too_few_sentences (and it rewrites the text: see ``c4.py``);
5. ``fineweb_qual``: empty, line_punct_ratio, short_line_ratio, char_dup_ratio, list_ratio.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal


__all__ = ["FINEWEB_RULES", "Decision", "Op", "Rule", "decide", "rules_table"]

Op = Literal["gt", "ge", "lt", "le", "eq", "ne"]
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "eq": operator.eq,
    "ne": operator.ne,
}


@dataclass(frozen=True, slots=True)
class Rule:
    """Drop a document when ``signals[column] <op> threshold``.

    Attributes:
        name: ``<filter>/<reason>``, unique in a recipe; the reason part matches datatrove's drop reason.
        version: bumped whenever the signal definition or the threshold semantics change.
        column: signal column read (see ``signals.SIGNAL_COLUMNS``).
        op: comparison that means *drop*.
        threshold: value compared against.
    """

    name: str
    version: str
    column: str
    op: Op
    threshold: float | int | bool | str

    def fails(self, signals: Mapping[str, Any]) -> bool:
        """True when the rule drops a document with these signals (``None`` never fails)."""
        if self.column not in signals:
            raise KeyError(f"rule {self.name!r} needs signal column {self.column!r}")
        value = signals[self.column]
        return value is not None and _OPS[self.op](value, self.threshold)

    @property
    def filter(self) -> str:
        return self.name.split("/", 1)[0]


@dataclass(frozen=True, slots=True)
class Decision:
    keep: bool
    first_failing_rule: str | None
    all_failing_rules: tuple[str, ...]


def decide(signals: Mapping[str, Any], rules: Sequence[Rule] = ()) -> Decision:
    """Evaluate ``rules`` (default :data:`FINEWEB_RULES`) in order on one signals row."""
    failing = tuple(rule.name for rule in (rules or FINEWEB_RULES) if rule.fails(signals))
    return Decision(keep=not failing, first_failing_rule=failing[0] if failing else None, all_failing_rules=failing)


def _r(name: str, column: str, op: Op, threshold: float | int | bool | str) -> Rule:
    return Rule(name=name, version="1", column=column, op=op, threshold=threshold)


FINEWEB_RULES: tuple[Rule, ...] = (
    # URLFilter(soft_word_threshold=2)
    _r("url_filter/domain", "url_domain_blocked", "eq", True),
    _r("url_filter/subdomain", "url_subdomain_blocked", "eq", True),
    _r("url_filter/url", "url_blocked", "eq", True),
    _r("url_filter/hard_blacklisted", "url_banned_words", "gt", 0),
    _r("url_filter/soft_blacklisted", "url_soft_banned_words", "ge", 2),
    _r("url_filter/blacklisted_subword", "url_banned_subwords", "gt", 0),
    # GopherRepetitionFilter() defaults, Gopher Table A1
    _r("gopher_rep/empty", "doc_chars", "eq", 0),
    _r("gopher_rep/dup_para_frac", "gopher_dup_para_frac", "gt", 0.3),
    _r("gopher_rep/dup_para_char_frac", "gopher_dup_para_char_frac", "gt", 0.2),
    _r("gopher_rep/dup_line_frac", "gopher_dup_line_frac", "gt", 0.3),
    _r("gopher_rep/dup_line_char_frac", "gopher_dup_line_char_frac", "gt", 0.2),
    _r("gopher_rep/top_2_gram", "gopher_top_2gram_char_frac", "gt", 0.2),
    _r("gopher_rep/top_3_gram", "gopher_top_3gram_char_frac", "gt", 0.18),
    _r("gopher_rep/top_4_gram", "gopher_top_4gram_char_frac", "gt", 0.16),
    _r("gopher_rep/duplicated_5_n_grams", "gopher_dup_5gram_char_frac", "gt", 0.15),
    _r("gopher_rep/duplicated_6_n_grams", "gopher_dup_6gram_char_frac", "gt", 0.14),
    _r("gopher_rep/duplicated_7_n_grams", "gopher_dup_7gram_char_frac", "gt", 0.13),
    _r("gopher_rep/duplicated_8_n_grams", "gopher_dup_8gram_char_frac", "gt", 0.12),
    _r("gopher_rep/duplicated_9_n_grams", "gopher_dup_9gram_char_frac", "gt", 0.11),
    _r("gopher_rep/duplicated_10_n_grams", "gopher_dup_10gram_char_frac", "gt", 0.10),
    # GopherQualityFilter() defaults
    _r("gopher_qual/gopher_short_doc", "gopher_non_symbol_words", "lt", 50),
    _r("gopher_qual/gopher_long_doc", "gopher_non_symbol_words", "gt", 100_000),
    _r("gopher_qual/gopher_below_avg_threshold", "gopher_mean_word_length", "lt", 3),
    _r("gopher_qual/gopher_above_avg_threshold", "gopher_mean_word_length", "gt", 10),
    _r("gopher_qual/gopher_too_many_hashes", "gopher_hash_word_ratio", "gt", 0.1),
    _r("gopher_qual/gopher_too_many_ellipsis", "gopher_ellipsis_word_ratio", "gt", 0.1),
    _r("gopher_qual/gopher_too_many_bullets", "gopher_bullet_lines_frac", "gt", 0.9),
    _r("gopher_qual/gopher_too_many_end_ellipsis", "gopher_ellipsis_lines_frac", "gt", 0.3),
    _r("gopher_qual/gopher_below_alpha_threshold", "gopher_alpha_words_frac", "lt", 0.8),
    _r("gopher_qual/gopher_enough_stop_words", "gopher_stop_words", "lt", 2),
    # C4QualityFilter(filter_no_terminal_punct=False): the first lorem-ipsum / curly-bracket line decides the reason
    _r("c4_quality/lorem_ipsum", "c4_first_doc_drop", "eq", "lorem_ipsum"),
    _r("c4_quality/curly_bracket", "c4_first_doc_drop", "eq", "curly_bracket"),
    _r("c4_quality/too_few_sentences", "c4_num_sentences", "lt", 5),
    # FineWebQualityFilter() defaults, on the text C4 left
    _r("fineweb_qual/empty", "fineweb_lines", "eq", 0),
    _r("fineweb_qual/line_punct_ratio", "fineweb_line_punct_ratio", "lt", 0.12),
    _r("fineweb_qual/short_line_ratio", "fineweb_short_line_ratio", "gt", 0.67),
    _r("fineweb_qual/char_dup_ratio", "fineweb_char_dup_ratio", "gt", 0.01),
    _r("fineweb_qual/list_ratio", "fineweb_newline_words_ratio", "gt", 0.3),
)
"""FineWeb's filtering rules, in pipeline order (see the module docstring)."""


def rules_table(rules: Sequence[Rule] = FINEWEB_RULES) -> list[dict[str, Any]]:
    """Rules as plain records (name, version, filter, column, op, threshold), e.g. for a config dump."""
    return [
        {"name": r.name, "version": r.version, "filter": r.filter, "column": r.column, "op": r.op,
         "threshold": r.threshold}
        for r in rules
    ]  # fmt: skip
