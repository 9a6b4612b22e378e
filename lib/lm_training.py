"""Train CCNet-style language models: a SentencePiece unigram tokenizer and a 5-gram KenLM on its pieces.

Follows facebookresearch/cc_net@bda555bd ``Makefile`` (targets ``data/cirrus/txt/%.opening.txt``,
``data/lm_sp/%.sp.model``, ``data/cirrus/sp/%.opening.txt``, ``data/lm_sp/%.arpa``, ``%.arpa.bin``) and
``cc_net/get_wiki_cirrus.py`` (``extract_opening_text``):

1. :func:`write_normalized_corpus`: one :func:`~crawlforge.lib.ccnet_text.normalize`-d text per line (CCNet:
   the first ``NDOC_FOR_LM=1_000_000`` Wikipedia "opening" texts of the language; an empty text is skipped
   before normalising, a text that normalises to nothing still writes an empty line).
2. :func:`train_sentencepiece`: ``spm_train --vocab_size=65536 --hard_vocab_limit --character_coverage=0.9995
   --model_type=unigram`` on that file. The Makefile retries with ``--vocab_size=40000`` "if the corpus is too
   small"; as written (``train || echo ... && train_40000``) the shell runs the 40000 training in every case and
   overwrites the first model. Which size the published models have is unverified; here ``vocab_size`` is
   explicit and ``fallback_vocab_size`` is used only when SentencePiece rejects ``vocab_size``.
3. :func:`encode_corpus`: ``spm_encode --output_format=piece``: each line's pieces joined with one space.
4. :func:`train_kenlm_arpa`: ``lmplz -o 5 -S 8G -T /tmp --vocab_estimate 65536 --discount_fallback``.
5. :func:`build_kenlm_binary`: ``build_binary <arpa> <arpa.bin>`` (KenLM's default probing structure).

:func:`train_ccnet_lm` runs the five steps into ``{lang}.sp.model`` / ``{lang}.arpa`` / ``{lang}.arpa.bin``,
CCNet's file names, ready for :class:`~crawlforge.lib.perplexity.PerplexityScorer`. Every output is written under
a temporary name and renamed, so an interrupted run never leaves a truncated model behind.

The ``lmplz`` and ``build_binary`` executables are KenLM's C++ tools, built by ``scripts/build_kenlm.py`` into
``.cache/kenlm/bin/``; :func:`find_kenlm_tool` looks in ``$CRAWLFORGE_KENLM_BIN``, then there, then on ``PATH``.
Pure Python apart from those subprocesses; no Spark; nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from crawlforge.lib.ccnet_text import normalize


__all__ = [
    "CCNET_CHARACTER_COVERAGE",
    "CCNET_LMPLZ_MEMORY",
    "CCNET_LM_ORDER",
    "CCNET_SP_FALLBACK_VOCAB_SIZE",
    "CCNET_SP_VOCAB_SIZE",
    "CCNET_VOCAB_ESTIMATE",
    "KENLM_BIN_ENV",
    "KenLMToolNotFoundError",
    "LMFiles",
    "build_kenlm_binary",
    "encode_corpus",
    "find_kenlm_tool",
    "train_ccnet_lm",
    "train_kenlm_arpa",
    "train_sentencepiece",
    "write_normalized_corpus",
]

CCNET_SP_VOCAB_SIZE = 65536  # Makefile VOCAB_SIZE
CCNET_SP_FALLBACK_VOCAB_SIZE = 40000
CCNET_CHARACTER_COVERAGE = 0.9995
CCNET_LM_ORDER = 5
CCNET_LMPLZ_MEMORY = "8G"
CCNET_VOCAB_ESTIMATE = 65536  # lmplz --vocab_estimate $(VOCAB_SIZE)

#: Environment variable naming a folder that holds ``lmplz`` and ``build_binary``.
KENLM_BIN_ENV = "CRAWLFORGE_KENLM_BIN"
_REPO_BIN = Path(__file__).resolve().parents[1] / ".cache" / "kenlm" / "bin"
BUILD_HINT = "run `python scripts/build_kenlm.py` (part of the project's set-up) to build KenLM's tools"


class KenLMToolNotFoundError(FileNotFoundError):
    """``lmplz`` or ``build_binary`` is neither in ``$CRAWLFORGE_KENLM_BIN``, ``.cache/kenlm/bin`` nor on PATH."""


class LMFiles(NamedTuple):
    """The files :func:`train_ccnet_lm` produces (CCNet's ``data/lm_sp/`` layout)."""

    sp_model: Path
    arpa: Path
    binary: Path


def find_kenlm_tool(name: str) -> Path:
    """Path of KenLM's ``name`` executable (``lmplz`` or ``build_binary``), or :class:`KenLMToolNotFoundError`."""
    candidates: list[Path] = []
    if os.environ.get(KENLM_BIN_ENV):
        candidates.append(Path(os.environ[KENLM_BIN_ENV]) / name)
    candidates.append(_REPO_BIN / name)
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    looked = ", ".join(str(p.parent) for p in candidates[:2]) + ", PATH"
    raise KenLMToolNotFoundError(f"KenLM's `{name}` executable was not found (looked in {looked}): {BUILD_HINT}")


@contextlib.contextmanager
def _atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``target``; rename it onto ``target`` if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_normalized_corpus(texts: Iterable[str | None], path: str | os.PathLike[str]) -> int:
    """Write ``normalize(text)`` one per line, skipping empty texts (``extract_opening_text``); return the count."""
    target = Path(path)
    count = 0
    with _atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as out:
        for text in texts:
            if not text:
                continue
            out.write(normalize(text) + "\n")
            count += 1
    return count


def _train_spm(options: Mapping[str, Any], quiet: bool) -> None:
    """Train with ``options`` and write ``<model_prefix>.model`` and ``.vocab``.

    The corpus is fed through ``sentence_iterator`` and the model taken from ``model_writer`` rather than passing
    file paths: SentencePiece stores its ``input`` and ``model_prefix`` paths inside the model, so the same
    corpus trained in two folders (two lakes, two temporary directories) gave two model files and two model
    versions. The pieces and scores are the same either way.
    """
    import io

    import sentencepiece

    opts = dict(options)
    corpus, prefix = Path(opts.pop("input")), Path(opts.pop("model_prefix"))
    writer = io.BytesIO()
    with open(corpus, encoding="utf-8") as lines, contextlib.ExitStack() as stack:
        if quiet:
            opts["logstream"] = stack.enter_context(open(os.devnull, "w"))
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=(line.rstrip("\n") for line in lines), model_writer=writer, **opts
        )
    model = writer.getvalue()
    processor = sentencepiece.SentencePieceProcessor(model_proto=model)
    vocab = "".join(
        f"{processor.id_to_piece(i)}\t{processor.get_score(i):g}\n" for i in range(processor.get_piece_size())
    )
    prefix.with_name(prefix.name + ".vocab").write_text(vocab, encoding="utf-8")
    prefix.with_name(prefix.name + ".model").write_bytes(model)


def train_sentencepiece(
    corpus_path: str | os.PathLike[str],
    model_prefix: str | os.PathLike[str],
    *,
    vocab_size: int = CCNET_SP_VOCAB_SIZE,
    fallback_vocab_size: int | None = CCNET_SP_FALLBACK_VOCAB_SIZE,
    character_coverage: float = CCNET_CHARACTER_COVERAGE,
    model_type: str = "unigram",
    hard_vocab_limit: bool = True,
    num_threads: int | None = None,
    extra_options: Mapping[str, Any] | None = None,
    quiet: bool = True,
) -> Path:
    """Train a SentencePiece model on a normalised corpus, CCNet's ``%.sp.model`` target; return ``<prefix>.model``.

    Options are CCNet's (see the module docstring); ``extra_options`` are passed to ``SentencePieceTrainer`` as
    is (e.g. ``input_sentence_size`` to sample a large corpus). If training fails and ``fallback_vocab_size`` is
    set, it is retried once with that vocabulary size, as the Makefile intends.
    """
    prefix = Path(model_prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "input": str(corpus_path),
        "vocab_size": vocab_size,
        "character_coverage": character_coverage,
        "model_type": model_type,
        "hard_vocab_limit": hard_vocab_limit,
        "num_threads": num_threads or os.cpu_count() or 1,
        **(extra_options or {}),
    }
    with tempfile.TemporaryDirectory(dir=prefix.parent, prefix=".spm-") as tmp:
        options["model_prefix"] = str(Path(tmp) / "model")
        try:
            _train_spm(options, quiet)
        except RuntimeError:
            if not fallback_vocab_size or fallback_vocab_size == vocab_size:
                raise
            _train_spm({**options, "vocab_size": fallback_vocab_size}, quiet)
        for suffix in (".vocab", ".model"):  # .model last: its presence means the pair is complete
            os.replace(Path(tmp) / f"model{suffix}", prefix.with_name(prefix.name + suffix))
    return prefix.with_name(prefix.name + ".model")


def encode_corpus(
    sp_model_path: str | os.PathLike[str], corpus_path: str | os.PathLike[str], output_path: str | os.PathLike[str]
) -> int:
    """``spm_encode --output_format=piece``: each input line's pieces joined by one space; return lines written."""
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor()
    sp.load(str(sp_model_path))
    count = 0
    target = Path(output_path)
    with (
        open(corpus_path, encoding="utf-8", newline="\n") as src,
        _atomic_path(target) as tmp,
        tmp.open("w", encoding="utf-8", newline="\n") as out,
    ):
        for line in src:
            out.write(" ".join(sp.encode_as_pieces(line.rstrip("\n"))) + "\n")
            count += 1
    return count


def train_kenlm_arpa(
    tokenized_path: str | os.PathLike[str],
    arpa_path: str | os.PathLike[str],
    *,
    order: int = CCNET_LM_ORDER,
    memory: str = CCNET_LMPLZ_MEMORY,
    vocab_estimate: int = CCNET_VOCAB_ESTIMATE,
    discount_fallback: bool = True,
    tmp_dir: str | os.PathLike[str] | None = None,
    lmplz: str | os.PathLike[str] | None = None,
    extra_args: Sequence[str] = (),
) -> Path:
    """``lmplz -o <order> -S <memory> -T <tmp> --vocab_estimate <n> [--discount_fallback] < tokenized > arpa``.

    CCNet's ``%.arpa`` target: order 5, ``-S 8G``, ``--vocab_estimate 65536``, ``--discount_fallback``. ``memory``
    is lmplz's ``-S`` (``"8G"``, ``"512M"``, ``"20%"``); it must exceed the vocabulary hash lmplz sizes from
    ``vocab_estimate``.
    """
    exe = Path(lmplz) if lmplz else find_kenlm_tool("lmplz")
    target = Path(arpa_path)
    with tempfile.TemporaryDirectory(dir=tmp_dir, prefix="lmplz-") as work:
        cmd = [str(exe), "-o", str(order), "-S", memory, "-T", work, "--vocab_estimate", str(vocab_estimate)]
        if discount_fallback:
            cmd.append("--discount_fallback")
        cmd.extend(extra_args)
        with open(tokenized_path, "rb") as src, _atomic_path(target) as tmp, tmp.open("wb") as out:
            proc = subprocess.run(cmd, stdin=src, stdout=out, stderr=subprocess.PIPE, check=False)
            if proc.returncode != 0:
                err = proc.stderr.decode(errors="replace")[-2000:]
                raise RuntimeError(f"lmplz failed with exit code {proc.returncode}: {err}")
    return target


def build_kenlm_binary(
    arpa_path: str | os.PathLike[str],
    binary_path: str | os.PathLike[str],
    *,
    build_binary: str | os.PathLike[str] | None = None,
    extra_args: Sequence[str] = (),
) -> Path:
    """``build_binary [extra_args] <arpa> <binary>``: CCNet's ``%.arpa.bin`` target (probing hash table)."""
    exe = Path(build_binary) if build_binary else find_kenlm_tool("build_binary")
    target = Path(binary_path)
    with _atomic_path(target) as tmp:
        proc = subprocess.run([str(exe), *extra_args, str(arpa_path), str(tmp)], capture_output=True, check=False)
        if proc.returncode != 0:
            out = (proc.stdout + proc.stderr).decode(errors="replace")[-2000:]
            raise RuntimeError(f"build_binary failed with exit code {proc.returncode}: {out}")
    return target


def train_ccnet_lm(
    texts: Iterable[str | None],
    out_dir: str | os.PathLike[str],
    lang: str,
    *,
    vocab_size: int = CCNET_SP_VOCAB_SIZE,
    fallback_vocab_size: int | None = CCNET_SP_FALLBACK_VOCAB_SIZE,
    character_coverage: float = CCNET_CHARACTER_COVERAGE,
    order: int = CCNET_LM_ORDER,
    memory: str = CCNET_LMPLZ_MEMORY,
    vocab_estimate: int = CCNET_VOCAB_ESTIMATE,
    num_threads: int | None = None,
    sp_extra_options: Mapping[str, Any] | None = None,
    keep_corpus: bool = False,
) -> LMFiles:
    """The whole CCNet LM recipe on raw ``texts``: ``{lang}.sp.model``, ``{lang}.arpa``, ``{lang}.arpa.bin``.

    The normalised and the tokenized corpora are written as ``{lang}.txt`` and ``{lang}.sp.txt`` in ``out_dir``
    and deleted at the end unless ``keep_corpus``. Fails early with :class:`KenLMToolNotFoundError` when the
    KenLM executables are missing, before any training work.
    """
    lmplz, build_binary = find_kenlm_tool("lmplz"), find_kenlm_tool("build_binary")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    corpus, tokenized = out / f"{lang}.txt", out / f"{lang}.sp.txt"
    try:
        if write_normalized_corpus(texts, corpus) == 0:
            raise ValueError("no text to train on")
        sp_model = train_sentencepiece(
            corpus,
            out / f"{lang}.sp",
            vocab_size=vocab_size,
            fallback_vocab_size=fallback_vocab_size,
            character_coverage=character_coverage,
            num_threads=num_threads,
            extra_options=sp_extra_options,
        )
        encode_corpus(sp_model, corpus, tokenized)
        arpa = train_kenlm_arpa(
            tokenized, out / f"{lang}.arpa", order=order, memory=memory, vocab_estimate=vocab_estimate, lmplz=lmplz
        )
        binary = build_kenlm_binary(arpa, out / f"{lang}.arpa.bin", build_binary=build_binary)
    finally:
        if not keep_corpus:
            corpus.unlink(missing_ok=True)
            tokenized.unlink(missing_ok=True)
    return LMFiles(sp_model, arpa, binary)
