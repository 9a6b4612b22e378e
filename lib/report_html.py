"""The static HTML report and the Markdown data card, rendered from plain aggregates (no Spark here).

The report is one self-contained ``index.html`` with images as relative ``img/*.png`` links (open it from disk or
any static host). The data card follows the structure of Hugging Face dataset cards and of "Datasheets for
Datasets" (Gebru et al. 2021): what is in the data and where it comes from, how it was processed (recipe and
thresholds, dedup, PII redaction, decontamination), licences, versions and counts, and how to ask for removal.
Every value shown is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


__all__ = ["Image", "ReportData", "render_datacard", "render_html"]


@dataclass
class Image:
    file: str  # relative to the report folder
    caption: str
    section: str


@dataclass
class ReportData:
    title: str
    generated_at: str
    lake: str
    license: str
    scope: str
    scopes: list[dict[str, Any]] = field(default_factory=list)  # per source/snapshot counts
    funnel: list[tuple[str, int]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)  # stage, rule, docs_in, docs_dropped
    languages: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # rule -> [{doc_id, url, text}]
    recipe: dict[str, Any] = field(default_factory=dict)  # name, version, hash, origin, rules
    pii: dict[str, int] = field(default_factory=dict)
    pii_mode: str = ""
    decontam: dict[str, Any] = field(default_factory=dict)
    rights_classes: dict[str, int] = field(default_factory=dict)  # corpus documents per licence class
    rights_licences: dict[str, int] = field(default_factory=dict)  # corpus documents per licence (most frequent)
    rights_optouts: dict[str, int] = field(default_factory=dict)  # signals_rights counts: pages, opt-outs, ...
    dedup: dict[str, Any] = field(default_factory=dict)
    export: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _images(data: ReportData, section: str) -> str:
    out = []
    for img in data.images:
        if img.section == section:
            out.append(
                f'<figure><img src="{_e(img.file)}" alt="{_e(img.caption)}"><figcaption>{_e(img.caption)}'
                "</figcaption></figure>"
            )
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f3f3f3}figure{margin:1em 0}img{max-width:100%;border:1px solid #eee}
.sample{font-family:monospace;font-size:12px;white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:6px}
.note{color:#8a5a00}
"""


def render_html(data: ReportData) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(data.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(data.title)}</h1>",
        f"<p>Generated {_e(data.generated_at)} from the lake <code>{_e(data.lake)}</code>; scope {_e(data.scope)}. "
        'See also the <a href="datacard.md">data card</a>.</p>',
    ]
    for note in data.notes:
        parts.append(f'<p class="note">{_e(note)}</p>')
    parts.append("<h2>Sources and snapshots</h2>")
    if data.scopes:
        keys = list(data.scopes[0].keys())
        parts.append(_table(keys, [[s.get(k) for k in keys] for s in data.scopes]))
    parts.append("<h2>Funnel</h2>")
    parts.append(_table(["step", "documents"], [(s, f"{n:,}") for s, n in data.funnel]))
    parts.append(_images(data, "funnel"))
    if data.rules:
        parts.append("<h3>Documents dropped per stage and rule (latest run of each stage)</h3>")
        parts.append(
            _table(
                ["stage", "rule", "docs in", "dropped"],
                [(r["stage"], r["rule"], r["docs_in"], r["docs_dropped"]) for r in data.rules],
            )
        )
    parts.append("<h2>Languages</h2>")
    parts.append(_images(data, "languages"))
    parts.append("<h2>Scores by bucket</h2>")
    parts.append(_images(data, "scores") or '<p class="note">No perplexity or classifier scores in the lake.</p>')
    parts.append("<h2>Near-duplicate clusters</h2>")
    if data.dedup:
        parts.append(_table(["measure", "value"], list(data.dedup.items())))
    parts.append(_images(data, "dedup") or '<p class="note">No duplicates table in the lake.</p>')
    parts.append("<h2>PII and decontamination</h2>")
    parts.append(_table(["PII type", "replaced"], list(data.pii.items())) + f"<p>PII mode: {_e(data.pii_mode)}</p>")
    if data.decontam:
        parts.append(_table(["measure", "value"], list(data.decontam.items())))
    parts.append("<h2>Licences and opt-outs</h2>")
    if data.rights_classes or data.rights_optouts:
        parts.append(_table(["licence class (corpus)", "documents"], list(data.rights_classes.items())))
        parts.append(_table(["licence (corpus)", "documents"], list(data.rights_licences.items())))
        parts.append(_table(["pages checked by rights", "documents"], list(data.rights_optouts.items())))
    else:
        parts.append('<p class="note">The rights job has not run: no licence or opt-out evidence.</p>')
    if data.export:
        parts.append("<h2>Export</h2>")
        parts.append(_table(["measure", "value"], list(data.export.items())))
    parts.append("<h2>Samples of dropped documents</h2>")
    if not data.samples:
        parts.append('<p class="note">No drop samples (the select job writes them).</p>')
    for rule, samples in sorted(data.samples.items()):
        parts.append(f"<h3>{_e(rule)}</h3>")
        for s in samples:
            parts.append(
                f'<p><a href="{_e(s.get("url"))}">{_e(s.get("url"))}</a> <code>{_e(s.get("doc_id"))}</code></p>'
            )
            parts.append(f'<div class="sample">{_e(s.get("text"))}</div>')
    if data.runs:
        parts.append("<h2>Runs</h2>")
        keys = list(data.runs[0].keys())
        parts.append(_table(keys, [[r.get(k) for k in keys] for r in data.runs]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(v: object) -> str:
        return ("" if v is None else str(v)).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _rights_lines(data: ReportData) -> list[str]:
    """The data card's per-document licence distribution and opt-out counts (the rights job's evidence)."""
    if not (data.rights_classes or data.rights_optouts):
        return ["Per-document licence evidence: not collected (the `rights` job did not run).", ""]
    return [
        "### Licence evidence per document",
        "",
        "From the `rights` job (`signals_rights`; licence links, CC URLs and statements, `noai`, TDMRep, robots.txt "
        "for AI crawlers). Every corpus row carries `rights_license`, `rights_license_class` and "
        "`rights_license_url`. Published documents per licence class and per licence:",
        "",
        _md_table(["licence class", "documents"], list(data.rights_classes.items())),
        "",
        _md_table(["licence", "documents"], list(data.rights_licences.items())),
        "",
        "Opt-out and licence signals over every page the rights job checked (before selection):",
        "",
        _md_table(["signal", "pages"], list(data.rights_optouts.items())),
        "",
    ]


def render_datacard(data: ReportData, extra: Mapping[str, str] | None = None) -> str:
    r = data.recipe
    total = data.funnel[-1][1] if data.funnel else 0
    lines = [
        f"# Data card: {data.title}",
        "",
        f"Generated {data.generated_at} by crawlforge from the lake `{data.lake}` (scope {data.scope}).",
        "",
        "## Summary",
        "",
        f"{total:,} documents of web text, selected by the recipe below"
        + (", near-deduplicated" if data.dedup else "")
        + (", PII-redacted" if data.pii_mode and data.pii_mode != "off" else "")
        + (" and checked for benchmark contamination" if data.decontam else "")
        + " by the crawlforge pipeline (PySpark + Delta). One row per document in the `corpus` Delta table; "
        "exported shards are described by their `manifest.json`. Steps that did not run are marked below.",
        "",
        "## Sources",
        "",
        _md_table(list(data.scopes[0].keys()), [list(s.values()) for s in data.scopes]) if data.scopes else "none",
        "",
        "## Licence",
        "",
        f"{data.license}. Documents come from public web pages crawled by Common Crawl (or the source named "
        "above); their use is also subject to the source's terms "
        "(Common Crawl: https://commoncrawl.org/terms-of-use). "
        "Copyright in the texts stays with their authors.",
        "",
        *_rights_lines(data),
        "## Provenance",
        "",
        "Every document keeps: `source`, `snapshot`, `doc_id` (BLAKE2b-128 of source + WARC-Record-ID, the same on "
        "every run), `url`, `host`, `warc_record_id`, `warc_date`, `file_path`, `offset` and `length` of the WARC "
        "record, `payload_digest`, and the recipe name/version/hash that kept it. Delta history of `corpus` lists "
        "every publish and removal with its run id.",
        "",
        "## Processing",
        "",
        "ingest (WARC) -> extract (resiliparse main content) -> annotate (fastText lid.176, FineWeb / Gopher / C4 / "
        "RedPajama-v2 signals) -> score jobs (CCNet perplexity, quality classifiers, decontamination) -> select "
        "(recipe below) -> near-dedup -> publish (PII redaction) -> export.",
        "",
        f"### Recipe: {r.get('name')} v{r.get('version')} (hash {r.get('hash')})",
        "",
        f"From `{r.get('origin')}`. A document is dropped by the first rule whose condition holds; a null signal "
        "never drops.",
        "",
        _md_table(["rule", "version", "drop when", "overrides"], r.get("rules", [])),
        "",
        "### Documents dropped per stage and rule",
        "",
        _md_table(
            ["stage", "rule", "docs in", "dropped"],
            [(x["stage"], x["rule"], x["docs_in"], x["docs_dropped"]) for x in data.rules],
        ),
        "",
        "### Near-duplicates",
        "",
        _md_table(["measure", "value"], list(data.dedup.items())) if data.dedup else "No near-dedup in this lake.",
        "",
        "### PII",
        "",
        f"Mode `{data.pii_mode}` (lib/pii.py): e-mail addresses, public IPv4/IPv6 addresses (FineWeb's notion: "
        "`is_global`), phone numbers, Luhn-valid card numbers and MOD-97-valid IBANs are replaced. Names and postal "
        "addresses are not. Replacements in the corpus:",
        "",
        _md_table(["type", "replaced"], list(data.pii.items())),
        "",
        "### Decontamination",
        "",
        _md_table(["measure", "value"], list(data.decontam.items())) if data.decontam else "Not run.",
        "",
        "## Counts",
        "",
        _md_table(["step", "documents"], data.funnel),
        "",
        "## Versions",
        "",
        _md_table(["component", "version"], sorted(data.versions.items())),
        "",
        "## Removal requests",
        "",
        "Removal by document id, URL or domain: `crawlforge publish --set 'publish.remove=[\"domain:example.com\"]'`. "
        "Requests are kept in the `removals` table and honoured by every later publish and export.",
        "",
        "## Known limitations",
        "",
        "Heuristic filters and classifiers have false positives and negatives; PII detection is pattern-based "
        "(see `benchmarks/pii_quality.py` for measured precision and recall); decontamination finds verbatim "
        "13-gram overlap only, not paraphrases.",
        "",
    ]
    for title, text in (extra or {}).items():
        lines += [f"## {title}", "", text, ""]
    return "\n".join(lines)
