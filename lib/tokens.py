"""Named, offline token counters for export manifests.

A token count is only meaningful with the tokenizer's name, so :func:`get_counter` returns a
:class:`TokenCounter` whose ``name`` goes into the manifest next to every count. Nothing is downloaded:

``unicode-words-v1`` (default)
    ``len(re.findall(r"\\w+|[^\\w\\s]", text))``: runs of Unicode word characters and single other non-space
    characters. It is a pre-tokenisation count (the splitting step GPT-2-style BPE tokenisers run before merging),
    so for English web text it is a lower bound of a BPE count: about 0.75 to 0.8 of a GPT-2/cl100k count
    (measured rule of thumb, not a tokenizer); reported under its own name, never as "GPT tokens".
``sentencepiece:<path>``
    pieces of a SentencePiece model file, e.g. the CCNet tokenizer the ccnet job registers in the ``models``
    table (kind ``lm``). The name recorded is ``sentencepiece:<file name>@<sha256 prefix>`` so two models with the
    same file name are told apart. Needs the ``sentencepiece`` package (the ``ccnet`` extra).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass


__all__ = ["DEFAULT_TOKENIZER", "TokenCounter", "count_unicode_words", "get_counter"]

DEFAULT_TOKENIZER = "unicode-words-v1"
_WORDS = re.compile(r"\w+|[^\w\s]")


def count_unicode_words(text: str | None) -> int:
    """``unicode-words-v1``: word runs and single symbols."""
    if not text:
        return 0
    return sum(1 for _ in _WORDS.finditer(text))


@dataclass(frozen=True)
class TokenCounter:
    name: str
    count: Callable[[str | None], int]


def _file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def get_counter(spec: str = DEFAULT_TOKENIZER) -> TokenCounter:
    """The counter named by ``spec`` (see the module docstring); ``ValueError`` for an unknown or missing one."""
    if spec == DEFAULT_TOKENIZER:
        return TokenCounter(DEFAULT_TOKENIZER, count_unicode_words)
    if spec.startswith("sentencepiece:"):
        path = spec.split(":", 1)[1]
        if not os.path.isfile(path):
            raise ValueError(f"tokenizer {spec!r}: no SentencePiece model file at {path}")
        import sentencepiece as spm

        proc = spm.SentencePieceProcessor(model_file=path)

        def count(text: str | None) -> int:
            return len(proc.encode(text)) if text else 0

        return TokenCounter(f"sentencepiece:{os.path.basename(path)}@{_file_sha256(path)[:12]}", count)
    raise ValueError(f"unknown tokenizer {spec!r}: use {DEFAULT_TOKENIZER!r} or 'sentencepiece:<model path>'")
