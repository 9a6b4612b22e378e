"""train-classifier + quality on Spark and Delta: a classifier trained on ../shared/data/text (positives) against the
sample generator's spam and boilerplate pages (negatives), then scoring, percentiles, buckets and the ensemble."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fasttext
import pytest

from crawlforge.jobs import delta_io, model_registry, train_classifier
from crawlforge.jobs import quality as quality_job
from crawlforge.jobs.signal_families import joined_signals
from crawlforge.jobs.tables import DOCUMENTS, QUALITY_FAMILY, QUALITY_THRESHOLDS, SIGNALS, STAGE_PROGRESS
from crawlforge.lib.config import build_config
from crawlforge.lib.fasttext_train import FastTextParams, train_supervised
from crawlforge.lib.quality_text import (
    NEGATIVE_LABEL,
    POSITIVE_LABEL,
    dclm_preprocess,
    fasttext_line,
    positive_probability,
    rank_of,
    utf8_bytes,
    weighted_thresholds,
)
from crawlforge.lib.recipe import load_recipe
from tests.quality_fixtures import NEGATIVE_KINDS, ccnet_documents, sample_pages, wikitext_paragraphs


pytestmark = pytest.mark.spark
SOURCE, SNAPSHOT = "common-crawl", "QT-1"
KEYS = ("source", "snapshot", "doc_id", "file_id")


def _classifier(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "language": "en",
        "positives": {"table": "reference", "where": "corpus IN ('wikitext', 'ccnet')", "key_column": "doc_id"},
        # a SQL query over a Delta path: the negatives are the crawl's spam and boilerplate pages
        "negatives": {"sql": "SELECT doc_id, text FROM delta.`{crawl}` WHERE kind IN ('spam', 'list', 'short')"},
        "heldout_fraction": 0.2,
        "seed": 11,
        # small n-gram hash space and more epochs than DCLM's defaults: ~500 training documents
        "bucket": 50_000,
        "epoch": 25,
        "lr": 0.5,
        **extra,
    }


def _config(lake: Path, crawl_table: str, train: list[str] | None = None, second_model: str | None = None) -> Any:
    classifiers = [_classifier("wiki")]
    classifiers[0]["negatives"]["sql"] = classifiers[0]["negatives"]["sql"].format(crawl=crawl_table)
    if second_model:  # a second, externally trained model (as DCLM's released .bin would be): the ensemble
        classifiers.append({"name": "wiki_uni", "model_path": second_model})
    overrides = [
        f"lake.root={lake}",
        "spark.shuffle_partitions=2",
        f"scope.source={SOURCE}",
        f"scope.snapshot={SNAPSHOT}",
        # overrides, so they replace conf/local.yaml's demo classifier (JSON is YAML)
        f"quality.classifiers={json.dumps(classifiers)}",
        f"quality.train={json.dumps(train or [])}",
    ]
    return build_config(["local"], overrides)


@pytest.fixture(scope="module")
def lake(spark: Any, shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("quality-lake")
    wiki = wikitext_paragraphs(shared_data)
    # training: reference text (positives) and a generated crawl (negatives: spam, list, short pages)
    reference = [(f"wiki-{i}", "wikitext", t) for i, t in enumerate(wiki[:300])]
    reference += [(f"ccnet-{i}", "ccnet", t) for i, t in enumerate(ccnet_documents(shared_data))]
    spark.createDataFrame(reference, "doc_id string, corpus string, text string").write.format("delta").save(
        delta_io.table_path(str(root), "reference")
    )
    train_pages = sample_pages(str(tmp_path_factory.mktemp("crawl-train")), 1500, 7)
    crawl = [(f"crawl-{i}", kind, lang, text) for i, (kind, lang, text) in enumerate(train_pages)]
    crawl_path = str(root / "crawl_docs")
    spark.createDataFrame(crawl, "doc_id string, kind string, language string, text string").write.format(
        "delta"
    ).save(crawl_path)

    # scoring scope: unseen wikitext paragraphs, spam/boilerplate and articles of another crawl, in two files
    score_pages = sample_pages(str(tmp_path_factory.mktemp("crawl-score")), 600, 8)
    docs: list[tuple[str, str, str, str]] = [(f"w{i}", "wiki", "en", t) for i, t in enumerate(wiki[320:380])]
    docs += [(f"n{i}", k, lang, t) for i, (k, lang, t) in enumerate(score_pages) if k in NEGATIVE_KINDS]
    docs += [(f"a{i}", k, lang, t) for i, (k, lang, t) in enumerate(score_pages) if k == "article"][:60]
    rows = []
    for j, (doc_id, _kind, _lang, text) in enumerate(docs):
        rows.append({"source": SOURCE, "snapshot": SNAPSHOT, "doc_id": doc_id, "file_id": f"f{j % 2}", "text": text,
                     "extract_status": "ok"})  # fmt: skip
    rows.append({"source": SOURCE, "snapshot": SNAPSHOT, "doc_id": "empty-1", "file_id": "f0", "text": "",
                 "extract_status": "empty"})  # fmt: skip
    full = [{f.name: r.get(f.name) for f in DOCUMENTS.schema.fields} for r in rows]
    for _name, spec, data in (
        ("documents", DOCUMENTS, full),
        ("signals", SIGNALS, [
            {**{f.name: None for f in SIGNALS.schema.fields}, **{k: r[k] for k in KEYS}, "language": lang}
            for r, (_, _, lang, _) in zip(rows, docs, strict=False)
        ]),
        ("stage_progress", STAGE_PROGRESS, [
            {"source": SOURCE, "snapshot": SNAPSHOT, "stage": "extract", "file_id": f, "run_id": "test",
             "finished_at": None} for f in ("f0", "f1")
        ]),
    ):  # fmt: skip
        delta_io.ensure_table(spark, str(root), spec)
        delta_io.append(spark.createDataFrame(data, spec.schema), str(root), spec, "test-setup")
    # the second classifier: unigram features, trained outside the job on CCNet documents vs list/short pages
    lines = [fasttext_line(POSITIVE_LABEL, t) for t in ccnet_documents(shared_data) + wiki[:200]]
    lines += [fasttext_line(NEGATIVE_LABEL, t) for k, _, t in train_pages if k in ("list", "short")]
    (root / "uni.txt").write_text("\n".join(sorted(lines, key=lambda x: x[::-1])) + "\n", encoding="utf-8")
    second = train_supervised(root / "uni.txt", root / "uni", FastTextParams(wordNgrams=1, bucket=50_000, epoch=25))
    kinds = {doc_id: kind for doc_id, kind, _, _ in docs}
    texts = {doc_id: text for doc_id, _, _, text in docs}
    langs = {doc_id: lang for doc_id, _, lang, _ in docs}
    return {"root": root, "crawl": crawl_path, "kinds": kinds, "texts": texts, "langs": langs, "second": str(second)}


@pytest.fixture(scope="module")
def trained(spark: Any, lake: dict[str, Any]) -> dict[str, Any]:
    cfg = _config(lake["root"], lake["crawl"], second_model=lake["second"])
    result = train_classifier.run(spark, cfg, run_id="train-1")
    return {"cfg": cfg, "result": {t.name: t for t in result}}


def test_training_evaluates_and_versions_the_model(spark: Any, lake: dict[str, Any], trained: dict) -> None:
    wiki = trained["result"]["wiki"]
    print(f"held-out metrics wiki (bigrams): {wiki.metrics}; counts {wiki.counts}")
    assert wiki.metrics["auc"] >= 0.97 and wiki.metrics["heldout_docs"] >= 40
    assert wiki.metrics["precision"] >= 0.9 and wiki.metrics["recall"] >= 0.9
    # balanced: 165 negatives, so about as many of the 310 positives are sampled
    assert wiki.counts["candidates_negative"] == 165 and wiki.counts["candidates_positive"] == 310
    pos = wiki.counts["train_positive"] + wiki.counts["heldout_positive"]
    neg = wiki.counts["train_negative"] + wiki.counts["heldout_negative"]
    assert neg == 165 and 120 <= pos <= 210
    recs = model_registry.latest(spark, str(lake["root"]), "quality", "wiki", "en")
    assert len(recs) == 1 and recs[0].version == wiki.version
    assert set(recs[0].files) == {"model.bin", "model_card.json"}
    provenance = json.loads(recs[0].training_data)
    assert "kind IN ('spam', 'list', 'short')" in provenance["negatives"]["sql"]
    assert provenance["positives"]["table"] == "reference" and provenance["preprocess"] == "dclm-1"
    assert recs[0].metrics["auc"] == pytest.approx(wiki.metrics["auc"])
    assert recs[0].params["wordNgrams"] == "2" and recs[0].params["thread"] == "1"
    card = json.loads((Path(recs[0].path) / "model_card.json").read_text())
    assert card["metrics"]["auc"] == pytest.approx(wiki.metrics["auc"])


def test_retraining_gives_the_same_model_version(spark: Any, lake: dict[str, Any], trained: dict) -> None:
    cfg = _config(lake["root"], lake["crawl"], train=["wiki"])
    again = train_classifier.run(spark, cfg, run_id="train-2")
    assert [t.name for t in again] == ["wiki"]
    assert again[0].version == trained["result"]["wiki"].version  # same data + params -> byte-identical model
    assert again[0].metrics == trained["result"]["wiki"].metrics


def _table(spark: Any, root: Path) -> dict[str, dict[str, Any]]:
    rows = delta_io.read_table(spark, str(root), QUALITY_FAMILY.name).collect()
    return {r["doc_id"]: r.asDict() for r in rows}


def test_scoring_buckets_and_ensemble(spark: Any, lake: dict[str, Any], trained: dict) -> None:
    cfg = trained["cfg"]
    root = lake["root"]
    result = quality_job.run(spark, cfg, run_id="quality-1")
    assert result.stage is not None and result.stage.files_processed == 2
    table = _table(spark, root)
    assert set(table) == set(lake["texts"])  # every ok document once; the failed extraction is not scored

    # scores equal an independent fasttext-predict computation on the same texts
    versions = {"wiki": model_registry.latest(spark, str(root), "quality", "wiki", "en")[0].version,
                "wiki_uni": model_registry.file_sha256(lake["second"])[:12]}  # fmt: skip
    for name in ("wiki", "wiki_uni"):
        path = lake["second"] if name == "wiki_uni" else str(Path(trained["result"]["wiki"].path) / "model.bin")
        model = fasttext.load_model(path)
        for doc_id, text in lake["texts"].items():
            labels, probs = model.predict(dclm_preprocess(text), k=1)
            assert table[doc_id][f"quality_{name}"] == pytest.approx(positive_probability(labels, probs), abs=1e-12)
        assert table["w0"]["quality_models"][name] == versions[name]
    kinds = lake["kinds"]
    wiki_mean = sum(r["quality_wiki"] for d, r in table.items() if kinds[d] == "wiki") / 60
    spam = [r["quality_wiki"] for d, r in table.items() if kinds[d] == "spam"]
    assert wiki_mean > 0.8 and max(spam) < 0.5

    # percentiles and buckets equal the pure-Python reference, per language, weighted by UTF-8 bytes
    langs = lake["langs"]
    for name in ("wiki", "wiki_uni"):
        col = f"quality_{name}"
        for lang in set(langs.values()):
            ids = [d for d in table if langs[d] == lang]
            scores = [round(table[d][col], 6) for d in ids]
            weights = [utf8_bytes(lake["texts"][d]) for d in ids]
            assert [table[d]["quality_text_bytes"] for d in ids] == weights
            thresholds = weighted_thresholds(scores, weights)
            for d, s in zip(ids, scores, strict=True):
                assert table[d][f"{col}_pct"] == rank_of(s, thresholds), (name, lang, d)
                assert table[d][f"{col}_bucket"] == rank_of(s, thresholds) // 5
    for r in table.values():
        assert r["quality_ensemble_bucket"] == max(r["quality_wiki_bucket"], r["quality_wiki_uni_bucket"])
        assert 0 <= r["quality_ensemble_bucket"] <= 19
    en_top = [d for d in table if langs[d] == "en" and table[d]["quality_wiki_bucket"] == 19]
    assert en_top and all(kinds[d] != "spam" for d in en_top)

    thr = delta_io.read_table(spark, str(root), QUALITY_THRESHOLDS.name).collect()
    assert len(thr) == 2 * len(set(langs.values()))
    assert all(len(r["thresholds"]) == 99 and r["weight"] == "utf8_bytes" for r in thr)

    # a rerun with the same models scores nothing new and leaves identical values
    again = quality_job.run(spark, cfg, run_id="quality-2")
    assert again.stage is not None and again.stage.files_processed == 0
    table2 = _table(spark, root)
    strip = ("run_id",)
    assert {d: {k: v for k, v in r.items() if k not in strip} for d, r in table2.items()} == {
        d: {k: v for k, v in r.items() if k not in strip} for d, r in table.items()
    }

    # select sees the family's columns by name
    base = delta_io.read_table(spark, str(root), SIGNALS.name)
    joined = joined_signals(spark, str(root), base, ["quality_wiki_pct", "quality_ensemble_bucket"])
    assert {"quality_wiki_pct", "quality_ensemble_bucket"} <= set(joined.columns)
    assert joined.where("quality_wiki_pct IS NOT NULL").count() == len(table)


def test_dclm_recipe_parses() -> None:
    recipe = load_recipe("dclm")
    assert "quality_dclm" in recipe.columns
