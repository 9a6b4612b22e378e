"""Records of plain-text, JSONL and Parquet sources (a Wikipedia extract, books, papers): pure Python, no Spark.

:func:`read_records` turns one open file into :class:`TextRecord` values, one per record, each with a stable
``key`` (the record's id field, else ``<file name>#<record number>``) from which the ingest-text job derives a
deterministic ``doc_id``. Nothing is skipped silently: a JSONL line that is not a JSON object, or whose text field
is missing or not a string, is a record with ``status='parse_error'``; an empty text is ``status='empty'``; a file
that cannot be read past some point ends with one ``status='read_error'`` record carrying the error, after the
records read before it.

Plain text (``format='text'``) is split by ``text_split``: ``file`` (the whole file), ``line`` (every non-empty
line), ``blank_line`` (blocks separated by blank lines) or ``heading`` (WikiText's top-level `` = Title = ``
lines start a document whose title is the heading; sub-headings `` = = x = = `` stay in the text).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal


__all__ = ["TextRecord", "read_records", "split_plain_text"]

Split = Literal["file", "line", "blank_line", "heading"]
_BLANK_RE = re.compile(r"\n(?:[ \t\r]*\n)+")
_HEADING_RE = re.compile(r"^ = ([^=].*?) = *$")


@dataclass(frozen=True, slots=True)
class TextRecord:
    key: str
    number: int
    text: str | None
    status: str = "ok"
    error: str | None = None
    url: str | None = None
    title: str | None = None


def split_plain_text(text: str, split: Split) -> Iterator[tuple[str | None, str]]:
    """(title, text) pieces of a plain-text file (see the module docstring)."""
    if split == "file":
        yield None, text
    elif split == "line":
        for line in text.split("\n"):
            if line.strip():
                yield None, line
    elif split == "blank_line":
        for block in _BLANK_RE.split(text):
            if block.strip():
                yield None, block.strip("\n")
    elif split == "heading":
        title: str | None = None
        lines: list[str] = []
        for line in text.split("\n"):
            m = _HEADING_RE.match(line)
            if m:
                if title is not None or any(x.strip() for x in lines):
                    yield title, "\n".join(x.strip() for x in lines if x.strip())
                title, lines = m.group(1).strip(), []
            else:
                lines.append(line)
        if title is not None or any(x.strip() for x in lines):
            yield title, "\n".join(x.strip() for x in lines if x.strip())
    else:
        raise ValueError(f"unknown text_split {split!r}")


def _status(text: str | None) -> str:
    return "ok" if text and text.strip() else "empty"


def _field(obj: dict[str, Any], name: str | None) -> str | None:
    if not name:
        return None
    value = obj.get(name)
    return None if value is None else str(value)


def read_records(
    stream: IO[bytes],
    name: str,
    fmt: Literal["jsonl", "parquet", "text"],
    *,
    text_field: str = "text",
    id_field: str | None = None,
    url_field: str | None = None,
    title_field: str | None = None,
    text_split: Split = "blank_line",
) -> Iterator[TextRecord]:
    """Every record of one file, in file order (see the module docstring). ``name`` is the file's base name."""
    n = 0
    try:
        if fmt == "text":
            content = stream.read().decode("utf-8", errors="replace")
            for title, text in split_plain_text(content.replace("\r\n", "\n"), text_split):
                yield TextRecord(f"{name}#{n}", n, text, _status(text), title=title)
                n += 1
        elif fmt == "jsonl":
            for raw in io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="\n"):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield TextRecord(f"{name}#{n}", n, None, "parse_error", f"not JSON: {exc}")
                    n += 1
                    continue
                if not isinstance(obj, dict):
                    yield TextRecord(f"{name}#{n}", n, None, "parse_error", "a JSONL record must be an object")
                    n += 1
                    continue
                yield _record_of(obj, name, n, text_field, id_field, url_field, title_field)
                n += 1
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            pf = pq.ParquetFile(stream)
            wanted = [c for c in dict.fromkeys([text_field, id_field, url_field, title_field]) if c]
            missing = [c for c in wanted if c not in pf.schema_arrow.names]
            if missing:
                raise KeyError(f"columns {missing} not in the Parquet file (it has {pf.schema_arrow.names})")
            for batch in pf.iter_batches(columns=wanted, batch_size=1024):
                for obj in batch.to_pylist():
                    yield _record_of(obj, name, n, text_field, id_field, url_field, title_field)
                    n += 1
        else:
            raise ValueError(f"unknown format {fmt!r}")
    except Exception as exc:  # noqa: BLE001 - the file's failure is a record that the ledger counts
        yield TextRecord(f"{name}#error", n, None, "read_error", f"{type(exc).__name__}: {exc}"[:2000])


def _record_of(
    obj: dict[str, Any],
    name: str,
    n: int,
    text_field: str,
    id_field: str | None,
    url_field: str | None,
    title_field: str | None,
) -> TextRecord:
    record_id = _field(obj, id_field)
    key = record_id if record_id is not None else f"{name}#{n}"
    text = obj.get(text_field)
    if text is not None and not isinstance(text, str):
        return TextRecord(key, n, None, "parse_error", f"field {text_field!r} is {type(text).__name__}, not text")
    return TextRecord(key, n, text, _status(text), url=_field(obj, url_field), title=_field(obj, title_field))
