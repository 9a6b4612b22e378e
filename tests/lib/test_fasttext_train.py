"""fastText's CLI (built by scripts/build_fasttext.py): training is reproducible and the model scores as expected."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import fasttext
import pytest

from crawlforge.lib.fasttext_train import FastTextError, FastTextParams, find_binary, train_supervised
from crawlforge.lib.quality_text import NEGATIVE_LABEL, POSITIVE_LABEL, dclm_preprocess, fasttext_line
from crawlforge.udfs.quality_udf import score_texts
from tests.quality_fixtures import sample_pages, wikitext_paragraphs


# 50k n-gram buckets instead of fastText's 2M keep the model at ~20 MB and a training under a second; more epochs
# and a higher rate than DCLM's defaults because 345 documents are a tiny training set.
SMALL = FastTextParams(seed=7, bucket=50_000, epoch=25, lr=0.5)


@pytest.fixture(scope="module")
def texts(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str]]:
    pos = wikitext_paragraphs(shared_data)
    neg = [t for kind, _, t in sample_pages(str(tmp_path_factory.mktemp("crawl"))) if kind == "spam"]
    return pos, neg


def test_binary_is_found() -> None:
    assert find_binary().is_file()


def test_params_are_dclm_defaults_with_bigrams() -> None:
    args = FastTextParams().args()
    got = dict(zip(args[::2], args[1::2], strict=True))
    assert got["-lr"] == "0.1" and got["-dim"] == "100" and got["-ws"] == "5" and got["-epoch"] == "5"
    assert got["-minCount"] == "1" and got["-wordNgrams"] == "2" and got["-thread"] == "1"


def test_training_is_byte_identical_and_separates_the_classes(
    texts: tuple[list[str], list[str]], tmp_path: Path
) -> None:
    pos, neg = texts
    train_pos, test_pos = pos[:300], pos[300:360]
    train_neg, test_neg = neg[:45], neg[45:]
    lines = [fasttext_line(POSITIVE_LABEL, t) for t in train_pos] + [
        fasttext_line(NEGATIVE_LABEL, t) for t in train_neg
    ]
    lines.sort(key=lambda s: s[::-1])  # interleave the classes deterministically
    data = tmp_path / "train.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    models = [train_supervised(data, tmp_path / f"m{i}", SMALL) for i in range(2)]
    assert models[0].read_bytes() == models[1].read_bytes()
    other = train_supervised(data, tmp_path / "m_seed8", replace(SMALL, seed=8))
    assert other.read_bytes() != models[0].read_bytes()  # the seed is really used
    model = fasttext.load_model(str(models[0]))
    s_pos = score_texts(model, [dclm_preprocess(t) for t in test_pos], NEGATIVE_LABEL)
    s_neg = score_texts(model, [dclm_preprocess(t) for t in test_neg], NEGATIVE_LABEL)
    assert len(s_neg) >= 10
    assert min(s_pos) > max(s_neg)  # held-out wikipedia paragraphs all above held-out spam
    assert sum(s_pos) / len(s_pos) > 0.8 and sum(s_neg) / len(s_neg) < 0.2


def test_errors_say_what_is_wrong(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(FastTextError, match="missing or empty"):
        train_supervised(empty, tmp_path / "m", FastTextParams())
    with pytest.raises(FastTextError, match="no fastText binary"):
        _find_nothing(tmp_path)


def _find_nothing(tmp_path: Path) -> None:
    import os

    from crawlforge.lib import fasttext_train

    old_default, old_env = fasttext_train.DEFAULT_BIN, os.environ.pop(fasttext_train.ENV_BIN, None)
    old_path = os.environ.get("PATH", "")
    try:
        fasttext_train.DEFAULT_BIN = tmp_path / "missing"
        os.environ["PATH"] = str(tmp_path)
        fasttext_train.find_binary()
    finally:
        fasttext_train.DEFAULT_BIN = old_default
        os.environ["PATH"] = old_path
        if old_env is not None:
            os.environ[fasttext_train.ENV_BIN] = old_env
