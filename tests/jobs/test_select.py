"""The select job on small hand-made signals / documents Delta tables: decisions == the pure-Python recipe."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Any

import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from crawlforge.jobs import delta_io
from crawlforge.jobs import select as select_job
from crawlforge.jobs.run_records import latest_runs
from crawlforge.jobs.tables import TableSpec
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.heuristics import SIGNAL_COLUMNS, compute_signals
from crawlforge.lib.recipe import Recipe, RecipeError, load_recipe, parse_recipe, render_recipe_yaml
from tests.helpers import make_config


pytestmark = pytest.mark.spark

SOURCE = "common-crawl"
BOOL_COLUMNS = {"url_domain_blocked", "url_subdomain_blocked", "url_blocked", "c4_badwords"}
STRING_COLUMNS = {"c4_first_doc_drop", "rps_doc_ut1_blacklist"}
LONG_COLUMNS = {
    "doc_chars", "url_banned_words", "url_soft_banned_words", "url_banned_subwords", "gopher_words",
    "gopher_non_symbol_words", "gopher_stop_words", "c4_citations_removed", "c4_lorem_ipsum_lines",
    "c4_curly_bracket_lines", "c4_num_sentences", "c4_chars_removed", "fineweb_lines", "rps_doc_num_sentences",
    "rps_doc_word_count", "rps_doc_ldnoobw_words",
}  # fmt: skip


def _signal_type(column: str) -> object:
    if column in BOOL_COLUMNS:
        return BooleanType()
    if column in STRING_COLUMNS:
        return StringType()
    if column in LONG_COLUMNS or column.startswith("c4_lines"):
        return LongType()
    return DoubleType()


KEY_FIELDS = [
    StructField("source", StringType(), False),
    StructField("snapshot", StringType(), False),
    StructField("doc_id", StringType(), False),
    StructField("file_id", StringType(), False),
    StructField("url", StringType()),
]
SIGNALS = TableSpec(
    "signals",
    StructType(
        [
            *KEY_FIELDS,
            StructField("language", StringType()),
            StructField("language_score", DoubleType()),
            StructField(
                "language_topk",
                ArrayType(StructType([StructField("label", StringType()), StructField("score", DoubleType())])),
            ),
            *[StructField(c, _signal_type(c)) for c in SIGNAL_COLUMNS],
        ]
    ),
    ("source", "snapshot"),
)
DOCUMENTS = TableSpec(
    "documents",
    StructType(
        [
            *KEY_FIELDS,
            StructField("host", StringType()),
            StructField("title", StringType()),
            StructField("text", StringType()),
            StructField("extract_status", StringType(), False),
        ]
    ),
    ("source", "snapshot"),
)

GOOD = (
    "The river flows through the old town and past the mill that was built in 1820. "
    "Its water was used to grind grain for the farms of the valley, and the wheel still turns today. "
    "Visitors can walk along the bank to the bridge, where a small museum tells the story of the town. "
    "The museum is open every day except Monday, and entry is free for children under twelve. "
    "In summer the town holds a market on the square with local cheese, bread and honey from the hills. "
    "Many families have lived here for generations and they are proud of the history of their home."
)
# (text, url, language, language_score)
DOCS: list[tuple[str, str, str | None, float]] = [
    (GOOD, "https://example.com/history/mill", "en", 0.93),
    (GOOD + " The bridge was rebuilt in 1902.", "https://example.com/history/bridge", "en", 0.91),
    (GOOD, "https://example.com/free-porn", "en", 0.95),
    ("", "https://example.com/empty", None, 0.0),
    ("\n\n".join([GOOD] * 3), "https://example.com/repeat", "en", 0.9),
    (GOOD[:200], "https://example.org/short", "en", 0.88),
    (GOOD[:180], "https://example.org/short2", "en", 0.87),
    (GOOD + "\nlorem ipsum dolor sit amet.", "https://example.net/lorem", "en", 0.9),
    (GOOD + "\nconst x = { a: 1 };", "https://example.net/code", "en", 0.9),
    (GOOD.replace(". ", ", "), "https://example.net/run-on", "en", 0.9),
    (GOOD, "https://example.fr/riviere", "fr", 0.97),
    (GOOD, "https://example.com/maybe", "en", 0.65),  # exactly the threshold: FineWeb keeps only > 0.65
    (GOOD, "https://example.com/almost", "en", 0.6),
    (GOOD, "https://example.de/fluss", "de", 0.6),
]
EXTRACT_FAILURES = ["too_large", "too_large", "too_large", "timeout", "binary"]


def _signals_row(snapshot: str, doc_id: str, file_id: str, text: str, url: str, lang: str | None, score: float):
    signals = compute_signals(text, url, lang or "en")
    row: dict[str, Any] = {"source": SOURCE, "snapshot": snapshot, "doc_id": doc_id, "file_id": file_id, "url": url}
    row.update({"language": lang, "language_score": score, "language_topk": [(lang, score)] if lang else []})
    for c in SIGNAL_COLUMNS:
        v = signals[c]
        row[c] = float(v) if v is not None and isinstance(_signal_type(c), DoubleType) else v
    return row


def _doc_row(snapshot: str, doc_id: str, file_id: str, text: str | None, url: str, status: str) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "snapshot": snapshot,
        "doc_id": doc_id,
        "file_id": file_id,
        "url": url,
        "host": url.split("/")[2],
        "title": None,
        "text": text,
        "extract_status": status,
    }


def _build_scope(spark, lake: str, snapshot: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Write one scope's documents and signals; return the signals rows by (doc_id, file_id)."""
    docs, sigs = [], []
    for i, (text, url, lang, score) in enumerate(DOCS):
        doc_id, file_id = f"{snapshot}-d{i:02d}", f"f{i % 3}"
        docs.append(_doc_row(snapshot, doc_id, file_id, text, url, "ok"))
        sigs.append(_signals_row(snapshot, doc_id, file_id, text, url, lang, score))
    # the same record in a second file (same doc_id, other file_id): its own decision row
    docs.append(_doc_row(snapshot, f"{snapshot}-d00", "f9", DOCS[0][0], DOCS[0][1], "ok"))
    sigs.append(_signals_row(snapshot, f"{snapshot}-d00", "f9", DOCS[0][0], DOCS[0][1], "en", 0.93))
    # a NaN ratio is treated as null (never fails), in Spark as in Python
    nan_row = _signals_row(snapshot, f"{snapshot}-nan", "f0", GOOD, "https://example.com/nan", "en", 0.9)
    nan_row["gopher_dup_para_frac"] = math.nan
    docs.append(_doc_row(snapshot, f"{snapshot}-nan", "f0", GOOD, "https://example.com/nan", "ok"))
    sigs.append(nan_row)
    for j, status in enumerate(EXTRACT_FAILURES):
        docs.append(_doc_row(snapshot, f"{snapshot}-x{j}", "f1", None, f"https://example.com/x{j}", status))
    docs.append(_doc_row(snapshot, f"{snapshot}-nosig", "f2", GOOD, "https://example.com/nosig", "ok"))
    root = lake
    delta_io.ensure_table(spark, root, DOCUMENTS)
    delta_io.ensure_table(spark, root, SIGNALS)
    delta_io.append(spark.createDataFrame(docs, DOCUMENTS.schema), root, DOCUMENTS, "test")
    delta_io.append(spark.createDataFrame(sigs, SIGNALS.schema), root, SIGNALS, "test")
    return {(r["doc_id"], r["file_id"]): r for r in sigs}


def _config(lake: str, snapshot: str, **sets: Any) -> CrawlforgeConfig:
    return make_config(lake, scope__source=SOURCE, scope__snapshot=snapshot, **sets)


def _collect(spark, lake: str, table: str, snapshot: str) -> list[Any]:
    return delta_io.read_table(spark, lake, table).where(F.col("snapshot") == snapshot).collect()


def _by_key(rows: list[Any]) -> dict[tuple[str, str], Any]:
    return {(r["doc_id"], r["file_id"]): r for r in rows}


def _check_against_python(decisions: dict, signals: dict, recipe: Recipe) -> None:
    n_extract = n_missing = 0
    for key, d in decisions.items():
        if key in signals:
            want = recipe.decide(signals[key])
            first = want.first_failing_rule
            assert d["keep"] == want.keep, key
            assert d["first_failing_rule"] == first, key
            assert tuple(d["failing_rules"]) == want.all_failing_rules, key
            assert d["first_failing_version"] == (recipe.rule(first).version if first else None), key
            assert d["language"] == signals[key]["language"]
        elif key[0].split("-", 1)[1].startswith("x"):
            n_extract += 1
            assert not d["keep"] and d["first_failing_rule"].startswith("extract/"), key
            assert list(d["failing_rules"]) == [d["first_failing_rule"]] and d["first_failing_version"] is None
            assert d["language"] is None
        else:
            n_missing += 1
            assert not d["keep"] and d["first_failing_rule"] == select_job.MISSING_SIGNALS, key
        assert (d["recipe"], d["recipe_version"], d["recipe_hash"]) == (recipe.name, recipe.version, recipe.hash)
    assert (n_extract, n_missing) == (len(EXTRACT_FAILURES), 1)


def _changed_recipe() -> Recipe:
    """FineWeb with two thresholds changed and per-language overrides for the language filter."""
    data = load_recipe("fineweb").as_dict()
    data["name"], data["version"] = "fineweb-multi", "2"
    for rule in data["rules"]:
        if rule["name"] == "gopher_qual/gopher_short_doc":
            rule["value"] = 30  # GOOD[:200] has 35 non-symbol words: no longer too short
        if rule["name"] == "lid/language":
            rule["value"] = ["en", "fr", "de"]
        if rule["name"] == "lid/score":
            rule["value"] = 0.55  # English at 0.6 and 0.65 passes now
            rule["overrides"] = {"de": 0.5, "fr": 0.98}
    return parse_recipe(data, "changed")


N_DOCS = len(DOCS) + 2 + len(EXTRACT_FAILURES) + 1
OTHER_SCOPE = "S2"


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory) -> dict[str, Any]:
    """Two select runs over the same scope (FineWeb, then a changed recipe), with what each left in the tables.

    Everything a test checks is captured right after each run, so the tests do not depend on their order.
    """
    base = tmp_path_factory.mktemp("select")
    lake = str(base / "lake")
    signals = _build_scope(spark, lake, "S1")
    # rows of another scope, written before: select of S1 must leave them alone
    for spec in (select_job.DECISIONS, select_job.DROP_SAMPLES):
        delta_io.ensure_table(spark, lake, spec)
        row = {f.name: None for f in spec.schema.fields}
        row.update(source=SOURCE, snapshot=OTHER_SCOPE, doc_id="o", file_id="o", keep=False, failing_rules=["a/b"])
        row.update(first_failing_rule="a/b", sample_rank=1, recipe="r", recipe_version="1", recipe_hash="h")
        row["run_id"] = "other"
        delta_io.append(spark.createDataFrame([row], spec.schema), lake, spec, "other")
    signals_table = DeltaTable.forPath(spark, delta_io.table_path(lake, "signals"))
    decisions_table = DeltaTable.forPath(spark, delta_io.table_path(lake, "decisions"))

    out: dict[str, Any] = {"lake": lake, "signals": signals, "recipes": [load_recipe("fineweb"), _changed_recipe()]}
    path = base / "changed.yaml"
    path.write_text(render_recipe_yaml(out["recipes"][1]))
    configs = [
        _config(lake, "S1", select__drop_samples_per_rule=2),
        _config(lake, "S1", select__drop_samples_per_rule=1, select__recipe=str(path)),
    ]
    for i, cfg in enumerate(configs):
        signals_version = signals_table.history(1).first()["version"]
        decisions_version = decisions_table.history(1).first()["version"]
        result = select_job.run(spark, cfg)
        out[i] = {
            "cfg": cfg,
            "result": result,
            "decisions": _by_key(_collect(spark, lake, "decisions", "S1")),
            "samples": _collect(spark, lake, "drop_samples", "S1"),
            "stats": delta_io.read_table(spark, lake, "stage_stats").where(F.col("run_id") == result.run_id).collect(),
            "run": latest_runs(spark, lake).where(F.col("run_id") == result.run_id).first(),
            "signals_version": (signals_version, signals_table.history(1).first()["version"]),
            "decisions_commits": decisions_table.history().where(F.col("version") > decisions_version).collect(),
        }
    return out


def test_decisions_equal_the_pure_python_recipe(runs: dict[str, Any]) -> None:
    for i, recipe in enumerate(runs["recipes"]):
        decisions = runs[i]["decisions"]
        assert len(decisions) == N_DOCS == runs[i]["result"].docs
        _check_against_python(decisions, runs["signals"], recipe)
        assert {r["run_id"] for r in decisions.values()} == {runs[i]["result"].run_id}
        assert runs[i]["result"].recipe_hash == recipe.hash


def test_first_failing_semantics_and_extract_failures(runs: dict[str, Any]) -> None:
    decisions = runs[0]["decisions"]
    firsts = Counter(d["first_failing_rule"] for d in decisions.values())
    expected = (
        "url_filter/hard_blacklisted", "lid/language", "lid/score", "gopher_rep/dup_para_frac",
        "gopher_qual/gopher_short_doc", "c4_quality/lorem_ipsum", "c4_quality/curly_bracket",
        "c4_quality/too_few_sentences",
    )  # fmt: skip
    for rule in expected:  # the hand-made documents exercise a spread of rules
        assert firsts[rule] >= 1, (rule, firsts)
    assert (firsts["extract/too_large"], firsts["extract/timeout"], firsts["extract/binary"]) == (3, 1, 1)
    assert firsts[None] == runs[0]["result"].kept >= 4  # d00 (in two files), d01, nan
    assert runs[0]["result"].dropped_by_rule == {k: v for k, v in firsts.items() if k is not None}
    # the empty, language-less page fails lid/score first (score 0.0), then gopher_rep/empty and more
    empty = decisions[("S1-d03", "f0")]
    assert empty["first_failing_rule"] == "lid/score" and "gopher_rep/empty" in empty["failing_rules"]
    assert empty["failing_rules"][0] == "lid/score" and empty["first_failing_version"] == "1"
    # the blocked URL with a good English text: url_filter comes before the language filter, as in datatrove
    assert decisions[("S1-d02", "f2")]["failing_rules"] == ["url_filter/hard_blacklisted"]
    assert decisions[("S1-d11", "f2")]["first_failing_rule"] == "lid/score"  # 0.65 is not > 0.65
    assert decisions[("S1-nan", "f0")]["keep"]  # a NaN ratio never fails, as a null
    assert decisions[("S1-x3", "f1")]["failing_rules"] == ["extract/timeout"]
    assert decisions[("S1-nosig", "f2")]["first_failing_rule"] == "select/missing_signals"
    run = runs[0]["run"]
    assert run["status"] == "succeeded" and run["counts"]["docs"] == N_DOCS
    assert run["counts"]["extract_failed"] == len(EXTRACT_FAILURES) and run["counts"]["missing_signals"] == 1


def test_per_language_override(runs: dict[str, Any]) -> None:
    decisions = runs[1]["decisions"]
    assert decisions[("S1-d13", "f1")]["keep"]  # de at 0.6 passes its 0.5 override
    assert decisions[("S1-d10", "f1")]["first_failing_rule"] == "lid/score"  # fr at 0.97 fails its 0.98
    assert decisions[("S1-d12", "f0")]["keep"]  # en at 0.6 passes the new default 0.55
    assert runs[0]["decisions"][("S1-d13", "f1")]["first_failing_rule"] == "lid/language"


@pytest.mark.parametrize("i", [0, 1])
def test_stage_stats_chain_adds_up(runs: dict[str, Any], i: int) -> None:
    recipe, stats, decisions = runs["recipes"][i], runs[i]["stats"], runs[i]["decisions"]
    assert {(r["job"], r["stage"], r["source"], r["snapshot"]) for r in stats} == {("select", "select", SOURCE, "S1")}
    by_lang: dict[str | None, list[Any]] = {}
    for r in stats:
        by_lang.setdefault(r["language"], []).append(r)
    assert set(by_lang) == {d["language"] for d in decisions.values()}
    order = {r.name: n for n, r in enumerate(recipe.rules)}
    for language, rows in by_lang.items():
        docs = [d for d in decisions.values() if d["language"] == language]
        kept = [r for r in rows if r["rule"] == "kept"]
        assert len(kept) == 1
        assert (kept[0]["docs_in"], kept[0]["docs_out"]) == (len(docs), sum(d["keep"] for d in docs))
        chain = sorted(
            (r for r in rows if r["rule"] != "kept"),
            key=lambda r: (not r["rule"].startswith("extract/"), r["rule"] != select_job.MISSING_SIGNALS,
                           order.get(r["rule"], -1), r["rule"]),
        )  # fmt: skip
        assert chain[0]["docs_in"] == len(docs)
        for a, b in itertools.pairwise(chain):
            assert a["docs_out"] == b["docs_in"], (language, a["rule"], b["rule"])
        for r in chain:
            assert r["docs_in"] == r["docs_out"] + r["docs_dropped"]
            assert r["docs_dropped"] == sum(d["first_failing_rule"] == r["rule"] for d in docs), r["rule"]
        assert chain[-1]["docs_out"] == kept[0]["docs_out"]
        assert sum(r["docs_dropped"] for r in chain) == kept[0]["docs_dropped"]
        if any(d["first_failing_rule"] is None or d["first_failing_rule"] in order for d in docs):
            assert [r["rule"] for r in chain if r["rule"] in order] == [r.name for r in recipe.rules]


@pytest.mark.parametrize(("i", "cap"), [(0, 2), (1, 1)])
def test_drop_samples_are_capped_and_deterministic(spark, runs: dict[str, Any], i: int, cap: int) -> None:
    decisions, samples = runs[i]["decisions"], runs[i]["samples"]
    assert runs[i]["cfg"].select.drop_samples_per_rule == cap
    docs = delta_io.read_table(spark, runs["lake"], "documents").where(F.col("snapshot") == "S1")
    hashes = {(r["doc_id"], r["file_id"]): r["h"] for r in docs.select("*", F.xxhash64("doc_id").alias("h")).collect()}
    text = {(r["doc_id"], r["file_id"]): r["text"] for r in docs.collect()}
    per_rule: dict[str, list[tuple[str, str]]] = {}
    for key, d in decisions.items():
        if not d["keep"]:
            per_rule.setdefault(d["first_failing_rule"], []).append(key)
    assert {s["first_failing_rule"] for s in samples} == set(per_rule)
    assert len(per_rule["extract/too_large"]) == 3
    for rule, keys in per_rule.items():
        got = sorted((s for s in samples if s["first_failing_rule"] == rule), key=lambda s: s["sample_rank"])
        want = sorted(keys, key=lambda k: (hashes[k], k))[:cap]
        assert [(s["doc_id"], s["file_id"]) for s in got] == want, rule
        assert [s["sample_rank"] for s in got] == list(range(1, len(want) + 1))
        for s in got:
            key = (s["doc_id"], s["file_id"])
            assert list(s["failing_rules"]) == list(decisions[key]["failing_rules"])
            assert s["run_id"] == runs[i]["result"].run_id and s["recipe_hash"] == runs["recipes"][i].hash
            assert s["url"].startswith("https://example.") and s["language"] == decisions[key]["language"]
            assert s["text"] == (text[key][:500] if text[key] is not None else None)
    assert any(s["text"] and len(s["text"]) == 500 for s in samples) or cap == 1


def test_changed_threshold_reruns_selection_only(runs: dict[str, Any]) -> None:
    before, after = runs[0]["decisions"], runs[1]["decisions"]
    for i in (0, 1):
        old, new = runs[i]["signals_version"]
        assert old == new  # no signal recomputed or rewritten
        assert [c["userMetadata"] for c in runs[i]["decisions_commits"]] == [runs[i]["result"].run_id]  # one commit
    assert set(after) == set(before)
    flipped = {k for k in after if after[k]["keep"] != before[k]["keep"]}
    assert {("S1-d11", "f2"), ("S1-d12", "f0"), ("S1-d13", "f1")} <= flipped
    assert all(after[k]["keep"] for k in flipped)
    assert runs[1]["result"].kept == runs[0]["result"].kept + len(flipped)
    short = ("S1-d05", "f2")  # GOOD[:200]: no longer too short for Gopher, but still too few sentences for C4
    assert before[short]["first_failing_rule"] == "gopher_qual/gopher_short_doc"
    assert after[short]["first_failing_rule"] == "c4_quality/too_few_sentences"


def test_other_scopes_are_untouched(spark, runs: dict[str, Any]) -> None:
    for table in ("decisions", "drop_samples"):
        rows = _collect(spark, runs["lake"], table, OTHER_SCOPE)
        assert [(r["doc_id"], r["run_id"]) for r in rows] == [("o", "other")], table


def test_recipe_errors_stop_before_any_work(spark, runs: dict[str, Any], tmp_path) -> None:
    lake = runs["lake"]
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nversion: '1'\nrules:\n"
        "  - {name: gopher_qual/words, version: '1', column: gopher_wordz, op: lt, value: 50}\n"
        "  - {name: lid/topk, version: '1', column: language_topk, op: eq, value: en}\n"
    )
    runs_before = delta_io.read_table(spark, lake, "runs").count()
    with pytest.raises(RecipeError) as info:
        select_job.run(spark, _config(lake, "S1", select__recipe=str(path)))
    msg = str(info.value)
    assert "rule #1 'gopher_qual/words': column 'gopher_wordz' is not in the signals table" in msg
    assert "rule #2 'lid/topk': column 'language_topk' has type array<struct<label:string,score:double>>" in msg
    assert delta_io.read_table(spark, lake, "runs").count() == runs_before


def test_missing_input_tables_are_a_clear_error(spark, tmp_path) -> None:
    with pytest.raises(RuntimeError, match=r"select needs the documents table at .*; run extract first"):
        select_job.run(spark, _config(str(tmp_path / "empty-lake"), "S1"))


def test_describe_plan_prints_the_recipe(tmp_path) -> None:
    plan = select_job.describe_plan(_config(str(tmp_path), "S1"))
    assert f"recipe fineweb version 1 (hash {load_recipe('fineweb').hash})" in plan
    assert "scope: source=common-crawl snapshot=S1" in plan
    assert "lid/score" in plan and "gopher_qual/gopher_short_doc" in plan
    assert "columns from other score jobs" not in plan


def test_stage_rows_unit() -> None:
    recipe = parse_recipe(
        {"name": "t", "version": "1", "rules": [
            {"name": "a/x", "version": "1", "column": "x", "op": "gt", "value": 1},
            {"name": "a/y", "version": "1", "column": "y", "op": "gt", "value": 1},
        ]},
    )  # fmt: skip
    counts = [
        {"language": "en", "first_failing_rule": None, "n": 5},
        {"language": "en", "first_failing_rule": "a/y", "n": 2},
        {"language": None, "first_failing_rule": "extract/timeout", "n": 3},
    ]
    rows = select_job.stage_rows(counts, recipe, SOURCE, "S")
    got = [(r["language"], r["rule"], r["docs_in"], r["docs_out"], r["docs_dropped"]) for r in rows]
    assert got == [
        (None, "kept", 3, 0, 3),
        (None, "extract/timeout", 3, 0, 3),
        ("en", "kept", 7, 5, 2),
        ("en", "a/x", 7, 7, 0),
        ("en", "a/y", 7, 5, 2),
    ]
    with pytest.raises(RuntimeError, match="not in recipe"):
        select_job.stage_rows([{"language": "en", "first_failing_rule": "b/z", "n": 1}], recipe, SOURCE, "S")


def test_spark_expression_matches_python_on_edge_values(spark) -> None:
    """Per-rule Column vs RecipeRule.fails on nulls, NaN, overrides, list ops, in one small DataFrame."""
    recipe = parse_recipe(
        {"name": "t", "version": "1", "rules": [
            {"name": "s/le", "version": "1", "column": "s", "op": "le", "value": 0.65, "overrides": {"fr": 0.5}},
            {"name": "l/not_in", "version": "1", "column": "language", "op": "not_in", "value": ["en", "fr"],
             "overrides": {"de": ["de"]}},
            {"name": "n/ge", "version": "1", "column": "n", "op": "ge", "value": 2},
            {"name": "b/eq", "version": "1", "column": "b", "op": "eq", "value": True},
            {"name": "t/in", "version": "1", "column": "t", "op": "in", "value": ["lorem_ipsum", "curly_bracket"]},
            {"name": "s/ne", "version": "1", "column": "s", "op": "ne", "value": 0.5},
        ]},
    )  # fmt: skip
    schema = "id int, language string, s double, n long, b boolean, t string"
    rows = [
        (0, None, None, None, None, None),
        (1, "en", math.nan, 2, True, "lorem_ipsum"),
        (2, "fr", 0.5, 1, False, "x"),
        (3, "fr", 0.6, 3, None, "curly_bracket"),
        (4, "de", 0.65, 0, False, None),
        (5, "it", 0.66, 5, True, "y"),
        (6, None, 0.6, 1, False, None),
    ]
    df = spark.createDataFrame(rows, schema)
    types = {"s": "double", "n": "bigint", "b": "boolean", "t": "string", "language": "string"}
    got = {r["id"]: r for r in select_job.apply_recipe(df, recipe, types).collect()}
    names = schema.replace(",", "").split()[::2]
    for row in rows:
        want = recipe.decide(dict(zip(names, row, strict=True)))
        assert got[row[0]]["first_failing_rule"] == want.first_failing_rule, row
        assert tuple(got[row[0]]["failing_rules"]) == want.all_failing_rules, row
