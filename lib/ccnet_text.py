"""CCNet's text normalisation: the input of its perplexity model and of its paragraph-dedup hashes.

Reimplements, rule for rule, ``cc_net/text_normalizer.py`` of facebookresearch/cc_net@bda555bd
(functions ``normalize``, ``normalize_for_dedup``, ``strip_accents``, ``replace_unicode_punct``,
``remove_unicode_punct``, ``remove_non_printing_char``). Pure Python, no model, no Spark.

:func:`normalize` (what CCNet feeds to SentencePiece and KenLM), in this order:

1. ``str.strip()``; an empty result is returned as is;
2. lower-case (``str.lower``);
3. strip accents: NFD, then drop every code point of category ``Mn``. The result stays in NFD even when
   nothing was dropped (CCNet's early return compares a list length with a string and never fires), so e.g.
   Hangul syllables come out as conjoining jamo;
4. every Unicode decimal digit (regex ``\\d``, category ``Nd``, so also ``١`` or ``１``) becomes ``0``;
5. unicode punctuation is replaced through :data:`UNICODE_PUNCT` (``，`` -> ``,``, ``—`` -> `` - ``,
   ``．`` -> ``. ``, ``…`` -> ``...``; ``«»„“”`` -> ``"``, ...);
6. control characters U+0000-U+001F and U+007F-U+009F are deleted: **this includes ``\\n`` and ``\\t``**, so
   normalising a multi-line document joins its lines with no separator (see ``lib/perplexity.py``).

:func:`normalize_for_dedup` (the key of CCNet's paragraph hashes): strip, lower-case, digits -> ``0``, then the
characters of :data:`UNICODE_PUNCT` and the control characters are *deleted*. Accents and ASCII punctuation are
kept.

Two quirks follow from the order of the rules and are kept on purpose: ``１`` (FULLWIDTH DIGIT ONE) is in
CCNet's punctuation table (mapped to ``"``) but, with digit replacement on, it is a digit first and becomes
``0``; the whitespace left by deleted control characters or by ``—`` -> `` - `` at either end is not stripped
again.

Unicode tables are those of the running Python (3.11: Unicode 14.0); CCNet ran on Python 3.7 (Unicode 11.0).
Code points assigned or re-categorised between the two versions may normalise differently; no such code point
is in CCNet's punctuation table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType


__all__ = [
    "NON_PRINTING_CHARS",
    "UNICODE_PUNCT",
    "normalize",
    "normalize_for_dedup",
    "remove_non_printing_char",
    "remove_unicode_punct",
    "replace_unicode_punct",
    "strip_accents",
]

#: CCNet's ``UNICODE_PUNCT`` table (cc_net/text_normalizer.py @ bda555bd): 34 characters and their
#: replacements in :func:`normalize`; :func:`normalize_for_dedup` deletes the same characters. Written with
#: escapes so that look-alike characters cannot be confused; the comment shows each one.
UNICODE_PUNCT: Mapping[str, str] = MappingProxyType(
    {
        "\uff0c": ",",  # ，  FULLWIDTH COMMA
        "\u3002": ".",  # 。  IDEOGRAPHIC FULL STOP
        "\u3001": ",",  # 、  IDEOGRAPHIC COMMA
        "\u201e": '"',  # „  DOUBLE LOW-9 QUOTATION MARK
        "\u201d": '"',  # ”  RIGHT DOUBLE QUOTATION MARK
        "\u201c": '"',  # “  LEFT DOUBLE QUOTATION MARK
        "\u00ab": '"',  # «  LEFT-POINTING DOUBLE ANGLE QUOTATION MARK
        "\u00bb": '"',  # »  RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK
        "\uff11": '"',  # １  FULLWIDTH DIGIT ONE (sic; a digit, so replaced by "0" first when numbers=True)
        "\u300d": '"',  # 」  RIGHT CORNER BRACKET
        "\u300c": '"',  # 「  LEFT CORNER BRACKET
        "\u300a": '"',  # 《  LEFT DOUBLE ANGLE BRACKET
        "\u300b": '"',  # 》  RIGHT DOUBLE ANGLE BRACKET
        "\u00b4": "'",  # ´  ACUTE ACCENT
        "\u2236": ":",  # ∶  RATIO
        "\uff1a": ":",  # ：  FULLWIDTH COLON
        "\uff1f": "?",  # ？  FULLWIDTH QUESTION MARK
        "\uff01": "!",  # ！  FULLWIDTH EXCLAMATION MARK
        "\uff08": "(",  # （  FULLWIDTH LEFT PARENTHESIS
        "\uff09": ")",  # ）  FULLWIDTH RIGHT PARENTHESIS
        "\uff1b": ";",  # ；  FULLWIDTH SEMICOLON
        "\u2013": "-",  # –  EN DASH
        "\u2014": " - ",  # —  EM DASH
        "\uff0e": ". ",  # ．  FULLWIDTH FULL STOP
        "\uff5e": "~",  # ～  FULLWIDTH TILDE
        "\u2019": "'",  # ’  RIGHT SINGLE QUOTATION MARK
        "\u2026": "...",  # …  HORIZONTAL ELLIPSIS
        "\u2501": "-",  # ━  BOX DRAWINGS HEAVY HORIZONTAL
        "\u3008": "<",  # 〈  LEFT ANGLE BRACKET
        "\u3009": ">",  # 〉  RIGHT ANGLE BRACKET
        "\u3010": "[",  # 【  LEFT BLACK LENTICULAR BRACKET
        "\u3011": "]",  # 】  RIGHT BLACK LENTICULAR BRACKET
        "\uff05": "%",  # ％  FULLWIDTH PERCENT SIGN
        "\u25ba": "-",  # ►  BLACK RIGHT-POINTING POINTER
    }
)

#: The control characters CCNet deletes (``NON_PRINTING_CHARS_RE``): C0 U+0000-U+001F, DEL and C1 U+007F-U+009F.
NON_PRINTING_CHARS: frozenset[str] = frozenset(chr(c) for c in (*range(32), *range(127, 160)))

# str.translate tables: same per-character mapping as CCNet's dict lookup / regex deletion, in one C pass.
_REPLACE_PUNCT = str.maketrans(dict(UNICODE_PUNCT))
_REMOVE_PUNCT = str.maketrans(dict.fromkeys(UNICODE_PUNCT, None))
_REMOVE_NON_PRINTING = str.maketrans(dict.fromkeys(NON_PRINTING_CHARS, None))
_REMOVE_PUNCT_OR_NON_PRINTING = str.maketrans(dict.fromkeys([*UNICODE_PUNCT, *NON_PRINTING_CHARS], None))
# Python's str-pattern ``\d`` is exactly Unicode category Nd, as in CCNet's ``DIGIT_RE``.
_DIGIT_RE = re.compile(r"\d")


def replace_unicode_punct(text: str) -> str:
    """Replace each character of :data:`UNICODE_PUNCT` by its ASCII form (CCNet ``replace_unicode_punct``)."""
    return text.translate(_REPLACE_PUNCT)


def remove_unicode_punct(text: str) -> str:
    """Delete each character of :data:`UNICODE_PUNCT` (CCNet ``remove_unicode_punct``)."""
    return text.translate(_REMOVE_PUNCT)


def remove_non_printing_char(text: str) -> str:
    """Delete U+0000-U+001F and U+007F-U+009F, newlines and tabs included (CCNet ``remove_non_printing_char``)."""
    return text.translate(_REMOVE_NON_PRINTING)


def strip_accents(line: str) -> str:
    """NFD-decompose and drop nonspacing marks (category ``Mn``); CCNet ``strip_accents``.

    The decomposed form is returned even when no mark was dropped, as CCNet does. ASCII text is its own NFD
    and has no ``Mn`` code point, so it is returned unchanged without the Unicode pass.
    """
    if line.isascii():
        return line
    category = unicodedata.category
    return "".join(c for c in unicodedata.normalize("NFD", line) if category(c) != "Mn")


def normalize(line: str, accent: bool = True, case: bool = True, numbers: bool = True, punct: int = 1) -> str:
    """CCNet's ``text_normalizer.normalize``: the text its SentencePiece and KenLM models see.

    Order (cc_net/text_normalizer.py @ bda555bd ``normalize``): strip; return if empty; lower-case if ``case``;
    :func:`strip_accents` if ``accent``; digits -> ``0`` if ``numbers``; :func:`replace_unicode_punct` if
    ``punct == 1`` or :func:`remove_unicode_punct` if ``punct == 2``; always :func:`remove_non_printing_char`.
    The defaults are the ones CCNet uses for perplexity (``MultiSentencePiece(normalize=True)``) and for the
    Wikipedia text its models were trained on (``get_wiki_cirrus.extract_opening_text``).
    """
    line = line.strip()
    if not line:
        return line
    if case:
        line = line.lower()
    if accent:
        line = strip_accents(line)
    if numbers:
        line = _DIGIT_RE.sub("0", line)
    if punct == 1:
        line = replace_unicode_punct(line)
    elif punct == 2:
        line = remove_unicode_punct(line)
    return remove_non_printing_char(line)


def normalize_for_dedup(line: str) -> str:
    """CCNet's ``text_normalizer.normalize_for_dedup``: the text a paragraph hash is computed on.

    strip; return if empty; lower-case; digits -> ``0``; delete :data:`UNICODE_PUNCT` characters and control
    characters (``PUNCT_OR_NON_PRINTING_CHARS_RE``). Accents and ASCII punctuation are kept. Equal to CCNet's
    ``slow_normalize_for_dedup`` (``normalize(accent=False, punct=2)``).
    """
    line = line.strip()
    if not line:
        return line
    line = _DIGIT_RE.sub("0", line.lower())
    return line.translate(_REMOVE_PUNCT_OR_NON_PRINTING)
