"""Arrow (``mapInPandas``) wrapper over :mod:`crawlforge.lib.rights` and :mod:`crawlforge.lib.robots_txt`: one
``signals_rights`` row per raw page, from its payload, kept HTTP headers and its host's robots.txt (if any)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pandas as pd

from crawlforge.lib.rights import page_rights
from crawlforge.lib.robots_txt import RobotsTxt, request_path, robots_for_status


KEYS = ("source", "snapshot", "doc_id", "file_id")
INPUT_COLUMNS = (*KEYS, "url", "payload", "charset", "http_headers", "robots_status", "robots_body")
# column -> Spark DDL type, in table order (jobs/tables.py builds the family from it)
RIGHTS_COLUMNS: dict[str, str] = {
    "rights_license": "string",
    "rights_license_type": "string",
    "rights_license_version": "string",
    "rights_license_class": "string",
    "rights_license_source": "string",
    "rights_license_urls": "array<string>",
    "rights_license_url": "string",
    "rights_license_conflict": "boolean",
    "rights_permissive": "boolean",
    "rights_open": "boolean",
    "rights_meta_robots": "string",
    "rights_x_robots_tag": "string",
    "rights_noai": "boolean",
    "rights_noimageai": "boolean",
    "rights_optout_source": "string",
    "rights_tdm_reservation": "int",
    "rights_tdm_reserved": "boolean",
    "rights_tdm_policy": "string",
    "rights_tdm_source": "string",
    "rights_tdm_malformed": "boolean",
    "rights_robots_txt": "boolean",
    "rights_robots_disallowed_agents": "array<string>",
    "rights_robots_root_disallowed_agents": "array<string>",
    "rights_robots_ai_disallowed": "boolean",
    "rights_headers_recorded": "boolean",
    "rights_conflicts": "array<string>",
}
OUTPUT_DDL = ", ".join([*(f"{k} string" for k in KEYS), *(f"{c} {t}" for c, t in RIGHTS_COLUMNS.items())])


def _headers(value: Any) -> dict[str, str] | None:
    """A map column as Arrow hands it to pandas (a dict, or a list of key/value pairs); None when not recorded."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    return {str(k): str(v) for k, v in value if v is not None}


def rights_row(
    url: str | None,
    payload: bytes | None,
    charset: str | None,
    headers: dict[str, str] | None,
    robots: RobotsTxt | None,
    agents: Sequence[str],
) -> dict[str, Any]:
    """The ``RIGHTS_COLUMNS`` of one page (``robots`` None: no robots.txt capture for its host)."""
    r = page_rights(payload, headers, charset, agents)
    path = request_path(url or "")
    disallowed = robots.disallowed_agents(agents, path) if robots is not None else None
    root = robots.disallowed_agents(agents, "/") if robots is not None else None
    return {
        "rights_license": r.licence,
        "rights_license_type": r.licence_type,
        "rights_license_version": r.licence_version,
        "rights_license_class": r.licence_class,
        "rights_license_source": r.licence_source,
        "rights_license_urls": r.licence_urls,
        "rights_license_url": r.licence_urls[0] if r.licence_urls else None,
        "rights_license_conflict": r.licence_conflict,
        "rights_permissive": r.permissive,
        "rights_open": r.open,
        "rights_meta_robots": r.meta_robots,
        "rights_x_robots_tag": r.x_robots_tag,
        "rights_noai": r.noai,
        "rights_noimageai": r.noimageai,
        "rights_optout_source": r.optout_source,
        "rights_tdm_reservation": r.tdm_reservation,
        "rights_tdm_reserved": r.tdm_reserved,
        "rights_tdm_policy": r.tdm_policy,
        "rights_tdm_source": r.tdm_source,
        "rights_tdm_malformed": r.tdm_malformed,
        "rights_robots_txt": robots is not None,
        "rights_robots_disallowed_agents": disallowed,
        "rights_robots_root_disallowed_agents": root,
        "rights_robots_ai_disallowed": None if disallowed is None else bool(disallowed),
        "rights_headers_recorded": headers is not None,
        "rights_conflicts": r.conflicts,
    }


ROBOTS_HOSTS_IN = ("host", "robots_status", "robots_body", "capture_doc_id", "warc_date")
ROBOTS_HOSTS_DDL = (
    "host string, robots_status int, robots_rules string, robots_root_disallowed_agents array<string>, "
    "robots_named_agents array<string>, capture_doc_id string, warc_date timestamp"
)


def make_robots_hosts_fn(agents: Sequence[str]) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """Rows (ROBOTS_HOSTS_IN: one robots.txt capture per host) -> rows (ROBOTS_HOSTS_DDL): the capture reduced to
    the groups that decide for ``agents`` (status applied), which agents it disallows on ``/``, which it names."""
    agents = tuple(agents)

    def fn(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            rows = []
            for row in pdf.itertuples(index=False):
                status = None if pd.isna(row.robots_status) else int(row.robots_status)
                robots = robots_for_status(status, bytes(row.robots_body) if row.robots_body is not None else b"")
                rows.append({
                    "host": row.host, "robots_status": status, "robots_rules": robots.compact(agents),
                    "robots_root_disallowed_agents": robots.disallowed_agents(agents, "/"),
                    "robots_named_agents": [a for a in agents if robots.names(a)],
                    "capture_doc_id": row.capture_doc_id, "warc_date": row.warc_date,
                })  # fmt: skip
            out = pd.DataFrame(rows, columns=[c.split()[0] for c in ROBOTS_HOSTS_DDL.split(", ")])
            yield out.astype({"robots_status": "Int32"})

    return fn


def make_rights_fn(agents: Sequence[str]) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """Rows (INPUT_COLUMNS) -> rows (KEYS + RIGHTS_COLUMNS); a host's robots.txt is parsed once per batch.

    ``robots_body`` (a robots.txt, or the ``robots_rules`` of the per-host table) null means no capture for the
    host; otherwise ``robots_status`` decides as RFC 9309 does (:func:`~crawlforge.lib.robots_txt.robots_for_status`).
    """
    agents = tuple(agents)

    def fn(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            parsed: dict[tuple[int | None, bytes | str], RobotsTxt] = {}
            rows = []
            for row in pdf.itertuples(index=False):
                body = row.robots_body
                robots = None
                if isinstance(body, bytes | bytearray | str):  # a capture exists for the page's host
                    status = None if pd.isna(row.robots_status) else int(row.robots_status)
                    key = (status, body if isinstance(body, str) else bytes(body))
                    if key not in parsed:
                        parsed[key] = robots_for_status(status, key[1])
                    robots = parsed[key]
                out = rights_row(row.url, row.payload, row.charset, _headers(row.http_headers), robots, agents)
                rows.append({**{k: getattr(row, k) for k in KEYS}, **out})
            frame = pd.DataFrame(rows, columns=[*KEYS, *RIGHTS_COLUMNS])
            yield frame.astype({"rights_tdm_reservation": "Int32"})

    return fn
