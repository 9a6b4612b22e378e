"""The rights Arrow function on pandas batches (no Spark): robots.txt status semantics, headers as Arrow gives
them, and the output columns in table order."""

from __future__ import annotations

import pandas as pd

from crawlforge.udfs.rights_udf import INPUT_COLUMNS, KEYS, RIGHTS_COLUMNS, make_rights_fn


def _row(doc: str, url: str, status: int | None, body: bytes | None, headers: object = None) -> dict:
    page = b'<html><head><link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head></html>'
    return {"source": "s", "snapshot": "x", "doc_id": doc, "file_id": "f", "url": url, "payload": page,
            "charset": None, "http_headers": headers, "robots_status": status, "robots_body": body}  # fmt: skip


def test_rights_fn_robots_status_and_headers():
    rows = [
        _row("ok", "https://a.example/p", 200, b"User-agent: CCBot\nDisallow: /p\n", [("x-robots-tag", "noai")]),
        _row("gone", "https://b.example/p", 404, b"<html>not found</html>", {}),
        _row("down", "https://c.example/p", 503, b"", None),
        _row("none", "https://d.example/p", None, None, None),
    ]
    pdf = pd.DataFrame(rows, columns=list(INPUT_COLUMNS))
    pdf["robots_status"] = pdf["robots_status"].astype("Int32")
    out = pd.concat(list(make_rights_fn(["GPTBot", "CCBot"])(iter([pdf]))))
    assert list(out.columns) == [*KEYS, *RIGHTS_COLUMNS]
    got = {r["doc_id"]: r for r in out.to_dict("records")}
    assert got["ok"]["rights_robots_disallowed_agents"] == ["CCBot"] and got["ok"]["rights_noai"]
    assert got["ok"]["rights_robots_root_disallowed_agents"] == [] and got["ok"]["rights_headers_recorded"]
    assert got["gone"]["rights_robots_ai_disallowed"] is False and got["gone"]["rights_robots_txt"]
    assert got["down"]["rights_robots_disallowed_agents"] == ["GPTBot", "CCBot"]
    assert not got["down"]["rights_headers_recorded"]
    assert got["none"]["rights_robots_ai_disallowed"] is None and not got["none"]["rights_robots_txt"]
    assert {r["rights_license"] for r in got.values()} == {"cc-by-4.0"}
    assert got["ok"]["rights_license_url"] == "https://creativecommons.org/licenses/by/4.0/"
