"""Typed job configuration: YAML files merged with dotted ``--set key=value`` overrides.

Merge order (later wins): the model defaults, each ``--config`` file in order, then every
``--set`` override. The result is validated into frozen pydantic models that forbid unknown keys, so
a typo such as ``ingest.file_per_batch`` fails before any work starts with a message that names the
key. This follows dolma's dataclass configs with dotted overrides, without Hydra's ``_target_`` (a
config is data, never an import path).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ConfigError(ValueError):
    """A config file, key or value is wrong; the message names the key and what was expected."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LakeConfig(_Section):
    root: str = Field(
        "./lake", description="Lake root: local folder, s3://, abfss:// or dbfs:/ URI; one folder per table."
    )


class SparkConfig(_Section):
    master: str = Field(
        "local[2]",
        description="Master URL used only when crawlforge creates the session (local mode). Under spark-submit, "
        "Databricks or EMR the existing session is used and this is ignored.",
    )
    app_name: str = Field("crawlforge", description="Spark application name when crawlforge creates the session.")
    delta_jars: Literal["auto", "pip", "jars", "provided"] = Field(
        "auto",
        description="How Delta's jars arrive: 'pip' resolves io.delta through Ivy (Maven Central or a warm cache), "
        "'jars' uses the explicit `jars` list, 'provided' expects them on the classpath (Databricks, EMR), "
        "'auto' is 'provided' when a session already exists or the platform ships Delta, else 'pip'.",
    )
    jars: list[str] = Field(default_factory=list, description="Explicit jar paths for delta_jars='jars'.")
    ivy_dir: str | None = Field(
        None, description="Ivy cache folder (spark.jars.ivy); default $CRAWLFORGE_IVY_DIR, else Spark's own default."
    )
    shuffle_partitions: int = Field(
        8, ge=1, description="spark.sql.shuffle.partitions when crawlforge creates the session."
    )
    driver_memory: str = Field("2g", description="spark.driver.memory for sessions crawlforge creates.")
    conf: dict[str, str] = Field(default_factory=dict, description="Extra Spark conf for sessions crawlforge creates.")


class RunConfig(_Section):
    run_id: str | None = Field(None, description="Run identifier; generated (time + random) when not given.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Python log level.")


class HttpConfig(_Section):
    retries: int = Field(8, ge=0, description="Retries per request on 429, 5xx, resets and timeouts.")
    backoff_base_s: float = Field(0.5, gt=0, description="First backoff; doubles per retry, with full jitter.")
    backoff_max_s: float = Field(60.0, gt=0, description="Largest single backoff.")
    timeout_s: float = Field(60.0, gt=0, description="Connect and read timeout per request.")


class InputConfig(_Section):
    kind: Literal["sample", "snapshot", "manifest", "glob", "paths"] = Field(
        "sample",
        description="'sample': the embedded generated crawl; 'snapshot': a Common Crawl crawl id resolved through "
        "its warc.paths.gz/wet.paths.gz listing; 'manifest': a text file with one path or URI per line; "
        "'glob': a local glob pattern; 'paths': the explicit `paths` list.",
    )
    snapshot_id: str | None = Field(None, description="Crawl id for kind='snapshot', e.g. CC-MAIN-2024-22.")
    base_url: str = Field(
        "https://data.commoncrawl.org/",
        description="Where Common Crawl paths resolve: https://data.commoncrawl.org/ or s3://commoncrawl/.",
    )
    file_type: Literal["warc", "wet"] = Field("warc", description="Listing to use for kind='snapshot'.")
    file_limit: int | None = Field(None, ge=1, description="Use at most this many files (after segment selection).")
    segments: list[str] = Field(
        default_factory=list, description="Keep only files of these segment ids (e.g. 1715971057216.39)."
    )
    manifest: str | None = Field(None, description="Manifest file (local, http(s) or s3; .gz allowed).")
    glob: str | None = Field(None, description="Local glob pattern for kind='glob'.")
    paths: list[str] = Field(default_factory=list, description="Explicit inputs for kind='paths'.")


class IngestConfig(_Section):
    source: str = Field("common-crawl", description="Value of the `source` partition column.")
    snapshot: str | None = Field(
        None,
        description="Value of the `snapshot` partition column; defaults to input.snapshot_id, or the sample's tag.",
    )
    input: InputConfig = Field(default_factory=InputConfig)
    keep_mime_types: list[str] = Field(
        default_factory=lambda: ["text/html", "application/xhtml+xml", "application/xml+xhtml", "text/xml+xhtml"],
        description="HTTP Content-Type values (without parameters) kept from WARC response records.",
    )
    keep_status: list[int] = Field(default_factory=lambda: [200], description="HTTP status codes kept.")
    max_record_bytes: int = Field(
        16 * 1024 * 1024, ge=1024, description="Records whose WARC block is larger are dropped as 'too_large'."
    )
    files_per_batch: int = Field(
        0,
        ge=0,
        description="Files per Delta commit; 0 means 4 x default parallelism. Each file is its own task.",
    )
    retry_failed: bool = Field(
        False, description="Also retry files whose last attempt failed on corrupt input (transient ones always are)."
    )
    max_attempts: int = Field(3, ge=1, description="Give up on a file after this many failed attempts.")
    resync: bool = Field(True, description="After a corrupt region, scan for the next record and keep reading.")
    http: HttpConfig = Field(default_factory=HttpConfig)


class ScopeConfig(_Section):
    source: str | None = Field(None, description="Process only this source (default: ingest.source).")
    snapshot: str | None = Field(None, description="Process only this snapshot (default: the ingest snapshot).")


class ExtractConfig(_Section):
    max_bytes: int = Field(
        8 * 1024 * 1024, ge=1024, description="Pages above this many payload bytes are dropped as 'too_large'."
    )
    timeout_s: float = Field(
        2.0, gt=0, description="Per-document extraction time limit; slower pages are dropped as 'timeout'."
    )
    main_content: bool = Field(True, description="resiliparse main-content extraction (else the full page).")
    fallback_min_chars: int = Field(
        200, ge=0, description="Use the full page when main content is shorter than this (0 disables the fallback)."
    )
    files_per_batch: int = Field(0, ge=0, description="Input files per Delta commit; 0 means 4 x default parallelism.")


class AnnotateConfig(_Section):
    lid_model: str | None = Field(
        None, description="fastText language-ID model path (lid.176.bin, GlotLID); default: lid.176.ftz shipped."
    )
    lid_mode: Literal["fineweb", "ccnet"] = Field(
        "fineweb", description="Input convention for language ID: FineWeb (newlines -> spaces) or CCNet (removed)."
    )
    lid_top_k: int = Field(3, ge=1, le=10, description="Languages kept in language_topk.")
    url_domain_files: list[str] = Field(
        default_factory=list,
        description="Blocked-domain files (one per line, or a datatrove-style .tar.gz) for the URL-filter signals.",
    )
    url_url_files: list[str] = Field(
        default_factory=list, description="Blocked-URL files (one per line) for the URL-filter signals."
    )
    files_per_batch: int = Field(0, ge=0, description="Input files per Delta commit; 0 means 4 x default parallelism.")


class SelectConfig(_Section):
    recipe: str = Field("fineweb", description="Recipe YAML: a path, or a name in conf/recipes/ (fineweb, ...).")
    drop_samples_per_rule: int = Field(
        20, ge=0, description="Dropped documents kept per rule (and source/snapshot) in the drop_samples table."
    )


class SampleConfig(_Section):
    pages: int = Field(600, ge=1, description="Number of HTML pages in the generated crawl.")
    files: int = Field(3, ge=1, description="Number of WARC files the pages are spread over.")
    seed: int = Field(20261121, description="Generator seed; same seed, same bytes.")
    snapshot: str = Field("SAMPLE-2026-47", description="Snapshot tag of the generated crawl.")
    output_dir: str | None = Field(None, description="Where sample WARC files go; default <lake.root>/_sample_input.")


class CrawlforgeConfig(_Section):
    lake: LakeConfig = Field(default_factory=LakeConfig)
    spark: SparkConfig = Field(default_factory=SparkConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    scope: ScopeConfig = Field(default_factory=ScopeConfig)
    extract: ExtractConfig = Field(default_factory=ExtractConfig)
    annotate: AnnotateConfig = Field(default_factory=AnnotateConfig)
    select: SelectConfig = Field(default_factory=SelectConfig)
    sample: SampleConfig = Field(default_factory=SampleConfig)

    @field_validator("lake")
    @classmethod
    def _strip_root(cls, v: LakeConfig) -> LakeConfig:
        return v.model_copy(update={"root": v.root.rstrip("/") or "/"})

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)

    def config_hash(self) -> str:
        """Stable hash of the resolved config, minus the run id (same settings -> same hash)."""
        data = self.model_dump(mode="json")
        data["run"] = {k: v for k, v in data["run"].items() if k != "run_id"}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------
# Loading and merging


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_config_path(name: str) -> Path:
    """A path on disk, or the name of a packaged config (``local`` or ``local.yaml``)."""
    path = Path(name)
    if path.is_file():
        return path
    stem = name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"
    packaged = resources.files("crawlforge.conf").joinpath(stem)
    if packaged.is_file():
        return Path(str(packaged))
    raise ConfigError(f"config file not found: {name!r} (neither a file nor a packaged config in crawlforge/conf)")


def load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections, got {type(data).__name__}")
    return data


def parse_override(item: str) -> tuple[list[str], Any]:
    """``ingest.files_per_batch=8`` -> (["ingest", "files_per_batch"], 8); the value is parsed as YAML."""
    if "=" not in item:
        raise ConfigError(f"--set expects key=value, got {item!r}")
    key, raw = item.split("=", 1)
    parts = [p for p in key.strip().split(".") if p]
    if not parts:
        raise ConfigError(f"--set has an empty key: {item!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return parts, value


def _nest(parts: list[str], value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {parts[-1]: value}
    for part in reversed(parts[:-1]):
        out = {part: out}
    return out


def _format_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown config key '{key}'")
        else:
            lines.append(f"config key '{key}': {err['msg']} (got {err.get('input')!r})")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def build_config(
    config_files: Iterable[str] = (), overrides: Iterable[str] = (), base: Mapping[str, Any] | None = None
) -> CrawlforgeConfig:
    """Load, merge and validate; raises :class:`ConfigError` naming the offending key."""
    data: dict[str, Any] = dict(base or {})
    for name in config_files:
        data = _deep_merge(data, load_yaml(resolve_config_path(name)))
    for item in overrides:
        parts, value = parse_override(item)
        data = _deep_merge(data, _nest(parts, value))
    try:
        return CrawlforgeConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc)) from None


def describe_options(model: type[BaseModel] = CrawlforgeConfig, prefix: str = "") -> list[tuple[str, str, str]]:
    """Every config key as (dotted key, default, description), for ``--help``."""
    rows: list[tuple[str, str, str]] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            rows.extend(describe_options(ann, key + "."))
            continue
        default = field.get_default(call_default_factory=True)
        rows.append((key, json.dumps(default, default=str), field.description or ""))
    return rows


def default_ivy_dir(cfg: SparkConfig) -> str | None:
    return cfg.ivy_dir or os.environ.get("CRAWLFORGE_IVY_DIR") or None
