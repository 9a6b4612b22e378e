"""Arrow (``mapInPandas``) wrapper over :mod:`crawlforge.lib.pii` for the publish job.

Per row: drop the lines CCNet paragraph dedup removed (when the ``ccnet_removed_lines`` column is there), redact PII
(or only count it with mode ``off``), then add ``text_sha256``, ``text_chars`` and ``pii_<type>`` counts. Every other
column passes through unchanged. Redaction is per document and starts FineWeb's replacement cycle afresh for each
one (lib/pii.py), so the output does not depend on how rows are partitioned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd


PII_TYPES = ("email", "ipv4", "ipv6", "phone", "credit_card", "iban")
REMOVED_LINES = "ccnet_removed_lines"


@dataclass(frozen=True)
class PiiTaskOptions:
    mode: str = "placeholder"  # placeholder | fineweb | off
    types: tuple[str, ...] = PII_TYPES


def apply_removed_lines(text: str, removed: Sequence[int] | None) -> str:
    """``text`` without the 0-based lines in ``removed``: the ccnet job's own helper when it exists, else lines
    split on ``\\n`` (CCNet's paragraph unit) and joined back with ``\\n``."""
    if removed is None or len(removed) == 0 or not text:
        return text
    try:
        from crawlforge.lib.paragraph_dedup import apply_removed_lines as ccnet_apply  # type: ignore[attr-defined]
    except ImportError:
        ccnet_apply = None
    if ccnet_apply is not None:
        return ccnet_apply(text, list(removed))
    drop = {int(i) for i in removed}
    return "\n".join(line for i, line in enumerate(text.split("\n")) if i not in drop)


def redact_one(text: str | None, opts: PiiTaskOptions) -> tuple[str | None, dict[str, int]]:
    """(text to publish, counts per type in :data:`PII_TYPES`; types not requested count 0)."""
    from crawlforge.lib.pii import count_pii, redact

    counts = dict.fromkeys(PII_TYPES, 0)
    if text is None:
        return None, counts
    if opts.mode == "off":
        found = count_pii(text, opts.types)
        out = text
    else:
        out, found = redact(text, opts.mode, opts.types)  # type: ignore[arg-type]
    for k, v in found.items():
        counts[k] = counts.get(k, 0) + int(v)
    return out, counts


def make_publish_fn(opts: PiiTaskOptions) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def fn(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            pdf = batch
            texts, shas, chars = [], [], []
            counts: dict[str, list[int]] = {t: [] for t in PII_TYPES}
            has_removed = REMOVED_LINES in pdf.columns
            removed_col = pdf[REMOVED_LINES] if has_removed else None
            for i, value in enumerate(pdf["text"]):
                text = None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
                if has_removed and text is not None:
                    text = apply_removed_lines(text, removed_col.iloc[i])  # type: ignore[union-attr]
                out, c = redact_one(text, opts)
                texts.append(out)
                data = (out or "").encode("utf-8", "surrogatepass")
                shas.append(hashlib.sha256(data).hexdigest() if out is not None else None)
                chars.append(len(out) if out is not None else 0)
                for t in PII_TYPES:
                    counts[t].append(c[t])
            pdf = pdf.copy()
            if has_removed:
                pdf = pdf.drop(columns=[REMOVED_LINES])
            pdf["text"] = texts
            pdf["text_sha256"] = shas
            pdf["text_chars"] = pd.Series(chars, dtype="int64")
            for t in PII_TYPES:
                pdf[f"pii_{t}"] = pd.Series(counts[t], dtype="int32")
            yield pdf

    return fn
