"""FineWeb quality signals (Penedo et al. 2024, "The FineWeb Datasets", §3.3 "Developing additional heuristic
filters"), computed as datatrove's ``FineWebQualityFilter`` does.

Source: huggingface/datatrove 0.10.1 ``src/datatrove/pipeline/filters/fineweb_quality_filter.py`` (FineWeb
recipe ``examples/fineweb.py``, step 8). In the recipe this filter runs *after* ``C4QualityFilter``, so it sees the
text with C4's removed lines gone (see :mod:`crawlforge.lib.heuristics.c4`); ``compute_signals`` passes that text.

Lines are ``text.split("\\n")`` without the blank ones (``line.strip() == ""``). FineWeb default thresholds:

============================  =============  ==========================================================
signal                        drop when      definition
============================  =============  ==========================================================
fineweb_lines                 == 0           non-blank lines (datatrove reason ``empty``)
fineweb_line_punct_ratio      < 0.12         lines whose last character is a terminal punctuation mark
fineweb_short_line_ratio      > 0.67         lines of at most 30 characters
fineweb_char_dup_ratio        > 0.01         chars of lines seen before / chars of the text without ``\\n``
fineweb_newline_words_ratio   > 0.3          ``text.count("\\n")`` / words (datatrove reason ``list_ratio``)
============================  =============  ==========================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from crawlforge.lib.heuristics.gopher import duplicates
from crawlforge.lib.heuristics.wordlists import terminal_punctuation


__all__ = ["SHORT_LINE_LENGTH", "fineweb_quality_signals"]

SHORT_LINE_LENGTH = 30


def fineweb_quality_signals(
    text: str, words: Sequence[str], short_line_length: int = SHORT_LINE_LENGTH
) -> dict[str, float | int | None]:
    """FineWeb line statistics of ``text``; ``words`` must be ``words_datatrove(text)``. Ratios are ``None``
    when the text has no non-blank line (or, for the newline ratio, no word)."""
    lines = [line for line in text.split("\n") if line.strip() != ""]
    n_lines = len(lines)
    if not n_lines:
        return {
            "fineweb_lines": 0,
            "fineweb_line_punct_ratio": None,
            "fineweb_short_line_ratio": None,
            "fineweb_char_dup_ratio": None,
            "fineweb_newline_words_ratio": None,
        }
    stops = terminal_punctuation()
    punct_lines = sum(1 for line in lines if line[-1] in stops)
    short_lines = sum(1 for line in lines if len(line) <= short_line_length)
    dup_chars = duplicates(lines)[1]
    chars_no_newline = len(text) - text.count("\n")
    return {
        "fineweb_lines": n_lines,
        "fineweb_line_punct_ratio": punct_lines / n_lines,
        "fineweb_short_line_ratio": short_lines / n_lines,
        "fineweb_char_dup_ratio": dup_chars / chars_no_newline if chars_no_newline else None,
        "fineweb_newline_words_ratio": text.count("\n") / len(words) if words else None,
    }
