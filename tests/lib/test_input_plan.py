"""Resolving ingest inputs: snapshot listings (over loopback HTTP), manifests, globs."""

from __future__ import annotations

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawlforge.lib.config import InputConfig
from crawlforge.lib.input_plan import InputPlanError, canonical_key, resolve_inputs, snapshot_listing_uri
from crawlforge.lib.remote_io import RetryPolicy


LISTING = [
    f"crawl-data/CC-MAIN-2024-22/segments/17159710{seg}.{i}/warc/CC-MAIN-2024-22-{n:05d}.warc.gz"
    for n, (seg, i) in enumerate([("57216", 39), ("57216", 39), ("58000", 1), ("59999", 5)] * 3)
]


@pytest.fixture
def cc_server() -> str:
    body = gzip.compress("\n".join(LISTING).encode())

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/crawl-data/CC-MAIN-2024-22/warc.paths.gz":
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def test_snapshot_listing_resolves_with_segments_and_limit(cc_server: str) -> None:
    cfg = InputConfig(kind="snapshot", snapshot_id="CC-MAIN-2024-22", base_url=cc_server)
    files = resolve_inputs(cfg, RetryPolicy(retries=0))
    assert len(files) == len(set(LISTING))
    assert files[0].uri.startswith(cc_server + "crawl-data/CC-MAIN-2024-22/")
    assert all(f.key.startswith("crawl-data/CC-MAIN-2024-22/") for f in files)
    seg = InputConfig(
        kind="snapshot",
        snapshot_id="CC-MAIN-2024-22",
        base_url=cc_server,
        segments=["1715971058000.1"],
        file_limit=2,
    )
    picked = resolve_inputs(seg, RetryPolicy(retries=0))
    assert len(picked) == 2 and all("1715971058000.1" in f.key for f in picked)


def test_same_file_over_https_or_s3_has_the_same_key() -> None:
    rel = "crawl-data/CC-MAIN-2024-22/segments/1/warc/x.warc.gz"
    assert canonical_key("https://data.commoncrawl.org/" + rel) == canonical_key("s3://commoncrawl/" + rel) == rel


def test_bad_snapshot_id() -> None:
    with pytest.raises(InputPlanError, match="not a Common Crawl snapshot id"):
        snapshot_listing_uri("2024-22", "https://data.commoncrawl.org/", "warc")


def test_manifest_and_glob(tmp_path: Path, shared_data: Path) -> None:
    paths = sorted(str(p) for p in (shared_data / "warc/cc").glob("*.gz"))
    manifest = tmp_path / "m.txt"
    manifest.write_text("# comment\n" + "\n".join(reversed(paths)) + "\n" + paths[0] + "\n")
    files = resolve_inputs(InputConfig(kind="manifest", manifest=str(manifest)))
    assert [f.uri for f in files] == paths  # sorted, de-duplicated
    globbed = resolve_inputs(InputConfig(kind="glob", glob=f"{shared_data}/warc/cc/*.gz", file_limit=3))
    assert [f.uri for f in globbed] == paths[:3]
    assert len({f.file_id for f in files}) == len(files)


def test_empty_plan_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputPlanError, match="resolves to no files"):
        resolve_inputs(InputConfig(kind="glob", glob=f"{tmp_path}/*.warc.gz"))
    with pytest.raises(InputPlanError, match=r"needs ingest\.input\.manifest"):
        resolve_inputs(InputConfig(kind="manifest"))
