"""``mapInArrow`` function for the annotate job: ``documents`` rows in, ``signals`` rows out.

Per document: fastText language ID (label, score, top-k) with the configured input convention, then
every heuristic signal of :func:`crawlforge.lib.heuristics.signals.compute_signals` for that language.
The fastText model and the word/URL lists load once per Python worker (module-level caches), from
files shipped with the job; nothing is downloaded. Arrow batches go to Python lists and back without pandas: the
signals are ~80 Python-object columns, and a pandas round trip of them cost more than a tenth of the stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from crawlforge.lib.heuristics.signals import SIGNAL_COLUMNS, SignalResources, compute_signals
from crawlforge.lib.heuristics.url_filter import UrlFilterLists
from crawlforge.lib.langid import LanguageIdentifier


# Spark types of the signal columns (compute_signals returns bool/int/float/str or None).
_BOOLEAN = {"url_domain_blocked", "url_subdomain_blocked", "url_blocked", "c4_badwords"}
_STRING = {"c4_first_doc_drop", "rps_doc_ut1_blacklist"}
_LONG = {
    "doc_chars",
    "url_banned_words",
    "url_soft_banned_words",
    "url_banned_subwords",
    "gopher_words",
    "gopher_non_symbol_words",
    "gopher_stop_words",
    "c4_lines",
    "c4_lines_kept",
    "c4_lines_too_long_word",
    "c4_lines_no_terminal_punct",
    "c4_lines_too_few_words",
    "c4_lines_javascript",
    "c4_lines_policy",
    "c4_citations_removed",
    "c4_lorem_ipsum_lines",
    "c4_curly_bracket_lines",
    "c4_num_sentences",
    "c4_chars_removed",
    "fineweb_lines",
    "rps_doc_num_sentences",
    "rps_doc_word_count",
    "rps_doc_ldnoobw_words",
}


def signal_type(column: str) -> str:
    """Spark SQL type name of a signal column."""
    if column in _BOOLEAN:
        return "boolean"
    if column in _STRING:
        return "string"
    if column in _LONG:
        return "bigint"
    return "double"


SIGNAL_TYPES: dict[str, str] = {c: signal_type(c) for c in SIGNAL_COLUMNS}
LEAD_DDL = (
    "source string, snapshot string, doc_id string, file_id string, url string, language string, "
    "language_score double, language_topk array<struct<label:string,score:double>>, lid_model string"
)
OUTPUT_DDL = LEAD_DDL + "".join(f", {c} {t}" for c, t in SIGNAL_TYPES.items())
OUTPUT_COLUMNS = [c.split()[0] for c in LEAD_DDL.split(", ")] + list(SIGNAL_COLUMNS)
INPUT_COLUMNS = ["source", "snapshot", "doc_id", "file_id", "url", "text"]
_ARROW_TYPES = {"boolean": pa.bool_(), "string": pa.string(), "bigint": pa.int64(), "double": pa.float64()}
ARROW_SCHEMA = pa.schema(
    [
        *[(c, pa.string()) for c in ("source", "snapshot", "doc_id", "file_id", "url", "language")],
        ("language_score", pa.float64()),
        ("language_topk", pa.list_(pa.struct([("label", pa.string()), ("score", pa.float64())]))),
        ("lid_model", pa.string()),
        *[(c, _ARROW_TYPES[t]) for c, t in SIGNAL_TYPES.items()],
    ]
)


@dataclass(frozen=True)
class AnnotateTaskOptions:
    lid_model: str | None
    lid_mode: str
    top_k: int
    url_domain_files: tuple[str, ...] = ()
    url_url_files: tuple[str, ...] = ()


@cache
def _resources(domain_files: tuple[str, ...], url_files: tuple[str, ...]) -> SignalResources:
    """Built once per Python worker and list of files."""
    return SignalResources(url_lists=UrlFilterLists.fineweb(domain_files, url_files))


def _cast(column: str, value: object) -> object:
    if value is None:
        return None
    kind = SIGNAL_TYPES[column]
    if kind == "double":
        return float(value)  # type: ignore[arg-type]
    if kind == "bigint":
        return int(value)  # type: ignore[call-overload]
    return value


def make_annotate_fn(opts: AnnotateTaskOptions) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function for ``df.select(*INPUT_COLUMNS).mapInArrow(fn, OUTPUT_DDL)``."""
    lid = LanguageIdentifier(opts.lid_model, k=opts.top_k, mode=opts.lid_mode)  # type: ignore[arg-type]

    def annotate(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        resources = _resources(opts.url_domain_files, opts.url_url_files)
        model_name = lid.model_path.rsplit("/", 1)[-1]
        for batch in batches:
            rows = {k: batch.column(k).to_pylist() for k in INPUT_COLUMNS}
            out: dict[str, list] = {k: [] for k in OUTPUT_COLUMNS}
            for key in ("source", "snapshot", "doc_id", "file_id", "url"):
                out[key] = rows[key]
            for maybe_text, url in zip(rows["text"], rows["url"], strict=True):
                text = maybe_text or ""
                pred = lid.predict(text)
                out["language"].append(pred.label)
                out["language_score"].append(float(pred.score))
                out["language_topk"].append([{"label": lab, "score": float(s)} for lab, s in pred.topk])
                out["lid_model"].append(model_name)
                signals = compute_signals(text, url, pred.label or "und", resources)
                for column in SIGNAL_COLUMNS:
                    out[column].append(_cast(column, signals.get(column)))
            yield pa.RecordBatch.from_pydict(out, schema=ARROW_SCHEMA)

    return annotate
