"""CCNet on real Spark + Delta: ingest-text -> train-lm -> (sample crawl) ingest -> extract -> annotate -> ccnet
-> cutoffs -> select with conf/recipes/ccnet.yaml, checked against independent single-process computations.

The LM is trained by the train-lm job on WikiText-2 (raw test split, ingested by ingest-text as its own source);
the scored documents are a 100-page generated crawl (``lib/sample_crawl``) whose ground truth says which pages
are articles, spam or link lists and which share per-host boilerplate.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import functions as F

from crawlforge.jobs import annotate, ccnet, cutoffs, delta_io, extract, ingest, ingest_text, select, train_lm
from crawlforge.jobs.incremental import finished_files
from crawlforge.lib.langid import LanguageIdentifier
from crawlforge.lib.paragraph_dedup import apply_removed_lines, dedup_text, line_hashes, split_lines
from crawlforge.lib.perplexity import PerplexityScorer, perplexity_bucket
from crawlforge.lib.recipe import load_recipe
from crawlforge.lib.warc_reader import make_doc_id
from crawlforge.udfs.ccnet_udf import score_document
from tests.helpers import make_config


pytestmark = pytest.mark.spark

WIKITEXT = "text/wikitext-2-raw-v1.test.txt"
PAGES = 100
LM_SQL = "SELECT text, 'en' AS language FROM documents WHERE source = 'wikitext' AND extract_status = 'ok'"


def _wikitext_articles(path: Path) -> list[tuple[str, str]]:
    """(title, text) of each `` = Title = `` article (a line ' = X = ' with X not starting with '='), parsed
    independently of lib/text_sources. WikiText has 60 articles; two formula lines of one article look like
    headings to this rule (as to any line-based reader), hence 62 documents."""
    out: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith(" = ") and not line.startswith(" = =") and line.rstrip(" ").endswith(" ="):
            out.append((line.strip(" ")[2:-2].strip(), []))
        elif out and line.strip():
            out[-1][1].append(line.strip())
    return [(t, "\n".join(lines)) for t, lines in out]


@pytest.fixture(scope="module")
def chain(spark: Any, tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("ccnet")
    lake = str(tmp / "lake")
    wikitext = shared_data / WIKITEXT
    cfg = make_config(
        lake,
        sample__pages=PAGES,
        sample__files=2,
        sample__output_dir=str(tmp / "sample"),
        text_input__source="wikitext",
        text_input__snapshot="wikitext-2-raw-v1-test",
        text_input__format="text",
        text_input__text_split="heading",
        text_input__input__kind="paths",
        text_input__input__paths=f"[{wikitext}]",
        text_input__license="CC-BY-SA-3.0",
        text_input__origin="Merity et al. 2016, WikiText-2 raw test split",
        ccnet__lm__sql=f'"{LM_SQL}"',
        ccnet__lm__vocab_size=2000,
        ccnet__lm__fallback_vocab_size="null",
        ccnet__lm__memory="64M",
        ccnet__lm__vocab_estimate=4096,
        ccnet__lm__num_threads=2,
        select__recipe="ccnet",
    )
    out: dict[str, Any] = {"cfg": cfg, "lake": lake, "tmp": tmp, "wikitext": wikitext}
    out["ingest_text"] = ingest_text.run(spark, cfg)
    out["train"] = train_lm.run(spark, cfg)
    ingest.run(spark, cfg)
    extract.run(spark, cfg)
    annotate.run(spark, cfg)
    out["ccnet"] = ccnet.run(spark, cfg)
    out["ccnet_again"] = ccnet.run(spark, cfg)
    out["select"] = select.run(spark, cfg)
    return out


def _rows(spark: Any, lake: str, table: str, where: str = "true") -> list[dict[str, Any]]:
    return [r.asDict(recursive=True) for r in delta_io.read_table(spark, lake, table).where(where).collect()]


def test_ingest_text_documents_ids_ledger_and_license(spark: Any, chain: dict[str, Any]) -> None:
    lake, cfg = chain["lake"], chain["cfg"]
    articles = _wikitext_articles(chain["wikitext"])
    assert len(articles) == 62
    docs = _rows(spark, lake, "documents", "source = 'wikitext'")
    assert len(docs) == 62
    by_id = {d["doc_id"]: d for d in docs}
    for n, (title, text) in enumerate(articles):
        doc = by_id[make_doc_id("wikitext", f"wikitext-2-raw-v1-test\x00wikitext-2-raw-v1.test.txt#{n}")]
        assert doc["title"] == title
        assert doc["text"] == text
        assert doc["extract_status"] == "ok" and doc["extractor"] == "text"
    assert chain["ingest_text"].files_processed == 1  # reruns: tests/jobs/test_ingest_text.py
    ledger = _rows(spark, lake, "ingest_files", "source = 'wikitext'")
    assert [(r["status"], r["records_total"], r["records_kept"]) for r in ledger] == [("done", 62, 62)]
    assert finished_files(spark, lake, "extract", "wikitext", "wikitext-2-raw-v1-test") == {ledger[0]["file_id"]}
    sources = _rows(spark, lake, "sources", "source = 'wikitext'")
    assert [(r["license"], r["origin"], r["documents"]) for r in sources] == [
        ("CC-BY-SA-3.0", cfg.text_input.origin, 62)
    ]


def test_train_lm_records_a_versioned_model_with_provenance(spark: Any, chain: dict[str, Any]) -> None:
    (model,) = chain["train"].models
    assert (model.kind, model.name, model.language) == ("lm", "ccnet", "en")
    assert model.training_docs == 62
    assert model.training_chars == sum(len(t) for _, t in _wikitext_articles(chain["wikitext"]))
    assert model.training_data == LM_SQL
    assert sorted(model.files) == ["en.arpa.bin", "en.sp.model", "en.sp.vocab"]
    assert Path(model.path).name == model.version
    (row,) = _rows(spark, chain["lake"], "models")
    assert row["version"] == model.version and row["params"]["order"] == "5"


@pytest.fixture(scope="module")
def scored(spark: Any, chain: dict[str, Any]) -> list[dict[str, Any]]:
    """signals_ccnet rows of the sample joined with their document text and the ground truth kind."""
    lake, cfg = chain["lake"], chain["cfg"]
    source, snapshot = extract.scope_of(cfg)
    sig = delta_io.read_table(spark, lake, "signals_ccnet").where(
        (F.col("source") == source) & (F.col("snapshot") == snapshot)
    )
    docs = delta_io.read_table(spark, lake, "documents").select("doc_id", "url", "text", "extract_status")
    rows = [r.asDict(recursive=True) for r in sig.join(docs, "doc_id").collect()]
    truth_path = Path(cfg.sample.output_dir) / "ground_truth.jsonl"
    kinds = {}
    for line in truth_path.read_text().splitlines():
        t = json.loads(line)
        kinds[t["url"]] = t["kind"]
    for r in rows:
        r["kind"] = kinds.get(r["url"])
    return rows


def test_every_extracted_document_is_scored_once(spark: Any, chain: dict[str, Any], scored: list[dict]) -> None:
    lake, cfg = chain["lake"], chain["cfg"]
    source, snapshot = extract.scope_of(cfg)
    ok = delta_io.read_table(spark, lake, "documents").where(
        f"source = '{source}' AND snapshot = '{snapshot}' AND extract_status = 'ok'"
    )
    assert len(scored) == ok.count() >= 80
    assert len({r["doc_id"] for r in scored}) == len(scored)
    assert chain["ccnet_again"].skipped  # no new extracted file: nothing recomputed
    assert {r["run_id"] for r in scored} == {chain["ccnet"].run_id}


def test_dedup_language_and_perplexity_equal_a_single_process_computation(
    chain: dict[str, Any], scored: list[dict]
) -> None:
    """The whole signals_ccnet row, recomputed in this process with plain Python: a Counter of line hashes over
    the scope (documents of >= 300 chars), the per-document rule, LID and the same model files."""
    counts: Counter[bytes] = Counter()
    for r in scored:
        if len(r["text"]) >= 300:
            counts.update(line_hashes(split_lines(r["text"])))
    duplicates = {h for h, n in counts.items() if n >= 2}
    (model,) = chain["train"].models
    scorer = PerplexityScorer(f"{model.path}/en.sp.model", f"{model.path}/en.arpa.bin")
    lid = LanguageIdentifier(None, k=1, mode="ccnet")
    columns = [
        "ccnet_original_nlines", "ccnet_original_length", "ccnet_nlines", "ccnet_length", "ccnet_removed_lines",
        "ccnet_language", "ccnet_language_score", "perplexity", "ccnet_lm_version",
    ]  # fmt: skip
    with_pp = 0
    for r in scored:
        mine = [h for h in line_hashes(split_lines(r["text"])) if h in duplicates]
        from crawlforge.lib.paragraph_dedup import hash_to_int64

        expected = score_document(r["text"], [hash_to_int64(h) for h in mine], lid, {"en": (scorer, model.version)})
        assert {c: r[c] for c in columns} == {c: expected[c] for c in columns}, r["url"]
        # the stored removed lines rebuild CCNet's deduplicated text
        assert apply_removed_lines(r["text"], r["ccnet_removed_lines"]) == dedup_text(r["text"], duplicates).text
        with_pp += r["perplexity"] is not None
    assert with_pp >= 40
    # boilerplate shared by the pages of a host is removed: most documents lose lines, some lose everything
    assert sum(r["ccnet_nlines"] < r["ccnet_original_nlines"] for r in scored) > len(scored) / 2
    assert sum(r["ccnet_nlines"] == 0 for r in scored) >= 1  # exact duplicates lose every line


def test_wikipedia_like_pages_score_lower_than_spam_and_link_lists(scored: list[dict]) -> None:
    by_kind: dict[str, list[float]] = {}
    for r in scored:
        if r["perplexity"] is not None and r["ccnet_language"] == "en":
            by_kind.setdefault(r["kind"], []).append(r["perplexity"])
    articles, spam = by_kind["article"], by_kind["spam"]
    assert statistics.median(articles) < statistics.median(spam), by_kind
    assert statistics.median(articles) < statistics.median(by_kind.get("list", [float("inf")])), by_kind


def test_cutoffs_are_data_percentiles_and_bucket_shares_match(
    spark: Any, chain: dict[str, Any], scored: list[dict]
) -> None:
    lake = chain["lake"]
    stored = _rows(spark, lake, "perplexity_cutoffs", f"version = '{chain['ccnet'].cutoffs_version}'")
    cuts = {r["language"]: r for r in stored}
    en = sorted(r["perplexity"] for r in scored if r["ccnet_language"] == "en" and r["perplexity"] is not None)
    c = cuts["en"]
    assert c["method"] == "data" and c["docs"] == len(en) and len(c["percentiles"]) == 101
    assert (c["percentile_head"], c["percentile_tail"]) == (30, 60)
    # percentile_approx returns a value of the data whose rank brackets the percentile
    n = len(en)
    for p, value in ((0.30, c["p_head"]), (0.60, c["p_tail"])):
        assert value in en
        assert sum(v <= value for v in en) >= p * n
        assert sum(v < value for v in en) < p * n
    # every row's bucket is CCNet's PerplexityBucket with the stored cutoffs
    table = {lang: (r["p_head"], r["p_tail"]) for lang, r in cuts.items()}
    for r in scored:
        assert r["perplexity_bucket"] == perplexity_bucket(r["perplexity"], r["ccnet_language"], table)
        assert r["ccnet_cutoffs_version"] == c["version"]
    shares = Counter(r["perplexity_bucket"] for r in scored if r["ccnet_language"] == "en" and r["perplexity"])
    ties = max(Counter(en).values())
    assert abs(shares["head"] / n - 0.30) <= (ties + 1) / n
    assert abs((shares["head"] + shares["middle"]) / n - 0.60) <= (ties + 1) / n


def test_published_cutoffs_are_selectable(spark: Any, chain: dict[str, Any], scored: list[dict]) -> None:
    cfg = chain["cfg"].model_copy(
        update={"ccnet": chain["cfg"].ccnet.model_copy(update={"cutoffs": chain["cfg"].ccnet.cutoffs.model_copy(
            update={"use": "ccnet_published"})})}
    )  # fmt: skip
    lake = chain["lake"]
    try:
        result = cutoffs.run(spark, cfg)
        assert result is not None and result.method == "ccnet_published"
        assert result.by_language["en"] == (340.0, 520.0) and len(result.by_language) == 48
        rows = _rows(spark, lake, "signals_ccnet", f"snapshot = '{cfg.sample.snapshot}'")
        for r in rows:
            assert r["perplexity_bucket"] == perplexity_bucket(
                r["perplexity"], r["ccnet_language"], result.by_language
            )
            assert r["ccnet_cutoffs_version"] == result.version
    finally:  # back to the data cutoffs for the other tests (use=table picks the newest stored version...)
        data_cfg = chain["cfg"]
        cutoffs.run(spark, data_cfg)
    rows = _rows(spark, lake, "signals_ccnet", f"snapshot = '{cfg.sample.snapshot}'")
    assert {r["ccnet_cutoffs_version"] for r in rows} == {chain["ccnet"].cutoffs_version}


def test_select_with_the_ccnet_recipe_equals_the_recipe_in_python(
    spark: Any, chain: dict[str, Any], scored: list[dict]
) -> None:
    lake, cfg = chain["lake"], chain["cfg"]
    recipe = load_recipe("ccnet")
    decisions = {r["doc_id"]: r for r in _rows(spark, lake, "decisions", f"snapshot = '{cfg.sample.snapshot}'")}
    language = {
        r["doc_id"]: r["language"] for r in _rows(spark, lake, "signals", f"snapshot = '{cfg.sample.snapshot}'")
    }
    reasons = Counter()
    for r in scored:
        d = recipe.decide({**r, "language": language.get(r["doc_id"])})
        got = decisions[r["doc_id"]]
        assert (got["keep"], got["first_failing_rule"]) == (d.keep, d.first_failing_rule), r["url"]
        reasons[d.first_failing_rule] += 1
    assert reasons[None] >= 30  # kept
    assert reasons["ccnet/min_length"] >= 1 and reasons["ccnet/dedup_empty"] >= 1
    assert chain["select"].recipe == "ccnet"


HAND_MADE = [
    # (snapshot, doc_id, file_id, text)
    ("S1", "d1", "f1", "Welcome to my blog\nPost 1 about cats\nShare this:\nCopyright 2020"),
    ("S1", "d2", "f2", "Welcome to my blog\nPost 2 about dogs\nShare this:\nCopyright 2021"),
    ("S1", "d3", "f1", "A unique page\nwith unique lines\nwith unique lines"),
    ("S1", "d0", "f2", "share this:\nSHARE THIS:"),
    ("S2", "d9", "f3", "Welcome to my blog\nfrom another snapshot"),
    ("S1", "d5", "f2", "tiny\nPost 1 about cats"),  # shorter than min_length: contributes no hash
]


def _hand_made_frame(spark: Any) -> Any:
    rows = [("src", snap, doc, f, text) for snap, doc, f, text in HAND_MADE]
    return spark.createDataFrame(rows, "source string, snapshot string, doc_id string, file_id string, text string")


def _spark_dups(spark: Any, policy: str, group: Any, min_length: int) -> dict[str, set[bytes]]:
    from crawlforge.lib.paragraph_dedup import int64_to_hash
    from crawlforge.udfs.ccnet_udf import HASH_OUTPUT_DDL, make_hash_fn

    hashed = _hand_made_frame(spark).mapInPandas(make_hash_fn(), HASH_OUTPUT_DDL).withColumn("group", group)
    lost = ccnet.duplicate_hashes(hashed, policy, min_length).collect()
    return {r["doc_id"]: {int64_to_hash(h) for h in r["dup_hashes"]} for r in lost}


def _python_dups(policy: str, groups: dict[str, str], min_length: int) -> dict[str, set[bytes]]:
    """The contracts of lib/paragraph_dedup, computed with a Counter / a first-owner map per group."""
    out: dict[str, set[bytes]] = {}
    order = sorted(HAND_MADE, key=lambda d: (d[0], "src", d[1]))  # (snapshot, source, doc_id)
    for g in set(groups.values()):
        docs = [d for d in order if groups[d[1]] == g]
        counts: Counter[bytes] = Counter()
        owner: dict[bytes, str] = {}
        for _, doc, _, text in docs:
            if len(text) >= min_length:
                for h in line_hashes(split_lines(text)):
                    counts[h] += 1
                    owner.setdefault(h, doc)
        for _, doc, _, text in docs:
            hs = line_hashes(split_lines(text))
            lost = {h for h in hs if counts[h] >= 2} if policy == "remove_every_copy" else {
                h for h in hs if h in owner and owner[h] != doc
            }  # fmt: skip
            if lost:
                out[doc] = lost
    return out


@pytest.mark.parametrize("policy", ["remove_every_copy", "keep_first"])
@pytest.mark.parametrize("scope", ["snapshot", "snapshots", "file_groups"])
def test_distributed_dedup_equals_the_python_contract(spark: Any, policy: str, scope: str) -> None:
    """duplicate_hashes (explode + groupBy + semi-join) gives each document exactly the keys the pure-Python
    contract of lib/paragraph_dedup says it must lose, for both policies and every scope."""
    cfg = make_config("/tmp/unused", ccnet__dedup__scope=scope, ccnet__dedup__num_groups=2)
    frame = _hand_made_frame(spark).select("doc_id", ccnet.group_column(cfg).alias("g"))
    spark_groups = {r["doc_id"]: r["g"] for r in frame.collect()}
    n_groups = len(set(spark_groups.values()))
    assert n_groups == 2 if scope == "snapshot" else n_groups == 1 if scope == "snapshots" else 2 <= n_groups <= 3
    min_length = 23  # d0 (23 chars) adds its hashes, d5 (22 chars) does not
    got = _spark_dups(spark, policy, ccnet.group_column(cfg), min_length)
    assert got == _python_dups(policy, spark_groups, min_length)
    kept = {doc: dedup_text(text, got.get(doc, set())).lines for _, doc, _, text in HAND_MADE}
    if scope == "snapshots" and policy == "remove_every_copy":
        assert kept["d1"] == ("Post 1 about cats",)  # 'Copyright 2020/2021' collide: digits -> 0
        assert kept["d2"] == ("Post 2 about dogs",)
        assert kept["d9"] == ("from another snapshot",)  # 'Welcome to my blog' repeats across snapshots
        assert kept["d0"] == () and kept["d3"] == ("A unique page",)  # every copy goes, repeats inside a doc too
        assert kept["d5"] == ("tiny", "Post 1 about cats")  # its copy of d1's line is not counted (too short)
    if scope == "snapshots" and policy == "keep_first":
        assert kept["d0"] == ("share this:",)  # d0 is first by (snapshot, source, doc_id); its repeat goes
        assert kept["d1"] == ("Welcome to my blog", "Post 1 about cats", "Copyright 2020")
        assert kept["d2"] == ("Post 2 about dogs",)
        assert kept["d3"] == ("A unique page", "with unique lines")
        assert kept["d5"] == ("tiny",) and kept["d9"] == ("from another snapshot",)
    if scope == "snapshot":  # alone in its snapshot, S2's document keeps every line
        assert kept["d9"] == ("Welcome to my blog", "from another snapshot")
