"""report: a static HTML report with plots and a Markdown data card, from whatever tables the lake holds.

Writes ``index.html``, ``datacard.md`` and ``img/*.png`` to ``report.output_dir`` (default ``<lake>/report``) and
prints the path of ``index.html``. Sections (each from one small Spark aggregation; only aggregates and at most
``report.samples_per_rule`` sample rows per rule reach the driver):

* sources and snapshots: raw records, extracted documents, kept by select, published (per source/snapshot);
* the funnel (raw -> extracted -> kept -> published) and documents dropped per stage and rule (``stage_stats``,
  the latest run of each stage per scope);
* languages (``signals``, and the corpus);
* perplexity histogram by perplexity bucket (``signals_ccnet``) and classifier-score histograms by ensemble
  bucket (``signals_quality``: every ``quality_<name>`` score column), when those family tables exist;
* near-duplicate cluster sizes (``duplicates``: ``cluster_id`` or ``cluster_size``);
* PII replaced per type (``corpus``), decontamination (``signals_decontam``), the export manifest;
* licences and opt-outs: published documents per licence class and licence (``corpus``), and noai / TDMRep /
  robots.txt counts over the checked pages (``signals_rights``);
* samples of dropped documents per rule (``drop_samples``, written by select), HTML-escaped.

A missing table is named in the report, never an error: the report runs after any prefix of the pipeline. The
scope is ``scope.*`` (default the ingest source and snapshot).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs import rights as rights_job
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.run_records import RunRecorder, latest_runs, new_run_id, versions
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.recipe import load_recipe
from crawlforge.lib.report_html import Image, ReportData, render_datacard, render_html


log = logging.getLogger(__name__)
JOB = "report"
HIST_BINS = 30
PII_TYPES = ("email", "ipv4", "ipv6", "phone", "credit_card", "iban")


def output_dir(cfg: CrawlforgeConfig) -> str:
    return cfg.report.output_dir or os.path.join(delta_io.lake_root(cfg.lake.root), "report")


class _Lake:
    def __init__(self, spark: SparkSession, root: str, scope: Column) -> None:
        self.spark, self.root, self.scope = spark, root, scope
        self.missing: list[str] = []

    def get(self, name: str, scoped: bool = True) -> DataFrame | None:
        if not delta_io.table_exists(self.spark, self.root, name):
            self.missing.append(name)
            return None
        df = delta_io.read_table(self.spark, self.root, name)
        return df.where(self.scope) if scoped and "source" in df.columns else df


def histogram(df: DataFrame, value: str, group: str, bins: int = HIST_BINS, log10: bool = False) -> tuple[dict, float]:
    """``({group: [(left edge, count)]}, bin width)`` of a numeric column, binned in Spark (two aggregations)."""
    v = F.log10(F.col(value)) if log10 else F.col(value).cast("double")
    data = df.select(v.alias("_v"), F.coalesce(F.col(group).cast("string"), F.lit("none")).alias("_g"))
    data = data.where(F.col("_v").isNotNull() & ~F.isnan("_v"))
    lo_hi = data.agg(F.min("_v").alias("lo"), F.max("_v").alias("hi")).collect()[0]
    if lo_hi["lo"] is None:
        return {}, 1.0
    lo, hi = float(lo_hi["lo"]), float(lo_hi["hi"])
    width = (hi - lo) / bins if hi > lo else 1.0
    idx = F.least(F.floor((F.col("_v") - F.lit(lo)) / F.lit(width)), F.lit(bins - 1)).cast("int")
    rows = data.groupBy("_g", idx.alias("_b")).count().collect()
    out: dict[str, list[tuple[float, int]]] = {}
    for r in rows:
        out.setdefault(r["_g"], []).append((lo + r["_b"] * width, int(r["count"])))
    return out, width


def _count(df: DataFrame | None, cond: Column | None = None) -> int | None:
    if df is None:
        return None
    return (df.where(cond) if cond is not None else df).count()


# data-card rows of the rights job's evidence: label -> boolean SQL condition over signals_rights
RIGHTS_OPTOUTS = {"pages checked": "true", **{k.replace("_", " "): c for k, c in rights_job.COUNTED.items()}}


def collect_rights(data: ReportData, corpus: DataFrame | None, rights: DataFrame | None) -> None:
    """Licence distribution of the corpus and opt-out counts of the checked pages (two small aggregations)."""
    if corpus is not None and "rights_license_class" in corpus.columns:
        checked = corpus.where(F.col("rights_license_class").isNotNull())
        if checked.limit(1).count():
            cls = checked.groupBy("rights_license_class").count().orderBy(F.desc("count"), "rights_license_class")
            data.rights_classes = {r[0]: int(r[1]) for r in cls.collect()}
            unchecked = corpus.count() - sum(data.rights_classes.values())
            if unchecked:
                data.rights_classes["not checked"] = unchecked
            top = checked.groupBy("rights_license").count().orderBy(F.desc("count"), "rights_license").limit(12)
            data.rights_licences = {r[0]: int(r[1]) for r in top.collect()}
    if rights is not None:
        sums = [F.sum(F.when(F.expr(c), 1).otherwise(0)).alias(k) for k, c in RIGHTS_OPTOUTS.items()]
        row = rights.agg(*sums).collect()[0]
        if row["pages checked"]:
            data.rights_optouts = {k: int(row[k] or 0) for k in RIGHTS_OPTOUTS}


def collect_report(spark: SparkSession, cfg: CrawlforgeConfig, img_dir: str) -> ReportData:
    from crawlforge.lib import report_plots as plots

    root = cfg.lake.root
    source, snapshot = scope_of(cfg)
    scope = (F.col("source") == source) & (F.col("snapshot") == snapshot)
    lake = _Lake(spark, root, scope)
    data = ReportData(
        title=cfg.report.dataset_name,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        lake=delta_io.lake_root(root),
        license=cfg.report.license,
        scope=f"{source}/{snapshot}",
    )

    def image(name: str | None, caption: str, section: str) -> None:
        if name:
            data.images.append(Image(f"img/{name}", caption, section))

    raw, docs, signals = lake.get("raw"), lake.get("documents"), lake.get("signals")
    decisions, corpus = lake.get("decisions"), lake.get("corpus")
    n_raw = _count(raw)
    n_ok = _count(docs, F.col("extract_status") == "ok") if docs is not None else None
    n_kept = _count(decisions, F.col("keep")) if decisions is not None else None
    n_pub = _count(corpus)
    for label, n in (("raw records (ingest)", n_raw), ("extracted (extract ok)", n_ok),
                     ("kept (select)", n_kept), ("published (corpus)", n_pub)):  # fmt: skip
        if n is not None:
            data.funnel.append((label, n))
    image(plots.funnel_chart(data.funnel, img_dir, "funnel.png", "Documents after each stage"), "Funnel", "funnel")
    data.scopes = [
        {"source": source, "snapshot": snapshot, "raw": n_raw, "extracted": n_ok, "kept": n_kept, "published": n_pub}
    ]
    files = lake.get("ingest_files")
    if files is not None:
        data.scopes[0]["input files"] = files.select("file_id").distinct().count()

    stats = lake.get("stage_stats")
    if stats is not None:
        latest = Window.partitionBy("stage").orderBy(F.col("recorded_at").desc())
        last_run = stats.select("stage", "run_id", F.row_number().over(latest).alias("_r")).where("_r = 1")
        rows = (
            stats.join(last_run.select("stage", "run_id"), ["stage", "run_id"])
            .where(~F.col("rule").isin("kept", "published", "annotated"))
            .groupBy("stage", "rule")
            .agg(F.sum("docs_in").alias("docs_in"), F.sum("docs_dropped").alias("docs_dropped"))
            .orderBy("stage", F.desc("docs_dropped"), "rule")
            .collect()
        )
        data.rules = [{k: r[k] for k in ("stage", "rule", "docs_in", "docs_dropped")} for r in rows]
        dropped = {f"{r['stage']}: {r['rule']}": int(r["docs_dropped"] or 0) for r in rows}
        image(plots.bar_chart(dropped, img_dir, "dropped_by_rule.png", "Documents dropped per stage and rule"),
              "Documents dropped per stage and rule", "funnel")  # fmt: skip

    if signals is not None:
        langs = signals.groupBy(F.coalesce("language", F.lit("unknown")).alias("l")).count().collect()
        data.languages = {r["l"]: int(r["count"]) for r in langs}
        image(plots.bar_chart(data.languages, img_dir, "languages.png", "Languages of extracted documents"),
              "Languages (signals, all extracted documents)", "languages")  # fmt: skip
    if corpus is not None:
        langs = {r["language"]: int(r["count"]) for r in corpus.groupBy("language").count().collect()}
        image(plots.bar_chart(langs, img_dir, "corpus_languages.png", "Languages of published documents"),
              "Languages (corpus)", "languages")  # fmt: skip

    ccnet = lake.get("signals_ccnet")
    if ccnet is not None and "perplexity" in ccnet.columns:
        group = "perplexity_bucket" if "perplexity_bucket" in ccnet.columns else "source"
        hist, width = histogram(ccnet.where(F.col("perplexity") > 0), "perplexity", group, log10=True)
        image(plots.histogram_chart(hist, img_dir, "perplexity.png", "Perplexity by bucket", "log10(perplexity)",
                                    width, log_y=False), "Perplexity histogram by CCNet bucket", "scores")  # fmt: skip
    quality = lake.get("signals_quality")
    if quality is not None:
        group = "quality_ensemble_bucket" if "quality_ensemble_bucket" in quality.columns else "source"
        numeric = {f.name for f in quality.schema.fields if f.dataType.typeName() in ("double", "float")}
        for col in sorted(c for c in numeric if c.startswith("quality_")):
            hist, width = histogram(quality, col, group)
            image(plots.histogram_chart(hist, img_dir, f"{col}.png", f"{col} by ensemble bucket", col, width),
                  f"Classifier score {col} by {group}", "scores")  # fmt: skip

    dups = lake.get("duplicates")
    if dups is not None:
        if "cluster_id" in dups.columns:
            sizes = dups.groupBy("cluster_id").count().groupBy(F.col("count").alias("size")).count()
        else:
            sizes = dups.groupBy(F.col("cluster_size").alias("size")).count()
        size_counts = {int(r["size"]): int(r["count"]) for r in sizes.collect() if r["size"] is not None}
        data.dedup = {
            "clusters": sum(size_counts.values()),
            "documents in clusters": sum(s * n for s, n in size_counts.items()),
            "largest cluster": max(size_counts, default=0),
        }
        by_size = {f"size {s}": n for s, n in sorted(size_counts.items())}
        image(plots.bar_chart(by_size, img_dir, "cluster_sizes.png", "Near-duplicate clusters by size", "clusters"),
              "Near-duplicate cluster sizes", "dedup")  # fmt: skip

    if corpus is not None:
        totals = corpus.agg(*[F.sum(f"pii_{t}").alias(t) for t in PII_TYPES]).collect()[0]
        data.pii = {t: int(totals[t] or 0) for t in PII_TYPES}
        modes = [r["pii_mode"] for r in corpus.select("pii_mode").distinct().collect()]
        data.pii_mode = ", ".join(sorted(m for m in modes if m)) or cfg.publish.pii_mode
    decontam = lake.get("signals_decontam")
    if decontam is not None:
        flagged = decontam.where(F.col("decontam_flag"))
        per_bench = flagged.select(F.explode("decontam_matches").alias("m")).groupBy("m.benchmark").count().collect()
        data.decontam = {"documents checked": decontam.count(), "documents flagged": flagged.count()}
        data.decontam.update({f"flagged by {r['benchmark']}": int(r["count"]) for r in per_bench})
    collect_rights(data, corpus, lake.get("signals_rights"))
    manifest_path = os.path.join(cfg.export.output_dir or os.path.join(delta_io.lake_root(root), "export"),
                                 "manifest.json")  # fmt: skip
    if os.path.isfile(manifest_path):
        with open(manifest_path, encoding="utf-8") as f:
            m = json.load(f)
        data.export = {k: m.get(k) for k in ("n_shards", "documents", "text_bytes", "tokens", "tokenizer",
                                             "corpus_version")}  # fmt: skip

    samples = lake.get("drop_samples")
    per_rule = cfg.report.samples_per_rule
    if samples is not None and per_rule > 0:
        rows = (
            samples.where(F.col("sample_rank") <= per_rule)
            .select(
                "first_failing_rule",
                "sample_rank",
                "doc_id",
                "url",
                F.substring("text", 1, cfg.report.sample_chars).alias("text"),
            )
            .orderBy("first_failing_rule", "sample_rank")
            .collect()
        )
        for r in rows:
            data.samples.setdefault(r["first_failing_rule"], []).append(
                {"doc_id": r["doc_id"], "url": r["url"], "text": r["text"]}
            )

    try:
        recipe = load_recipe(cfg.select.recipe)
        data.recipe = {
            "name": recipe.name,
            "version": recipe.version,
            "hash": recipe.hash,
            "origin": recipe.origin,
            "rules": [
                (
                    r.name,
                    r.version,
                    f"{r.column} {r.op} {r.value}" + (" or null" if r.null_drops else ""),
                    dict(r.overrides) or "",
                )
                for r in recipe.rules
            ],
        }
    except Exception as exc:  # noqa: BLE001 - the report shows what it could not load
        data.notes.append(f"recipe {cfg.select.recipe!r} could not be loaded: {exc}")
    data.versions = versions(spark)
    if lake.get("runs", scoped=False) is not None:
        runs = latest_runs(spark, cfg.lake.root)
        data.runs = [
            {"run_id": r["run_id"], "job": r["job"], "status": r["status"], "finished_at": r["finished_at"],
             "duration_s": None if r["duration_s"] is None else round(r["duration_s"], 1)}
            for r in runs.orderBy(F.desc("started_at")).limit(15).collect()
        ]  # fmt: skip
    if lake.missing:
        data.notes.append("Tables not in the lake (sections left out): " + ", ".join(sorted(set(lake.missing))))
    return data


def describe_plan(cfg: CrawlforgeConfig) -> str:
    source, snapshot = scope_of(cfg)
    out = output_dir(cfg)
    return f"# report {source}/{snapshot}: {delta_io.lake_root(cfg.lake.root)} -> {out}/index.html, {out}/datacard.md"


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> str:
    """Write the report; returns the path of ``index.html``."""
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    out = output_dir(cfg)
    img_dir = os.path.join(out, "img")
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        os.makedirs(img_dir, exist_ok=True)
        for name in os.listdir(img_dir):  # a previous report's plots that this one may not draw
            if name.endswith(".png"):
                os.remove(os.path.join(img_dir, name))
        data = collect_report(spark, cfg, img_dir)
        index = os.path.join(out, "index.html")
        with open(index, "w", encoding="utf-8") as f:
            f.write(render_html(data))
        with open(os.path.join(out, "datacard.md"), "w", encoding="utf-8") as f:
            f.write(render_datacard(data))
        recorder.counts = {"images": len(data.images), "published": data.funnel[-1][1] if data.funnel else 0}
        recorder.message = f"report at {index}"
    print(f"report: {index}")
    print(f"data card: {os.path.join(out, 'datacard.md')}")
    return index


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
