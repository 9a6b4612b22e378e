"""dedup: exact (URL, text) and MinHash near-duplicate removal -> ``duplicates``, ``minhash_bands``, signatures.

FineWeb's order (anchors.md B2): the recipe's filters first, then MinHash, so by default the input is the
documents the select job kept (``dedup.input: kept``; ``all`` takes every extracted document). Like every score
job it drops nothing: it writes *who duplicates whom*, and publish leaves out the non-survivors
(:func:`dedup_removed`). The design follows ``shared/reference/minhash-spark.md`` §4 (measured there on this
machine: banding stays linear where MLlib's ``approxSimilarityJoin`` grows with the square of shared content).

Steps, all DataFrame operations (nothing but small aggregates reaches the driver):

1. **Keys and rank.** Every input document gets ``doc_key = xxhash64(source, snapshot, doc_id)`` (a collision in
   the scope is detected and fails the run), the URL key and the normalised-text key of
   :mod:`crawlforge.lib.dedup_text` (computed by Spark built-ins, no Python worker), and its survivor rank.
2. **Exact dedup** (cheap, before MinHash; NeMo Curator measures exact copies as up to ~40% of Common Crawl
   duplicates): star edges from every member of a URL group and of a text group to the group's smallest key.
   Only one document per text group (its best-ranked) is signed: identical normalised text gives identical
   shingles, so the others inherit its band keys.
3. **Signatures** (``dedup.hash_family``): word 5-grams on datatrove's normalisation, 112 permutations =
   14 bands x 8 rows (FineWeb), by the vectorised UDF (:mod:`crawlforge.udfs.minhash_udf`, bit-identical to
   datatrove) or Spark MLlib's ``MinHashLSHModel`` (:mod:`crawlforge.jobs.minhash_mllib`). Documents too short
   for one shingle get no signature and no band key (exact dedup only).
4. **Candidates.** Band keys -> buckets ``(band, band_key)`` -> star edges (each member to the bucket's minimum
   key, k - 1 edges per bucket, never k^2); singleton buckets dropped; buckets above ``dedup.max_bucket_size``
   (a skew guard: such a bucket is a template shared by that many pages) are capped to that many members,
   chosen deterministically per band (``dedup.oversized_buckets: cap``; ``skip`` gives them no edge), and
   reported (count, and members left without an edge, in the run record and the log);
   optionally an edge is kept only if the signature-estimated Jaccard reaches ``dedup.edge_min_jaccard``
   (minhash-spark.md §3.3: 0.7 lifts edge precision 0.85 -> 0.89 for -0.8 pt recall).
5. **Clusters**: distributed connected components (large-star / small-star,
   :mod:`crawlforge.jobs.connected_components`) over the URL, text and MinHash edges together.
6. **Survivor**: the smallest of an explicit total order, :data:`SURVIVOR_RULE_VERSION`: a reference document
   (indexed by an earlier snapshot) first, then one already in the ``corpus`` table, then the higher
   ``quality_ensemble_bucket`` (when a signal family has it), then the earliest ``warc_date``, then
   ``(source, snapshot, doc_id)``. Never ``monotonically_increasing_id``: the same tables whatever the
   partitioning. A removed document's rule is ``exact_text`` if its text key equals the survivor's, else ``url``
   if its URL key does, else ``minhash``.
7. **Incremental.** ``minhash_bands`` holds the band keys of *every* processed document, removed ones included,
   each mapped to its cluster's survivor (indexing survivors only lets more duplicates through, §3.4). With
   ``dedup.scope: snapshot`` and ``dedup.incremental``, a snapshot's keys are also matched against the index rows
   of snapshots that sort before it; a matched reference survivor always wins, so nothing already published is
   retracted. Each signed document also has one index row in band :data:`EXACT_BAND` keyed by its text key,
   so exact copies are found across snapshots too (short texts included). URLs are not indexed: a page
   re-fetched in a later snapshot with other text is judged on its content. The difference from a full
   recompute (``dedup.scope: all``) is then limited to "bridges", a new document that links two earlier
   clusters, which a recompute would merge, and to such same-URL pages (``tests/jobs/test_dedup.py``). A
   document removed because of an earlier snapshot's copy gets the rule ``minhash`` (the index does not keep
   the survivor's text key).

Tables (``replaceWhere`` on the scope: a rerun replaces its rows): ``duplicates`` (one row per document in a
cluster of two or more: cluster id and size, survivor flag and key, rule and version, survivor-rule version),
``minhash_signatures`` (signed documents), ``minhash_bands`` (the index), ``dedup_manifest`` (the signature
function's manifest, checked against the index before any reuse), and ``stage_stats`` (stage ``dedup``: per
snapshot and language, rules ``url``, ``exact_text``, ``near_dup`` and ``kept``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.connected_components import connected_components
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.signal_families import family_columns
from crawlforge.jobs.tables import DEDUP_MANIFEST, DUPLICATES, MINHASH_BANDS, MINHASH_SIGNATURES
from crawlforge.lib.config import CrawlforgeConfig, DedupConfig
from crawlforge.lib.dedup_text import EXACT_TEXT_VERSION, URL_VERSION, WHITESPACE
from crawlforge.lib.minhash import MinHashParams


log = logging.getLogger(__name__)
JOB = "dedup"
STAGE = "dedup"
KEYS = ("source", "snapshot", "doc_id", "file_id")
SURVIVOR_RULE_VERSION = "survivor/1:reference>published>quality_desc>warc_date_asc>doc_id_asc"
QUALITY_COLUMN = "quality_ensemble_bucket"
RULE_URL, RULE_EXACT, RULE_MINHASH = "url", "exact_text", "minhash"
STAT_RULES = {RULE_URL: "url", RULE_EXACT: "exact_text", RULE_MINHASH: "near_dup"}
_MAX_LONG = 2**63 - 1
EXACT_BAND = -1  # the band id of exact-text keys in minhash_bands


@dataclass
class DedupResult:
    run_id: str
    source: str
    snapshot: str
    params_id: str
    docs: int = 0
    signed: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    clusters: int = 0
    cc_rounds: int = 0
    oversized_buckets: int = 0
    oversized_left_out: int = 0
    edges: int = 0
    reference_matches: int = 0

    @property
    def kept(self) -> int:
        return self.docs - sum(self.removed.values())


# --------------------------------------------------------------------------------------------------
# Keys


def text_key_col(text: Column) -> Column:
    """Spark form of :func:`crawlforge.lib.dedup_text.text_key` (same definition, tested against it)."""
    norm = F.regexp_replace(F.regexp_replace(F.lower(text), f"[{WHITESPACE}]+", " "), "^ +| +$", "")
    return F.when(norm != F.lit(""), F.substring(F.sha2(norm, 256), 1, 32))


def url_key_col(url: Column) -> Column:
    """Spark form of :func:`crawlforge.lib.dedup_text.url_key`."""
    pattern = r"^([A-Za-z][A-Za-z0-9+.\-]*://)?([^/?#]*)([^#]*)"
    key = F.concat(
        F.lower(F.regexp_extract(url, pattern, 1)), F.lower(F.regexp_extract(url, pattern, 2)),
        F.regexp_extract(url, pattern, 3),
    )  # fmt: skip
    return F.when(url.isNotNull() & (key != F.lit("")), key)


def doc_key_col() -> Column:
    return F.xxhash64("source", "snapshot", "doc_id")


def minhash_params(d: DedupConfig) -> MinHashParams:
    return MinHashParams(
        ngram=d.ngram, num_perm=d.bands * d.rows, bands=d.bands, rows=d.rows, seed=d.seed,
        hash_function=d.hash_function,
    )  # fmt: skip


def _rank(reference: Column, published: Column, quality: Column, warc_date: Column) -> Column:
    """The survivor order as one struct: the smallest struct wins (see :data:`SURVIVOR_RULE_VERSION`)."""
    return F.struct(
        F.when(reference, 0).otherwise(1).alias("r0"),
        F.when(published, 0).otherwise(1).alias("r1"),
        F.coalesce(-quality, F.lit(float("inf"))).alias("r2"),
        F.coalesce(F.unix_micros(warc_date), F.lit(_MAX_LONG)).alias("r3"),
    )


def _quality_value(col: Column) -> Column:
    """A number from the quality bucket (numeric, or a 'high'/'medium'/'low' label), else null."""
    as_text = F.lower(col.cast("string"))
    return F.coalesce(
        F.expr(f"try_cast(`{QUALITY_COLUMN}` as double)"),
        F.when(as_text == "high", 3.0).when(as_text == "medium", 2.0).when(as_text == "low", 1.0),
    )


# --------------------------------------------------------------------------------------------------
# Inputs


def _scope_filter(cfg: CrawlforgeConfig) -> tuple[Column, str]:
    source, snapshot = scope_of(cfg)
    if cfg.dedup.scope == "all":
        return F.col("source") == source, f"source = {delta_io.sql_string(source)}"
    return (F.col("source") == source) & (F.col("snapshot") == snapshot), delta_io.scope_predicate(source, snapshot)


def input_documents(spark: SparkSession, cfg: CrawlforgeConfig, scope: Column) -> DataFrame:
    """Scoped documents to deduplicate: KEYS, url, warc_date, text, language, published, quality."""
    root = cfg.lake.root
    if not delta_io.table_exists(spark, root, "documents"):
        raise RuntimeError(f"dedup needs the documents table at {delta_io.table_path(root, 'documents')}")
    docs = delta_io.read_table(spark, root, "documents").where(scope & (F.col("extract_status") == "ok"))
    docs = docs.select(*KEYS, "url", "warc_date", "text")
    has_decisions = delta_io.table_exists(spark, root, "decisions")
    if cfg.dedup.input == "kept":
        if not has_decisions:
            raise RuntimeError("dedup.input=kept needs the decisions table; run select first (or dedup.input=all)")
        dec = delta_io.read_table(spark, root, "decisions").where(scope & F.col("keep"))
        docs = docs.join(dec.select(*KEYS, "language"), list(KEYS), "inner")
    elif has_decisions:
        dec = delta_io.read_table(spark, root, "decisions").where(scope)
        docs = docs.join(dec.select(*KEYS, "language"), list(KEYS), "left")
    else:
        docs = docs.withColumn("language", F.lit(None).cast("string"))
    if delta_io.table_exists(spark, root, "corpus"):
        corpus = delta_io.read_table(spark, root, "corpus")
        if "doc_id" in corpus.columns:
            pub = corpus.where(scope).select("source", "snapshot", "doc_id").distinct()
            pub = pub.withColumn("published", F.lit(True))
            docs = docs.join(pub, ["source", "snapshot", "doc_id"], "left")
    if "published" not in docs.columns:
        docs = docs.withColumn("published", F.lit(False))
    owner = family_columns(spark, root).get(QUALITY_COLUMN)
    if owner is not None:
        fam = delta_io.read_table(spark, root, owner).where(scope).select(*KEYS, QUALITY_COLUMN)
        docs = docs.join(fam, list(KEYS), "left").withColumn("quality", _quality_value(F.col(QUALITY_COLUMN)))
        docs = docs.drop(QUALITY_COLUMN)
    else:
        docs = docs.withColumn("quality", F.lit(None).cast("double"))
    return docs.withColumn("published", F.coalesce(F.col("published"), F.lit(False)))


# --------------------------------------------------------------------------------------------------
# Manifest


def current_manifest(cfg: CrawlforgeConfig) -> tuple[str, str, dict[str, Any]]:
    """(family, params_id, manifest) of the configured signature function."""
    d = cfg.dedup
    if d.hash_family == "mllib":
        from crawlforge.jobs import minhash_mllib

        return "mllib", minhash_mllib.params_id(d), minhash_mllib.manifest(d)
    params = minhash_params(d)
    return "udf", params.params_id(), params.manifest()


def check_index_manifest(spark: SparkSession, root: str, params_id: str, manifest: dict[str, Any]) -> None:
    """Refuse to mix: every manifest recorded in ``dedup_manifest`` must be this one (the band index, the stored
    signatures and a later run's keys are comparable only under the same function). Reads one small table."""
    if not delta_io.table_exists(spark, root, DEDUP_MANIFEST.name):
        return
    stored = (
        delta_io.read_table(spark, root, DEDUP_MANIFEST.name)
        .where(F.col("params_id") != params_id)
        .select("params_id", "manifest", "source", "snapshot")
        .limit(1)
        .collect()
    )
    if stored:
        row = stored[0]
        other = json.loads(row["manifest"])
        diff = {k: (other.get(k), manifest.get(k)) for k in sorted(set(other) | set(manifest))}
        detail = "; ".join(f"{k}: stored {s!r} != current {c!r}" for k, (s, c) in diff.items() if s != c)
        raise ValueError(
            f"MinHash manifest mismatch with the index of {row['source']}/{row['snapshot']} (params_id "
            f"{row['params_id']} != {params_id}): {detail}. Rebuild the index (delete minhash_bands, "
            "minhash_signatures and dedup_manifest) or use the stored parameters."
        )


# --------------------------------------------------------------------------------------------------
# Signatures


def sign(spark: SparkSession, cfg: CrawlforgeConfig, docs: DataFrame) -> DataFrame:
    """(doc_key, has_signature, signature array<bigint>, band_keys array<bigint>) of (doc_key, text) rows."""
    d = cfg.dedup
    if d.hash_family == "mllib":
        from crawlforge.jobs import minhash_mllib

        return minhash_mllib.signatures(spark, cfg, docs)
    from crawlforge.udfs.minhash_udf import OUTPUT_DDL, make_signature_fn

    return docs.select("doc_key", "text").mapInArrow(make_signature_fn(minhash_params(d)), OUTPUT_DDL)


# --------------------------------------------------------------------------------------------------
# Edges


def group_edges(nodes: DataFrame, key: str) -> DataFrame:
    """Star edges (src=member, dst=group minimum) of every group of two or more nodes sharing ``key``."""
    g = nodes.where(F.col(key).isNotNull()).select("doc_key", key)
    roots = g.groupBy(key).agg(F.min("doc_key").alias("root"), F.count(F.lit(1)).alias("n")).where("n > 1")
    return (
        g.join(roots, key)
        .where(F.col("doc_key") != F.col("root"))
        .select(F.col("doc_key").alias("src"), F.col("root").alias("dst"))
    )


def band_edges(rows: DataFrame, max_bucket: int, oversized: str = "cap") -> tuple[DataFrame, DataFrame]:
    """(edges, oversized buckets) from band rows (band, band_key, node, is_new).

    Buckets without a new node give no edge (two reference documents were compared by their own run).
    A bucket of more than ``max_bucket`` members is a template shared by that many pages and a skew risk
    (one task holds it). With ``oversized="cap"`` it still gives star edges, but only from ``max_bucket``
    members: the reference documents first, then a pseudo-random choice by ``xxhash64(node, band)`` that
    differs per band, so the 14 bands of one template together reach up to 14x the cap, and the same
    members whatever the partitioning. With ``"skip"`` it gives none. The oversized frame has ``band,
    band_key, n`` (members) and ``left_out`` (members that got no edge from that bucket), to be reported.
    """
    rows = rows.select("band", "band_key", "node", "is_new").distinct()
    buckets = rows.groupBy("band", "band_key").agg(
        F.min("node").alias("root"), F.count(F.lit(1)).alias("n"), F.max(F.col("is_new").cast("int")).alias("new")
    )
    candidates = buckets.where((F.col("n") > 1) & (F.col("new") == 1))
    big = candidates.where(F.col("n") > max_bucket)
    ok = candidates.where(F.col("n") <= max_bucket).select("band", "band_key", "root")
    members = rows.join(ok, ["band", "band_key"])
    if oversized == "cap":
        pick = Window.partitionBy("band", "band_key").orderBy(
            F.col("is_new").asc(), F.xxhash64("node", "band").asc(), F.col("node").asc()
        )
        capped = (
            rows.join(big.select("band", "band_key", "root"), ["band", "band_key"])
            .withColumn("pick", F.row_number().over(pick))
            .where(F.col("pick") <= max_bucket)
            .drop("pick")
        )
        members = members.unionByName(capped)
        left_out = F.col("n") - F.lit(max_bucket)
    elif oversized == "skip":
        left_out = F.col("n")
    else:
        raise ValueError(f"oversized must be 'cap' or 'skip', not {oversized!r}")
    edges = (
        members.where(F.col("node") != F.col("root"))
        .select(F.col("node").alias("src"), F.col("root").alias("dst"))
        .distinct()
    )
    return edges, big.select("band", "band_key", "n", left_out.alias("left_out"))


def signer_band_rows(sig_rows: DataFrame, exact_text: bool) -> DataFrame:
    """(signer, band, band_key) of every signed document: its LSH bands, plus band :data:`EXACT_BAND` keyed by
    ``xxhash64(text_key)``, so that the index also finds exact copies across snapshots, short texts included."""
    rows = sig_rows.where("has_signature").select(
        F.col("doc_key").alias("signer"), F.posexplode("band_keys").alias("band", "band_key")
    )
    if exact_text:
        exact = sig_rows.where(F.col("text_key").isNotNull()).select(
            F.col("doc_key").alias("signer"), F.lit(EXACT_BAND).alias("band"), F.xxhash64("text_key").alias("band_key")
        )
        rows = rows.unionByName(exact)
    return rows


def check_edges(edges: DataFrame, sigs: DataFrame, min_jaccard: float) -> DataFrame:
    """Keep edges whose signatures agree on at least ``min_jaccard`` of the positions (or lack a signature)."""
    a = sigs.select(F.col("doc_key").alias("src"), F.col("signature").alias("sa"))
    b = sigs.select(F.col("doc_key").alias("dst"), F.col("signature").alias("sb"))
    agree = F.aggregate(
        F.zip_with("sa", "sb", lambda x, y: F.when(x == y, 1).otherwise(0)), F.lit(0), lambda s, v: s + v
    )
    est = agree / F.size("sa")
    joined = edges.join(a, "src", "left").join(b, "dst", "left")
    return joined.where(F.col("sa").isNull() | F.col("sb").isNull() | (est >= F.lit(min_jaccard))).select("src", "dst")


# --------------------------------------------------------------------------------------------------
# The job


def describe_plan(cfg: CrawlforgeConfig) -> str:
    d = cfg.dedup
    source, snapshot = scope_of(cfg)
    family, params_id, manifest = current_manifest(cfg)
    root = cfg.lake.root
    where = f"source={source}" + ("" if d.scope == "all" else f" snapshot={snapshot}")
    lines = [
        f"# dedup: {where}; input={d.input}; exact url={d.url} text={d.exact_text}",
        f"# signatures: {family} family, params_id {params_id}: word {d.ngram}-grams, {d.bands * d.rows} "
        f"permutations = {d.bands} bands x {d.rows} rows, seed {d.seed}",
        f"# candidates: band buckets, star edges, buckets above {d.max_bucket_size} "
        f"{'capped' if d.oversized_buckets == 'cap' else 'skipped'} and reported; "
        f"edge check: {d.edge_min_jaccard if d.edge_min_jaccard is not None else 'off'}",
        f"# incremental: {d.scope == 'snapshot' and d.incremental} (index rows of snapshots sorting before "
        f"{snapshot})",
        f"# survivor rule: {SURVIVOR_RULE_VERSION}",
        f"# writes (replaceWhere on the scope): {delta_io.table_path(root, DUPLICATES.name)}, "
        f"{MINHASH_SIGNATURES.name}, {MINHASH_BANDS.name}, {DEDUP_MANIFEST.name}; appends stage_stats",
        f"# manifest: {json.dumps(manifest, sort_keys=True)}",
    ]
    return "\n".join(lines)


def _checkpoint(spark: SparkSession, cfg: CrawlforgeConfig) -> bool:
    """Set a reliable checkpoint dir when configured; else connected components use localCheckpoint."""
    if cfg.dedup.checkpoint_dir:
        spark.sparkContext.setCheckpointDir(cfg.dedup.checkpoint_dir)
        return True
    return False


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> DedupResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    d = cfg.dedup
    root = cfg.lake.root
    source, snapshot = scope_of(cfg)
    scope, predicate = _scope_filter(cfg)
    family, params_id, manifest = current_manifest(cfg)
    result = DedupResult(run_id, source, snapshot if d.scope == "snapshot" else "*", params_id)
    check_index_manifest(spark, root, params_id, manifest)
    minhash_version = f"minhash/{family}:{params_id}" + (
        f"+check>={d.edge_min_jaccard}" if d.edge_min_jaccard is not None else ""
    )
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        for spec in (DUPLICATES, MINHASH_SIGNATURES, MINHASH_BANDS, DEDUP_MANIFEST):
            delta_io.ensure_table(spark, root, spec)
        docs = input_documents(spark, cfg, scope).withColumn("doc_key", doc_key_col())
        keyed = docs.select(
            *KEYS,
            "doc_key",
            "language",
            "warc_date",
            (url_key_col(F.col("url")) if d.url else F.lit(None).cast("string")).alias("url_key"),
            text_key_col(F.col("text")).alias("text_key"),
            _rank(F.lit(False), F.col("published"), F.col("quality"), F.col("warc_date")).alias("rank"),
        ).localCheckpoint(eager=True)
        stats = keyed.agg(F.count(F.lit(1)).alias("n"), F.count_distinct("doc_key").alias("k")).first()
        assert stats is not None
        result.docs = int(stats["n"])
        if stats["n"] != stats["k"]:
            raise RuntimeError(f"doc_key collision in the scope: {stats['n']} documents, {stats['k']} keys")

        # exact text groups: the best-ranked member is signed, the others inherit its keys
        order = F.struct("rank", "source", "snapshot", "doc_id", "doc_key")
        signer_of = (
            keyed.where(F.col("text_key").isNotNull())
            .groupBy("text_key")
            .agg(F.min(order).alias("best"))
            .select("text_key", F.col("best.doc_key").alias("signer"))
        )
        if not d.exact_text:  # every document is signed on its own; no exact-text edges
            signer_of = signer_of.where(F.lit(False))
        with_signer = keyed.join(signer_of, "text_key", "left").withColumn(
            "signer", F.coalesce(F.col("signer"), F.col("doc_key"))
        )
        to_sign = (
            with_signer.where(F.col("signer") == F.col("doc_key"))
            .select("doc_key")
            .join(docs.select("doc_key", "text"), "doc_key")
        )
        sigs = sign(spark, cfg, to_sign)
        sig_rows = with_signer.where(F.col("signer") == F.col("doc_key")).select(*KEYS, "doc_key", "text_key")
        sig_rows = sig_rows.join(sigs, "doc_key").select(
            *KEYS,
            "doc_key",
            "text_key",
            "has_signature",
            "signature",
            "band_keys",
            F.lit(params_id).alias("params_id"),
            F.lit(run_id).alias("run_id"),
        )
        sig_rows = sig_rows.localCheckpoint(eager=True)  # the expensive step runs once
        delta_io.replace_where(sig_rows, root, MINHASH_SIGNATURES, predicate, run_id)
        result.signed = int(sig_rows.where("has_signature").count())

        # candidate edges
        signer_bands = signer_band_rows(sig_rows, d.exact_text)
        new_bands = signer_bands.select("band", "band_key", F.col("signer").alias("node"), F.lit(True).alias("is_new"))
        band_rows = new_bands
        refs = None
        if d.scope == "snapshot" and d.incremental:
            index = delta_io.read_table(spark, root, MINHASH_BANDS.name).where(
                (F.col("snapshot") < F.lit(snapshot)) & (F.col("params_id") == params_id)
            )
            matched = index.join(new_bands.select("band", "band_key").distinct(), ["band", "band_key"], "left_semi")
            matched = matched.localCheckpoint(eager=True)
            refs = matched.select(
                F.col("rep_key").alias("doc_key"), "rep_source", "rep_snapshot", "rep_doc_id", "rep_warc_date"
            ).dropDuplicates(["doc_key"])
            band_rows = band_rows.unionByName(
                matched.select("band", "band_key", F.col("rep_key").alias("node"), F.lit(False).alias("is_new"))
            )
        mh_edges, oversized = band_edges(band_rows, d.max_bucket_size, d.oversized_buckets)
        over = oversized.agg(
            F.count(F.lit(1)).alias("b"), F.coalesce(F.sum("n"), F.lit(0)).alias("m"), F.sum("left_out").alias("o")
        ).first()
        assert over is not None
        result.oversized_buckets = int(over["b"])
        result.oversized_left_out = int(over["o"] or 0)
        if result.oversized_buckets:
            log.warning(
                "dedup: %d bucket(s) above dedup.max_bucket_size=%d (%d members); %s: %d member(s) got no edge",
                result.oversized_buckets,
                d.max_bucket_size,
                int(over["m"]),
                d.oversized_buckets,
                result.oversized_left_out,
            )
        if d.edge_min_jaccard is not None:
            lookup = sig_rows.where("has_signature").select("doc_key", "signature")
            if refs is not None:
                stored = delta_io.read_table(spark, root, MINHASH_SIGNATURES.name).where(
                    (F.col("snapshot") < F.lit(snapshot)) & F.col("has_signature")
                )
                lookup = lookup.unionByName(
                    stored.join(refs.select("doc_key"), "doc_key", "left_semi").select("doc_key", "signature")
                )
            mh_edges = check_edges(mh_edges, lookup, d.edge_min_jaccard)
        # exact-text members inherit their signer's band keys: an edge to the signer puts them in its cluster
        edges = mh_edges.unionByName(
            with_signer.where(F.col("signer") != F.col("doc_key")).select(
                F.col("doc_key").alias("src"), F.col("signer").alias("dst")
            )
        )
        if d.url:
            edges = edges.unionByName(group_edges(keyed, "url_key"))
        edges = edges.localCheckpoint(eager=True)
        result.edges = edges.count()
        cc = connected_components(edges, max_rounds=d.max_cc_rounds, reliable=_checkpoint(spark, cfg))
        result.cc_rounds = cc.rounds
        labels = cc.labels

        # survivors
        new_nodes = keyed.select(
            "doc_key",
            "source",
            "snapshot",
            "doc_id",
            "warc_date",
            "rank",
            "url_key",
            "text_key",
            "file_id",
            "language",
            F.lit(True).alias("is_new"),
        )
        nodes = new_nodes
        if refs is not None:
            ref_nodes = refs.select(
                "doc_key",
                F.col("rep_source").alias("source"),
                F.col("rep_snapshot").alias("snapshot"),
                F.col("rep_doc_id").alias("doc_id"),
                F.col("rep_warc_date").alias("warc_date"),
                _rank(F.lit(True), F.lit(True), F.lit(None).cast("double"), F.col("rep_warc_date")).alias("rank"),
                F.lit(None).cast("string").alias("url_key"),
                F.lit(None).cast("string").alias("text_key"),
                F.lit(None).cast("string").alias("file_id"),
                F.lit(None).cast("string").alias("language"),
                F.lit(False).alias("is_new"),
            )
            nodes = nodes.unionByName(ref_nodes)
        members = labels.join(nodes, labels["node"] == nodes["doc_key"]).drop("node")
        clusters = members.groupBy("component").agg(
            F.count(F.lit(1)).alias("cluster_size"),
            F.min(
                F.struct("rank", "source", "snapshot", "doc_id", "doc_key", "url_key", "text_key", "warc_date")
            ).alias("s"),
        )
        dup = members.where("is_new").join(clusters, "component").localCheckpoint(eager=True)
        is_survivor = F.col("doc_key") == F.col("s.doc_key")
        rule = (
            F.when(is_survivor, F.lit(None).cast("string"))
            .when(F.col("text_key").isNotNull() & (F.col("text_key") == F.col("s.text_key")), F.lit(RULE_EXACT))
            .when(F.col("url_key").isNotNull() & (F.col("url_key") == F.col("s.url_key")), F.lit(RULE_URL))
            .otherwise(F.lit(RULE_MINHASH))
        )
        version = (
            F.when(rule == RULE_EXACT, F.lit(EXACT_TEXT_VERSION))
            .when(rule == RULE_URL, F.lit(URL_VERSION))
            .when(rule == RULE_MINHASH, F.lit(minhash_version))
        )
        duplicates = dup.select(
            *KEYS,
            "language",
            F.lower(F.hex(F.col("component"))).alias("cluster_id"),
            "cluster_size",
            is_survivor.alias("is_survivor"),
            F.col("s.source").alias("survivor_source"),
            F.col("s.snapshot").alias("survivor_snapshot"),
            F.col("s.doc_id").alias("survivor_doc_id"),
            rule.alias("rule"),
            version.alias("rule_version"),
            F.lit(SURVIVOR_RULE_VERSION).alias("survivor_rule_version"),
            F.lit(params_id).alias("params_id"),
            F.lit(run_id).alias("run_id"),
        )
        delta_io.replace_where(duplicates, root, DUPLICATES, predicate, run_id)

        # the band index: every signed document's keys, and its text-group members', mapped to the survivor
        rep = dup.select(
            "doc_key",
            F.col("s.doc_key").alias("rep_key"),
            F.col("s.source").alias("rep_source"),
            F.col("s.snapshot").alias("rep_snapshot"),
            F.col("s.doc_id").alias("rep_doc_id"),
            F.col("s.warc_date").alias("rep_warc_date"),
        )
        per_doc = with_signer.join(rep, "doc_key", "left").select(
            "source",
            "snapshot",
            "doc_id",
            "doc_key",
            "signer",
            F.coalesce("rep_key", "doc_key").alias("rep_key"),
            F.coalesce("rep_source", "source").alias("rep_source"),
            F.coalesce("rep_snapshot", "snapshot").alias("rep_snapshot"),
            F.coalesce("rep_doc_id", "doc_id").alias("rep_doc_id"),
            F.when(F.col("rep_key").isNull(), F.col("warc_date"))
            .otherwise(F.col("rep_warc_date"))
            .alias("rep_warc_date"),
        )
        index_rows = per_doc.join(signer_bands, "signer").select(
            "source",
            "snapshot",
            F.col("band").cast("int").alias("band"),
            "band_key",
            "doc_id",
            "doc_key",
            "rep_key",
            "rep_source",
            "rep_snapshot",
            "rep_doc_id",
            "rep_warc_date",
            F.lit(params_id).alias("params_id"),
            F.lit(run_id).alias("run_id"),
        )
        delta_io.replace_where(index_rows, root, MINHASH_BANDS, predicate, run_id)
        groups = keyed.groupBy("source", "snapshot", "language").agg(F.count(F.lit(1)).alias("n")).collect()
        scopes = sorted({(r["source"], r["snapshot"]) for r in groups})
        now = datetime.now(UTC)
        mrows = [(s, t, params_id, family, json.dumps(manifest, sort_keys=True), now, run_id) for s, t in scopes]
        delta_io.replace_where(
            spark.createDataFrame(mrows, DEDUP_MANIFEST.schema), root, DEDUP_MANIFEST, predicate, run_id
        )

        # accounting: per snapshot and language, input counts and removals by rule
        inputs_by: Counter[tuple[Any, Any]] = Counter()
        for r in groups:
            inputs_by[(r["snapshot"], r["language"])] += int(r["n"])
        inputs = [{"snapshot": k[0], "language": k[1], "n": n} for k, n in inputs_by.items()]
        written = delta_io.read_table(spark, root, DUPLICATES.name).where(scope & (F.col("run_id") == run_id))
        # one pass over what was written: removals by rule, clusters (= survivors), cross-snapshot matches
        tally = (
            written.groupBy(
                "snapshot",
                "language",
                "rule",
                "is_survivor",
                (F.col("survivor_snapshot") != F.col("snapshot")).alias("cross"),
            )
            .count()
            .collect()
        )
        removed_by: Counter[tuple[Any, Any, Any]] = Counter()
        for r in tally:
            if r["is_survivor"]:
                result.clusters += int(r["count"])
                continue
            key = (r["snapshot"], r["language"], r["rule"])
            removed_by[key] += int(r["count"])
            if refs is not None and r["cross"]:
                result.reference_matches += int(r["count"])
        removed = [
            {"snapshot": s, "language": lang, "rule": rule, "count": n} for (s, lang, rule), n in removed_by.items()
        ]
        rows = stage_rows(source, inputs, removed)
        for r in removed:
            result.removed[r["rule"]] = result.removed.get(r["rule"], 0) + int(r["count"])
        recorder.counts = {
            "docs": result.docs,
            "signed": result.signed,
            "edges": result.edges,
            "clusters": result.clusters,
            "cc_rounds": result.cc_rounds,
            "oversized_buckets": result.oversized_buckets,
            "oversized_left_out": result.oversized_left_out,
            "reference_matches": result.reference_matches,
            **{f"removed_{k}": v for k, v in result.removed.items()},
        }
        recorder.message = f"params_id {params_id} ({family}); {minhash_version}; {SURVIVOR_RULE_VERSION}"
        recorder.stage_stats(rows)
    log.info(
        "dedup %s/%s: %d documents, %d signed, %d clusters in %d CC rounds, removed %s",
        source,
        result.snapshot,
        result.docs,
        result.signed,
        result.clusters,
        result.cc_rounds,
        result.removed,
    )
    return result


def stage_rows(source: str, inputs: Sequence[Any], removed: Sequence[Any]) -> list[dict[str, Any]]:
    """stage_stats rows: per (snapshot, language) the chain url -> exact_text -> near_dup, then ``kept``."""
    out: list[dict[str, Any]] = []
    by: dict[tuple[str, str | None], dict[str, int]] = {}
    for r in removed:
        by.setdefault((r["snapshot"], r["language"]), {})[r["rule"]] = int(r["count"])
    for r in sorted(inputs, key=lambda r: (r["snapshot"], r["language"] or "")):
        key = (r["snapshot"], r["language"])
        remaining = int(r["n"])
        total = remaining
        for rule in (RULE_URL, RULE_EXACT, RULE_MINHASH):
            n = by.get(key, {}).get(rule, 0)
            out.append(_stat(source, key, STAT_RULES[rule], remaining, n))
            remaining -= n
        out.append(_stat(source, key, "kept", total, total - remaining))
    return out


def _stat(source: str, key: tuple[str, str | None], rule: str, docs_in: int, dropped: int) -> dict[str, Any]:
    return {
        "source": source,
        "snapshot": key[0],
        "stage": STAGE,
        "language": key[1],
        "rule": rule,
        "docs_in": docs_in,
        "docs_out": docs_in - dropped,
        "docs_dropped": dropped,
    }


def dedup_removed(spark: SparkSession, root: str, scope: Column | tuple[str, str]) -> DataFrame:
    """(source, snapshot, doc_id, file_id, reason) of every non-survivor in ``duplicates`` for the scope.

    ``reason`` is ``dedup/<rule>`` (``dedup/url``, ``dedup/exact_text``, ``dedup/minhash``). For publish:
    keep a document only if ``decisions.keep`` and it is not in this frame.
    """
    if isinstance(scope, tuple):
        scope = (F.col("source") == scope[0]) & (F.col("snapshot") == scope[1])
    dups = delta_io.read_table(spark, root, DUPLICATES.name).where(scope & ~F.col("is_survivor"))
    return dups.select(*KEYS, F.concat(F.lit("dedup/"), F.col("rule")).alias("reason"))


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)


__all__ = [
    "SURVIVOR_RULE_VERSION",
    "DedupResult",
    "band_edges",
    "check_edges",
    "dedup_removed",
    "describe_plan",
    "main",
    "run",
    "text_key_col",
    "url_key_col",
]
