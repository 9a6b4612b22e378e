"""fastText supervised training through fastText's own CLI binary (the code DCLM trained its classifier with).

The binary is built by ``scripts/build_fasttext.py`` into ``.cache/fasttext/bin/fasttext`` (``make setup``);
``CRAWLFORGE_FASTTEXT_BIN`` points at another build. A CLI and not a Python binding, because every trainable
fastText package installs a module named ``fasttext`` that would replace ``fasttext-predict`` (the prediction-only
module lid.176 and the scoring UDF use); the ``.bin`` the CLI writes is the format ``fasttext-predict`` loads.

Reproducibility: fastText's Hogwild SGD is deterministic only with one thread, and its RNG takes ``-seed``
(``Model::State(dim, osz, threadId + seed)``). :class:`FastTextParams` therefore defaults to ``thread=1`` and a fixed
seed; the same training file and parameters give a byte-identical model, hence the same model version.

Defaults are DCLM's ``train_fasttext_classifier.py`` CLI defaults (lr 0.1, dim 100, ws 5, epoch 5, minCount 1) with
``wordNgrams=2``, since DCLM's released model is the "bigram" one (``openhermes_reddit_eli5_vs_rw_v2_bigram_200k_
train.bin``; shared/reference/anchors.md, DCLM).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path


ENV_BIN = "CRAWLFORGE_FASTTEXT_BIN"
_REPO = Path(__file__).resolve().parents[1]
DEFAULT_BIN = _REPO / ".cache" / "fasttext" / "bin" / "fasttext"


class FastTextError(RuntimeError):
    """The fastText binary is missing or a training failed; the message says what to do."""


@dataclass(frozen=True)
class FastTextParams:
    """fastText ``supervised`` options (names as on fastText's command line)."""

    lr: float = 0.1
    dim: int = 100
    ws: int = 5
    epoch: int = 5
    minCount: int = 1  # noqa: N815 - fastText's own option name
    wordNgrams: int = 2  # noqa: N815
    loss: str = "softmax"
    bucket: int = 2_000_000
    thread: int = 1
    seed: int = 42

    def args(self) -> list[str]:
        out: list[str] = []
        for key, value in asdict(self).items():
            out += [f"-{key}", str(value)]
        return out

    def as_strings(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


def find_binary(explicit: str | None = None) -> Path:
    """The fastText CLI: ``explicit``, else ``$CRAWLFORGE_FASTTEXT_BIN``, else the ``make setup`` build."""
    for candidate in (explicit, os.environ.get(ENV_BIN), str(DEFAULT_BIN), shutil.which("fasttext")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise FastTextError(
        f"no fastText binary: run `make setup` (or `python scripts/build_fasttext.py`) to build {DEFAULT_BIN}, "
        f"or set {ENV_BIN}"
    )


def train_supervised(
    train_file: str | os.PathLike[str],
    output_prefix: str | os.PathLike[str],
    params: FastTextParams,
    binary: str | None = None,
    timeout_s: float | None = None,
) -> Path:
    """Run ``fasttext supervised -input train_file -output output_prefix <params>``; return ``<prefix>.bin``.

    The ``.vec`` file fastText also writes is removed (it is not needed to score). Raises :class:`FastTextError`
    with the tail of fastText's stderr on failure (e.g. ``EncounteredNaNError`` on a tiny training set).
    """
    exe = find_binary(binary)
    if not Path(train_file).is_file() or Path(train_file).stat().st_size == 0:
        raise FastTextError(f"training file {train_file} is missing or empty")
    cmd = [str(exe), "supervised", "-input", str(train_file), "-output", str(output_prefix), *params.args()]
    cmd += ["-verbose", "0"]
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, check=False, timeout=timeout_s)
    model = Path(f"{output_prefix}.bin")
    if proc.returncode != 0 or not model.is_file():
        tail = proc.stderr.decode(errors="replace")[-1500:]
        raise FastTextError(f"fastText training failed (exit {proc.returncode}) after {time.time() - t0:.1f}s: {tail}")
    Path(f"{output_prefix}.vec").unlink(missing_ok=True)
    return model


def binary_version(binary: str | None = None) -> str:
    """A short description of the binary used (its path's stamp file when built by the script)."""
    exe = find_binary(binary)
    stamp = exe.parent / ".stamp"
    return stamp.read_text().strip() if stamp.is_file() else str(exe)
