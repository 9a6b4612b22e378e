"""Resolve an ingest's input description into the ordered list of files to read.

Inputs are a Common Crawl snapshot id (its ``crawl-data/<id>/warc.paths.gz`` or ``wet.paths.gz``
listing, with segment selection and a file limit), a manifest (one path or URI per line), a local
glob, or an explicit list. The plan is sorted so that the same description always gives the same
files in the same order, and every file gets a stable ``file_id`` (its raw rows are found by it).

For Common Crawl the *key* of a file is its path relative to the bucket
(``crawl-data/CC-MAIN-2024-22/segments/.../x.warc.gz``), whether it is read over HTTPS or S3, so the
ledger and ``doc_id`` do not change when a user switches transport.
"""

from __future__ import annotations

import glob as globlib
import os
import re
from dataclasses import dataclass

from crawlforge.lib.config import InputConfig
from crawlforge.lib.remote_io import RetryPolicy, join_uri, read_lines
from crawlforge.lib.warc_reader import file_id_of


SNAPSHOT_RE = re.compile(r"^CC-MAIN-\d{4}-\d{2}$")
_SEGMENT_RE = re.compile(r"/segments/([^/]+)/")
_CRAWL_RE = re.compile(r"(crawl-data/CC-MAIN-\d{4}-\d{2}/.*)$")


@dataclass(frozen=True, slots=True)
class InputFile:
    uri: str  # what is opened (local path or URI)
    key: str  # stable name recorded in tables (Common Crawl: path relative to the bucket)
    file_id: str


class InputPlanError(ValueError):
    """The input description cannot be resolved (missing option, empty listing, bad snapshot id)."""


def snapshot_listing_uri(snapshot_id: str, base_url: str, file_type: str) -> str:
    if not SNAPSHOT_RE.match(snapshot_id):
        raise InputPlanError(f"not a Common Crawl snapshot id: {snapshot_id!r} (expected CC-MAIN-YYYY-WW)")
    return join_uri(base_url, f"crawl-data/{snapshot_id}/{file_type}.paths.gz")


def canonical_key(uri: str) -> str:
    """Common Crawl paths keep only ``crawl-data/...``; local files become absolute paths."""
    m = _CRAWL_RE.search(uri)
    if m and "://" in uri:
        return m.group(1)
    if "://" in uri and not uri.startswith("file://"):
        return uri
    path = uri[len("file://") :] if uri.startswith("file://") else uri
    return os.path.abspath(path)


def _make(uri: str) -> InputFile:
    key = canonical_key(uri)
    return InputFile(uri=uri, key=key, file_id=file_id_of(key))


def _select(paths: list[str], cfg: InputConfig) -> list[str]:
    if cfg.segments:
        wanted = set(cfg.segments)
        paths = [p for p in paths if (m := _SEGMENT_RE.search(p)) and m.group(1) in wanted]
    if cfg.file_limit:
        paths = paths[: cfg.file_limit]
    return paths


def resolve_inputs(
    cfg: InputConfig, policy: RetryPolicy | None = None, sample_paths: list[str] | None = None
) -> list[InputFile]:
    """The ordered, de-duplicated list of input files for ``cfg``."""
    policy = policy or RetryPolicy()
    if cfg.kind == "snapshot":
        if not cfg.snapshot_id:
            raise InputPlanError("ingest.input.kind=snapshot needs ingest.input.snapshot_id")
        listing = snapshot_listing_uri(cfg.snapshot_id, cfg.base_url, cfg.file_type)
        rel = read_lines(listing, policy)
        uris = [join_uri(cfg.base_url, p) for p in _select(sorted(rel), cfg)]
    elif cfg.kind == "manifest":
        if not cfg.manifest:
            raise InputPlanError("ingest.input.kind=manifest needs ingest.input.manifest")
        lines = [ln for ln in read_lines(cfg.manifest, policy) if not ln.startswith("#")]
        uris = _select(sorted(lines), cfg)
    elif cfg.kind == "glob":
        if not cfg.glob:
            raise InputPlanError("ingest.input.kind=glob needs ingest.input.glob")
        uris = _select(sorted(p for p in globlib.glob(cfg.glob, recursive=True) if os.path.isfile(p)), cfg)
    elif cfg.kind == "paths":
        uris = _select(sorted(cfg.paths), cfg)
    else:  # sample
        if sample_paths is None:
            raise InputPlanError("ingest.input.kind=sample needs the generated sample's paths")
        uris = _select(sorted(sample_paths), cfg)
    seen: set[str] = set()
    plan: list[InputFile] = []
    for uri in uris:
        f = _make(uri)
        if f.key not in seen:
            seen.add(f.key)
            plan.append(f)
    if not plan:
        raise InputPlanError(f"the input description resolves to no files: {cfg.model_dump(exclude_defaults=True)}")
    return plan
