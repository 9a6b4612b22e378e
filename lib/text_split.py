"""Word, line, paragraph and sentence splitting for the heuristic quality signals.

Pure Python, no model files, nothing downloaded: every rule here is code or data shipped in the wheel.

Which splitter the anchors use
------------------------------
* **datatrove / FineWeb** (``huggingface/datatrove`` 0.10.x, ``src/datatrove/utils/word_tokenizers.py`` and
  ``assets/tokenizer_assignment.csv``): English words come from ``spacy.blank("en")``'s rule-based tokenizer
  (no trained model) and sentences from spaCy's rule-based ``sentencizer``. Between 2024-05 and 2024-12 the
  same code used NLTK's ``word_tokenize`` (Punkt + Treebank); the FineWeb release of 2024-04 used NLTK too.
  :func:`words_datatrove` re-implements the spaCy *rules* (whitespace split, then prefix / suffix peeling,
  special cases such as ``don't -> do n't``, URL matching, infix splitting) in plain Python so that no spaCy
  install is needed; ``tests/lib/test_heuristics_oracle.py`` measures its agreement with the real spaCy
  tokenizer. Known, deliberate gaps (rare on web text): spaCy's post-pass that re-merges emoticons split by
  affix rules (``hi:)``), and the exact Unicode ranges of spaCy's ``ALPHA``/``ICONS`` classes (Unicode
  categories are used instead).
* **RedPajama-v2** (``togethercomputer/RedPajama-Data`` @ 6d2cee9d, ``app/src/core/document.py``): raw words
  are NLTK's ``WordPunctTokenizer`` (the regex ``\\w+|[^\\w\\s]+``, re-implemented in
  :func:`words_wordpunct`); normalized words are the whitespace split of the text with ASCII punctuation
  removed, lower-cased and NFD-normalized (:func:`rp_normalize`).

Languages without spaces between words
--------------------------------------
datatrove segments zh/ja/ko/th with jieba, SudachiPy, Kiwi and PyThaiNLP, which need dictionaries. We do not
ship those; instead (documented choice, see :func:`words_for_language`):

* ``zh``, ``ja``, ``yue``, ``wuu``: every Han / Hiragana / Katakana / Bopomofo character is one word; runs of
  other letters and digits are split with the whitespace rules. Character unigrams are the usual unit for
  Chinese n-gram statistics (e.g. CCNet's SentencePiece-free fallbacks) and make the n-gram repetition
  signals meaningful.
* ``th``, ``lo``, ``km``, ``my``, ``bo``: a maximal run of characters of the language's script is one word
  (these scripts put spaces between phrases, not words), other text uses the whitespace rules.
* ``ko`` and all other languages: the whitespace rules (Korean separates eojeol with spaces).

Thresholds tuned on English word lengths (Gopher's 3..10 mean word length) are therefore not meaningful for
zh/ja/th; recipes must override them per language, as FineWeb-2 does.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial


__all__ = [
    "count_sentences_datatrove",
    "is_punct_token",
    "lines_rp",
    "rp_normalize",
    "rp_normalize_split",
    "sentence_count_rp",
    "word_splitter",
    "wordpunct_counts",
    "words_datatrove",
    "words_datatrove_lines",
    "words_for_language",
    "words_of_lines",
    "words_wordpunct",
]


# ---------------------------------------------------------------------------------------------------------
# Character classes. Built once at import from Unicode properties (BMP + the supplementary planes that hold
# letters and symbols), so the regexes below can use them with the standard-library ``re`` module.
# ---------------------------------------------------------------------------------------------------------


def _wordlist(text: str) -> list[str]:
    """Whitespace-separated entries of a long literal."""
    return text.split()


def _char_class(pred: Callable[[str], bool], stop: int = 0x20000) -> str:
    """Return a regex character-class body (no brackets) of all code points < ``stop`` where ``pred`` holds."""
    parts: list[str] = []
    start = -1
    for cp in range(stop + 1):
        ok = cp < stop and pred(chr(cp))
        if ok and start < 0:
            start = cp
        elif not ok and start >= 0:
            end = cp - 1
            parts.append(re.escape(chr(start)) if start == end else f"{re.escape(chr(start))}-{re.escape(chr(end))}")
            start = -1
    return "".join(parts)


# Letters that the affix rules know: Latin (all blocks), Greek and the Russian / Ukrainian / Tatar / Macedonian
# Cyrillic letters, plus scripts without case, which count as both lower- and upper-case (Ethiopic, Bengali,
# Hebrew, Arabic/Persian, Sinhala, Devanagari, Kannada, Tamil, Telugu, Hangul, Kana, CJK). Other scripts
# (Georgian, Armenian, Gurmukhi, Thai, ...) are not letters for these rules, exactly as in spaCy.
_UNCASED = (
    "\u1200-\u137f\u0980-\u09ff\u0591-\u05f4\ufb1d-\ufb4f\u0620-\u064a\u066e-\u06d5\u06e5-\u06ff"
    "\u0750-\u077f\u08a0-\u08bd\ufb50-\ufbb1\ufbd3-\ufd3d\ufd50-\ufdc7\ufdf0-\ufdfb\ufe70-\ufefc"
    "\U0001ee00-\U0001eebb\u0d80-\u0dff\u0900-\u097f\u0c80-\u0cff\u0b80-\u0bff\u0c00-\u0c7f"
    "\uac00-\ud7af\u1100-\u11ff\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002ebef"
    "\u2e80-\u2fdf\u2ff0-\u303f\u31c0-\u31ef\u3200-\u33ff\uf900-\ufaff\ufe30-\ufe4f"
    "\U0001f200-\U0001f2ff\U0002f800-\U0002fa1f"
)
_CASED_EXTRA_LOWER = "ёа-яәөүҗңһіїєґѓѕјљњќѐѝα-ωάέίόώήύ"
_CASED_EXTRA_UPPER = "ЁА-ЯӘӨҮҖҢҺІЇЄҐЃЅЈЉЊЌЀЍΑ-ΩΆΈΊΌΏΉΎ"


def _is_latin_letter(c: str) -> bool:
    return c.isalpha() and unicodedata.name(c, "").startswith(("LATIN ", "FULLWIDTH LATIN "))


_LOWER = _char_class(lambda c: c.islower() and _is_latin_letter(c)) + _CASED_EXTRA_LOWER + _UNCASED
_UPPER = _char_class(lambda c: c.isupper() and _is_latin_letter(c)) + _CASED_EXTRA_UPPER + _UNCASED
_ICONS = _char_class(lambda c: unicodedata.category(c) == "So")
_ALPHA = _char_class(_is_latin_letter) + _CASED_EXTRA_LOWER + _CASED_EXTRA_UPPER + _UNCASED

# Single characters peeled off the start / end of a whitespace-delimited chunk (spaCy's punctuation,
# quote, bracket and currency lists; the trailing ones also include em/en dash).
_PUNCT_CHARS = "…,:;!?¿؟¡()[]{}<>_#*&。？！，、；：～·।،۔؛٪"
_QUOTE_CHARS = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉〈〉⟦⟧"
_CURRENCY_1 = "$£€¥฿₽﷼₴₠₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₵₶₷₸₹₺₻₼₾₿"
_CURRENCY_MULTI = ("US$", "C$", "A$")
_PREFIX_CHARS = frozenset("§%=—–" + _PUNCT_CHARS + _QUOTE_CHARS + _CURRENCY_1)
_SUFFIX_CHARS = frozenset(_PUNCT_CHARS + _QUOTE_CHARS + "—–")
_UNITS = _wordlist(
    "km km² km³ m m² m³ dm dm² dm³ cm cm² cm³ mm mm² mm³ ha µm nm yd in ft kg g mg µg t lb oz m/s km/h kmh mph "
    "hPa Pa mbar mb MB kb KB gb GB tb TB T G M K % км км² км³ м м² м³ дм дм² дм³ см см² см³ мм мм² мм³ нм кг г "
    "мг м/с км/ч кПа Па мбар Кб КБ кб Мб МБ мб Гб ГБ гб Тб ТБ тбكم كم² كم³ م م² م³ سم سم² سم³ مم مم² مم³ كم غرام "
    "جرام جم كغ ملغ كوب اكواب"
)  # "тбكم" (no space) is one unit in spaCy's list too, kept for fidelity
_DIGIT_SUFFIX_RE = re.compile(
    "(?<=[0-9])(?:"
    + "|".join(re.escape(u) for u in sorted({*_UNITS, *_CURRENCY_1, *_CURRENCY_MULTI}, key=len, reverse=True))
    + ")$"
)

# A "." at the end of a chunk is split off after a lowercase letter, a digit, %, ², -, +, punctuation or a
# quote, or after two uppercase letters ("USA." but not "U.S.").
_PERIOD_SUFFIX_RE = re.compile(
    rf"(?:(?<=[0-9{_LOWER}%²\-+{re.escape(_PUNCT_CHARS + _QUOTE_CHARS)}|(?:])|(?<=[{_UPPER}][{_UPPER}]))\.$"
)
_INFIX_RE = re.compile(
    r"\.\.+|…"
    rf"|[{_ICONS}]"
    r"|(?<=[0-9])[+\-*^](?=[0-9-])"
    rf"|(?<=[{_LOWER}{re.escape(_QUOTE_CHARS)}])\.(?=[{_UPPER}{re.escape(_QUOTE_CHARS)}])"
    rf"|(?<=[{_ALPHA}]),(?=[{_ALPHA}])"
    rf"|(?<=[{_ALPHA}]|[0-9])(?:-|–|—|--|---|——|~)(?=[{_ALPHA}])"
    rf"|(?<=[{_ALPHA}]|[0-9])[:<>=/](?=[{_ALPHA}])"
)
_HOST_CH = r"A-Za-z0-9\u00a1-\uffff"
_URL_HOST_PATH = (
    r"(?:"
    r"(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}"
    r"\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4])"  # public-looking dotted IPv4
    rf"|(?:(?:[{_HOST_CH}][{_HOST_CH}_-]{{0,62}})?[{_HOST_CH}]\.)+[{_LOWER}]{{2,63}}"  # host.tld
    r")"
    r"(?::\d{2,5})?"  # port
    r"(?:[/?#]\S*)?"  # path, query, fragment
)
_URL_SCHEME = r"(?:[\w+\-.]{2,}://)?"
_URL_RE = re.compile(_URL_SCHEME + r"(?:\S+(?::\S*)?@)?" + _URL_HOST_PATH)  # with user[:password]@
_URL_NO_USER_RE = re.compile(_URL_SCHEME + _URL_HOST_PATH)  # same language for strings without "@", no backtracking
_PRIVATE_IP_RE = re.compile(
    r"(?:10|127)(?:\.\d{1,3}){3}|(?:169\.254|192\.168)(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])"
)


def _is_url(s: str) -> bool:
    m = (_URL_RE if "@" in s else _URL_NO_USER_RE).fullmatch(s)
    if m is None:
        return False
    # private and loopback dotted addresses are not URLs for this rule
    host_start = max(s.find("://") + 3 if "://" in s else 0, s.rfind("@") + 1)
    return _PRIVATE_IP_RE.match(s, host_start) is None


# ---------------------------------------------------------------------------------------------------------
# Special cases: chunks that are emitted as fixed token sequences (English contractions, abbreviations,
# emoticons). Generated from compact rules; every key containing "'" also exists with "’".
# ---------------------------------------------------------------------------------------------------------

_EMOTICONS = _wordlist(
    r"""
:) :-) :)) :-)) :))) :-))) (: (-: =) (= :] :-] [: [-: [= =] :o) (o: :} :-} 8) 8-) (-8 ;) ;-) (; (-; :( :-( :((
:-(( :((( :-((( ): )-: =( >:( :') :'-) :'( :'-( :/ :-/ =/ =| :| :-| ]= =[ :1 :P :-P :p :-p :O :-O :o :-o :0
:-0 :() >:o :* :-* :3 :-3 =3 :> :-> :X :-X :x :-x :D :-D ;D ;-D =D xD XD xDD XDD 8D 8-D ^_^ ^__^ ^___^ >.< >.>
<.< ._. ;_; -_- -__- v.v V.V v_v V_V o_o o_O O_o O_O 0_o o_0 0_0 o.O O.o O.O o.o 0.0 o.0 0.o @_@ <3 <33 <333
</3 (^_^) (-_-) (._.) (>_<) (*_*) (¬_¬) ಠ_ಠ ಠ︵ಠ (ಠ_ಠ) ¯\(ツ)/¯ (╯°□°）╯︵┻━┻ ><(((*>
"""
)
_SINGLE_TOKENS = _wordlist(
    "' '' C++ <space> \\n \\t \\\") — ä. ö. ü. 's 'S ‘s ‘S 're 'd and/or w/o 'Cause 'cause 'cos 'Cos 'coz 'Coz "
    "'cuz 'Cuz 'bout ma'am Ma'am o'clock O'clock lovin' Lovin' lovin Lovin havin' Havin' havin Havin em 'em ll "
    "'ll nuff 'nuff a.m. p.m. Adm. Bros. co. Co. Corp. D.C. Dr. e.g. E.g. E.G. Gen. Gov. i.e. I.e. I.E. Inc. Jr. "
    "Ltd. Md. Messrs. Mo. Mont. Mr. Mrs. Ms. Ph.D. Prof. Rep. Rev. Sen. St. vs. v.s. Mt. Ak. Ala. Apr. Ariz. "
    "Ark. Aug. Calif. Colo. Conn. Dec. Del. Feb. Fla. Ga. Ia. Id. Ill. Ind. Jan. Jul. Jun. Kan. Kans. Ky. La. "
    "Mar. Mass. Mich. Minn. Miss. N.C. N.D. N.H. N.J. N.M. N.Y. Neb. Nebr. Nev. Nov. Oct. Okla. Ore. Pa. S.C. "
    "Sep. Sept. Tenn. Va. Wash. Wis."
)
# Words that look like "pronoun + contraction" but are ordinary words, never split.
_NOT_CONTRACTIONS = frozenset(
    _wordlist("Ill ill Its its Hell hell Shell shell Shed shed were Were Well well Whore whore")
)

# Contraction tails as (joined form, parts); each exists with and without apostrophes.
_TAIL_S = [("'s", ["'s"]), ("s", ["s"])]
_TAIL_LL = [("'ll", ["'ll"]), ("ll", ["ll"]), ("'ll've", ["'ll", "'ve"]), ("llve", ["ll", "ve"])]
_TAIL_D = [("'d", ["'d"]), ("d", ["d"]), ("'d've", ["'d", "'ve"]), ("dve", ["d", "ve"])]
_TAIL_VE = [("'ve", ["'ve"]), ("ve", ["ve"])]
_TAIL_RE = [("'re", ["'re"]), ("re", ["re"])]
_TAIL_NT = [("n't", ["n't"]), ("nt", ["nt"])]
_TAIL_NT_VE = [("n't've", ["n't", "'ve"]), ("ntve", ["nt", "ve"])]
_HEADS: list[tuple[tuple[str, ...], list[tuple[str, list[str]]]]] = [
    (("i",), [("'m", ["'m"]), ("m", ["m"]), ("'ma", ["'m", "a"]), ("ma", ["m", "a"])]),
    (("i", "you", "he", "she", "it", "we", "they"), _TAIL_LL + _TAIL_D),
    (("i", "you", "we", "they"), _TAIL_VE),
    (("you", "we", "they"), _TAIL_RE),
    (("he", "she", "it"), _TAIL_S),
    (("who", "what", "when", "where", "why", "how", "there", "that", "this"), _TAIL_S),
    (("who", "what", "when", "where", "why", "how", "there", "that", "this", "these", "those"), _TAIL_LL + _TAIL_D),
    (("who", "what", "when", "where", "why", "how", "there", "these", "those"), _TAIL_RE + _TAIL_VE),
    (("ca", "could", "do", "does", "did", "had", "may", "might", "must", "need", "ought", "sha", "should", "wo",
      "would"), _TAIL_NT + _TAIL_NT_VE),
    (("could", "might", "must", "should", "would"), _TAIL_VE),
    (("ai", "are", "is", "was", "were", "have", "has", "dare"), _TAIL_NT),
]  # fmt: skip
_OTHER_SPLITS = {
    "y'all": ["y'", "all"], "yall": ["y", "all"], "how'd'y": ["how", "'d", "'y"], "How'd'y": ["How", "'d", "'y"],
    "not've": ["not", "'ve"], "notve": ["not", "ve"], "Not've": ["Not", "'ve"], "Notve": ["Not", "ve"],
    "cannot": ["can", "not"], "Cannot": ["Can", "not"], "gonna": ["gon", "na"], "Gonna": ["Gon", "na"],
    "gotta": ["got", "ta"], "Gotta": ["Got", "ta"], "let's": ["let", "'s"], "Let's": ["Let", "'s"],
    "c'mon": ["c'm", "on"], "C'mon": ["C'm", "on"],
}  # fmt: skip


def _build_specials() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for orth in _EMOTICONS + _SINGLE_TOKENS:
        table[orth] = (orth,)
    for letter in string.ascii_lowercase:
        table[letter + "."] = (letter + ".",)
    for word in ("doin", "goin", "nothin", "nuthin", "ol", "somethin"):
        for w in (word, word.title()):
            table[w] = (w,)
            table[w + "'"] = (w + "'",)
    for u in "cfkCFK":
        table[f"°{u}."] = ("°", u, ".")
    for heads, tails in _HEADS:
        for head in heads:
            for h in (head, head.title()):
                for joined, parts in tails:
                    table[h + joined] = (h, *parts)
    for hour in range(1, 13):
        for period in ("a.m.", "am", "p.m.", "pm"):
            table[f"{hour}{period}"] = (str(hour), period)
    for key, parts in _OTHER_SPLITS.items():
        table[key] = tuple(parts)
    for word in _NOT_CONTRACTIONS:
        table.pop(word, None)
    for key, parts in list(table.items()):
        if "'" in key:
            table[key.replace("'", "’")] = tuple(p.replace("'", "’") for p in parts)
    return table


_SPECIALS: dict[str, tuple[str, ...]] = _build_specials()


# ---------------------------------------------------------------------------------------------------------
# The datatrove (spaCy-rule) word splitter
# ---------------------------------------------------------------------------------------------------------


def _prefix_len(s: str) -> int:
    c = s[0]
    if c == ".":
        n = len(s) - len(s.lstrip("."))
        return n if n >= 2 else 0
    if c == "+":
        return 0 if len(s) > 1 and "0" <= s[1] <= "9" else 1
    if c in _PREFIX_CHARS:
        return 1
    if c in "UCA" and s.startswith(_CURRENCY_MULTI):
        return 3 if c == "U" else 2
    if unicodedata.category(c) == "So":
        return 1
    return 0


def _suffix_len(s: str) -> int:
    """Length of the longest trailing affix (the regex engine reports the left-most match, i.e. the longest)."""
    best = 0
    c = s[-1]
    if c == ".":
        n = len(s) - len(s.rstrip("."))
        if n >= 2:
            best = n
        elif _PERIOD_SUFFIX_RE.search(s[-3:]) or s.endswith(("°C.", "°c.", "°F.", "°f.", "°K.", "°k.")):
            best = 1
    elif c == "…":
        best = 2 if s.endswith("……") else 1
    elif (c in _SUFFIX_CHARS or unicodedata.category(c) == "So") or (c == "+" and len(s) > 1 and "0" <= s[-2] <= "9"):
        best = 1
    if len(s) > 1 and s[-2] in "'’" and c in "sS":
        best = max(best, 2)
    tail = s[-8:]  # the longest unit / currency is 5 characters, plus the digit before it
    m = _DIGIT_SUFFIX_RE.search(tail)
    if m is not None:
        best = max(best, len(tail) - m.start())
    return best


def _split_infixes(s: str, out: list[str]) -> None:
    start = 0
    for m in _INFIX_RE.finditer(s):
        a, b = m.span()
        if a == 0:
            continue
        if a != start:
            out.append(s[start:a])
        if a != b:
            out.append(s[a:b])
        start = b
    if start < len(s):
        out.append(s[start:])


def _affix_tokens(chunk: str, specials: dict[str, tuple[str, ...]]) -> list[str]:
    """Tokenize one whitespace-free chunk: peel affixes, then special case / URL / infixes."""
    prefixes: list[str] = []
    suffixes: list[str] = []
    s = chunk
    last = -1
    while s and len(s) != last:
        if s in specials:
            break
        last = len(s)
        pre = _prefix_len(s)
        if pre:
            rest = s[pre:]
            if rest and rest in specials:
                prefixes.append(s[:pre])
                s = rest
                break
        suf = _suffix_len(s[pre:]) if len(s) > pre else 0
        if suf:
            rest = s[:-suf]
            if rest and rest in specials:
                suffixes.append(s[-suf:])
                s = rest
                break
        if pre and suf and pre + suf <= len(s):
            prefixes.append(s[:pre])
            suffixes.append(s[-suf:])
            s = s[pre:-suf]
        elif pre:
            prefixes.append(s[:pre])
            s = s[pre:]
        elif suf:
            suffixes.append(s[-suf:])
            s = s[:-suf]
    out = prefixes
    if s:
        sp = specials.get(s)
        if sp is not None:
            out.extend(sp)
        elif _is_url(s):
            out.append(s)
        else:
            _split_infixes(s, out)
    out.extend(reversed(suffixes))
    return out


# Special cases that the affix rules split into several tokens (emoticons such as "):" or "''"). After a chunk
# is tokenized, any run of its tokens that spells such a case exactly is merged back (spaCy's special-case
# matcher pass; the longest run wins, ties go to the earlier run).
_MERGEABLE: dict[tuple[str, ...], str] = {}
for _key in _SPECIALS:
    _toks = tuple(_affix_tokens(_key, {}))
    if len(_toks) > 1:
        _MERGEABLE[_toks] = _key
_MERGE_MAX = max(len(k) for k in _MERGEABLE)
_MERGE_FIRST = frozenset(k[0] for k in _MERGEABLE)


def _merge_specials(tokens: list[str]) -> list[str]:
    n = len(tokens)
    found: list[tuple[int, int]] = []
    for i in range(n - 1):
        if tokens[i] not in _MERGE_FIRST:
            continue
        for j in range(i + 2, min(n, i + _MERGE_MAX) + 1):
            if tuple(tokens[i:j]) in _MERGEABLE:
                found.append((i, j))
    if not found:
        return tokens
    found.sort(key=lambda span: (span[1] - span[0], -span[0]))
    seen: set[int] = set()
    chosen: list[tuple[int, int]] = []
    for i, j in reversed(found):
        if i not in seen and j - 1 not in seen:
            chosen.append((i, j))
        seen.update(range(i, j))
    chosen.sort()
    out: list[str] = []
    pos = 0
    for i, j in chosen:
        out.extend(tokens[pos:i])
        out.extend(_SPECIALS[_MERGEABLE[tuple(tokens[i:j])]])
        pos = j
    out.extend(tokens[pos:])
    return out


@lru_cache(maxsize=200_000)
def _split_chunk(chunk: str) -> tuple[str, ...]:
    tokens = _affix_tokens(chunk, _SPECIALS)
    if len(tokens) > 1:
        tokens = _merge_specials(tokens)
    return tuple(tokens)


def words_datatrove(text: str) -> list[str]:
    """Split ``text`` into words the way datatrove 0.10's English word tokenizer does (spaCy rules).

    Whitespace is never part of a word and empty tokens are dropped, as in datatrove's ``strip_strings``.

    >>> words_datatrove("I don't know... (see e.g. http://x.org/a?b=1), it's 5km.")
    ['I', 'do', "n't", 'know', '...', '(', 'see', 'e.g.', 'http://x.org/a?b=1', ')', ',', 'it', "'s", '5', 'km', '.']
    """
    return words_datatrove_lines((text,))[0]


def words_datatrove_lines(lines: Iterable[str]) -> list[list[str]]:
    """``[words_datatrove(line) for line in lines]`` in one loop (a document's lines are many and short, so the
    cost of a call per line is a third of the splitting)."""
    specials = _SPECIALS
    split_chunk = _split_chunk
    result: list[list[str]] = []
    for text in lines:
        out: list[str] = []
        for chunk in text.split():
            if chunk.isalpha():
                sp = specials.get(chunk)
                if sp is None:
                    out.append(chunk)
                else:
                    out.extend(sp)
            else:
                out.extend(split_chunk(chunk))
        result.append(out)
    return result


# spaCy's sentencizer: a sentence ends after a token that is one of these characters; the next sentence
# starts at the first following token that is neither one of them nor made only of punctuation (Unicode P*).
_SENT_END_CHARS = frozenset(
    "!.?։؟۔܀܁܂߹।॥၊။።፧፨᙮᜵᜶᠃᠉᥄᥅᪨᪩᪪᪫᭚᭛᭞᭟᰻᰼᱾᱿‼‽⁇⁈⁉⸮⸼꓿꘎꘏꛳꛷꡶꡷꣎꣏꤯꧈꧉꩝꩞꩟꫰꫱꯫﹒﹖﹗！．？｡。"
    "\U00010a56\U00010a57\U00011047\U00011048\U000110be\U000110bf\U000110c0\U000110c1\U00011141\U00011142"
    "\U00011143\U000111c5\U000111c6\U000111cd\U000111de\U000111df\U00011238\U00011239\U0001123b\U0001123c"
    "\U000112a9\U0001144b\U0001144c\U000115c2\U000115c3\U000115c9\U000115ca\U000115cb\U000115cc\U000115cd"
    "\U000115ce\U000115cf\U000115d0\U000115d1\U000115d2\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7"
    "\U00011641\U00011642\U0001173c\U0001173d\U0001173e\U00011a42\U00011a43\U00011a9b\U00011a9c\U00011c41"
    "\U00011c42\U00016a6e\U00016a6f\U00016af5\U00016b37\U00016b38\U00016b44\U0001bc9f\U0001da88"
)


@lru_cache(maxsize=65_536)
def is_punct_token(token: str) -> bool:
    """True when every character of ``token`` is Unicode punctuation (category P*), as spaCy's ``is_punct``."""
    return all(unicodedata.category(ch)[0] == "P" for ch in token)


def count_sentences_datatrove(words: Iterable[str]) -> int:
    """Number of sentences spaCy's sentencizer finds in a token sequence (at least 1, 0 for no tokens)."""
    n = 0
    seen_end = False
    for tok in words:
        if n == 0:
            n = 1
        in_end = tok in _SENT_END_CHARS
        if seen_end and not in_end and not is_punct_token(tok):
            n += 1
            seen_end = False
        elif in_end:
            seen_end = True
    return n


# ---------------------------------------------------------------------------------------------------------
# Other languages
# ---------------------------------------------------------------------------------------------------------

_CJK_CHARS = r"\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # noqa: E501
_CJK_RE = re.compile(f"[{_CJK_CHARS}]")
_SCRIPT_RUNS = {
    "th": "\u0e00-\u0e7f",
    "lo": "\u0e80-\u0eff",
    "km": "\u1780-\u17ff\u19e0-\u19ff",
    "my": "\u1000-\u109f\uaa60-\uaa7f",
    "bo": "\u0f00-\u0fff",
}
_SCRIPT_RUN_RES = {lang: re.compile(f"[{rng}]+") for lang, rng in _SCRIPT_RUNS.items()}
_CJK_LANGS = frozenset({"zh", "ja", "yue", "wuu", "lzh", "cmn", "jpn", "zho"})


def _words_with_segments(text: str, seg_re: re.Pattern[str]) -> list[str]:
    out: list[str] = []
    pos = 0
    for m in seg_re.finditer(text):
        if m.start() > pos:
            out.extend(words_datatrove(text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.extend(words_datatrove(text[pos:]))
    return out


@lru_cache(maxsize=256)
def word_splitter(language: str) -> Callable[[str], list[str]]:
    """The word splitter of :func:`words_for_language` for a language code, resolved once for many texts.

    Every splitter here splits at whitespace first, so splitting each line of ``text.splitlines()`` and
    concatenating gives the words of the whole text (every line boundary is whitespace, and no segment of
    :func:`_words_with_segments` holds whitespace); ``compute_signals`` relies on that to split a document once.
    """
    lang = language.split("_", 1)[0].lower()
    if lang in _CJK_LANGS:
        return partial(_words_with_segments, seg_re=_CJK_RE)
    run_re = _SCRIPT_RUN_RES.get({"tha": "th", "lao": "lo", "khm": "km", "mya": "my", "bod": "bo"}.get(lang, lang))
    if run_re is not None:
        return partial(_words_with_segments, seg_re=run_re)
    return words_datatrove


def words_for_language(text: str, language: str) -> list[str]:
    """Words of ``text`` for a language code (ISO 639-1 or -3, optionally ``_Script``); see the module doc."""
    return word_splitter(language)(text)


def words_of_lines(lines: Sequence[str], language: str) -> list[list[str]]:
    """``[words_for_language(line, language) for line in lines]``."""
    split = word_splitter(language)
    if split is words_datatrove:
        return words_datatrove_lines(lines)
    return [split(line) for line in lines]


# ---------------------------------------------------------------------------------------------------------
# RedPajama-v2 text views
# ---------------------------------------------------------------------------------------------------------

_WORDPUNCT_RE = re.compile(r"\w+|[^\w\s]+")
_RP_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+$")
_RP_SENT_RE = re.compile(r"\b[^.!?]+[.!?]*")


def words_wordpunct(text: str) -> list[str]:
    r"""NLTK's ``WordPunctTokenizer``: runs of word characters or of other non-space characters (``\w+|[^\w\s]+``)."""
    return _WORDPUNCT_RE.findall(text)


def wordpunct_counts(text: str) -> dict[str, int]:
    r"""The counts of ``Counter(words_wordpunct(text))``, tokenizing each distinct chunk once.

    No token holds whitespace, so the tokens of the text are those of its ``split()`` chunks; a chunk of letters
    and digits only (``isalnum``) is a single ``\w+`` token.
    """
    counts: dict[str, int] = {}
    get = counts.get
    findall = _WORDPUNCT_RE.findall
    for chunk, n in Counter(text.split()).items():
        if chunk.isalnum():
            counts[chunk] = get(chunk, 0) + n
        else:
            for token in findall(chunk):
                counts[token] = get(token, 0) + n
    return counts


def rp_normalize(text: str) -> str:
    r"""RedPajama-v2 normalization: drop ASCII punctuation, lower-case, collapse whitespace, NFD.

    RedPajama writes ``text.translate(str.maketrans("", "", string.punctuation)).lower().strip()``, then
    ``re.sub(r"\s+", " ", text)``. Here: one ``str.replace`` per punctuation mark the text holds (a translate
    table is a per-character dict lookup outside ASCII-only text, ~15x slower on web pages), and
    ``" ".join(text.split())``, the same result (``\s`` and ``str.split`` use the same whitespace set).
    """
    return rp_normalize_split(text)[0]


def rp_normalize_split(text: str) -> tuple[str, list[str]]:
    """``(rp_normalize(text), rp_normalize(text).split())``, RedPajama-v2's normalized text and words, splitting
    once: the words before NFD are the words after it unless NFD changed the text."""
    for mark in string.punctuation:
        if mark in text:
            text = text.replace(mark, "")
    words = text.lower().split()
    joined = " ".join(words)
    normalized = unicodedata.normalize("NFD", joined)
    return normalized, words if normalized == joined else normalized.split()


def lines_rp(text: str) -> list[str]:
    """RedPajama-v2 lines: each line keeps its trailing newline; a final line without newline is kept if non-empty."""
    return _RP_LINE_RE.findall(text)


def sentence_count_rp(text: str) -> int:
    r"""RedPajama-v2 ``rps_doc_num_sentences``: matches of ``\b[^.!?]+[.!?]*``."""
    return sum(1 for _ in _RP_SENT_RE.finditer(text))
