"""Selection recipes: a declarative YAML list of drop rules over the ``signals`` table (pure Python, no Spark).

DESIGN.md: *scores are data; decisions are configuration*. The annotate and score jobs write every signal; the
select job turns them into keep / drop with a recipe such as ``conf/recipes/fineweb.yaml``. Changing a threshold
means editing a recipe and re-running select, never recomputing a signal.

Recipe format::

    name: fineweb                       # recorded in the decisions table
    version: "1"                        # bump when any rule changes
    description: ...                    # optional, free text
    source: huggingface/datatrove ...   # optional, where the thresholds come from
    rules:                              # evaluated in order; the first failing rule is the drop reason
      - name: lid/score                 # <filter>/<reason>, unique in the recipe
        version: "1"                    # bump when the rule's signal or semantics change
        column: language_score          # a column of the signals table
        op: le                          # the comparison that means DROP: gt ge lt le eq ne in not_in
        value: 0.65                     # a scalar; a non-empty list for in / not_in
        overrides: {fr: 0.5}            # optional: per-language value, keyed by the ``language`` column
        null_drops: false               # optional: true makes a null signal fail the rule (see below)
        description: ...                # optional, free text (cite where the threshold comes from)

A document is dropped by a rule when ``row[column] <op> value`` holds, with ``value`` replaced by
``overrides[row["language"]]`` when the document's language has an override. Semantics shared by the pure-Python
evaluation here and the Spark expressions of ``jobs/select.py``:

* **A null signal never fails a rule**, whatever the op (``not_in`` included): the statistic is undefined (a ratio
  over zero words, no URL, no language), exactly as :meth:`crawlforge.lib.heuristics.decisions.Rule.fails`. A rule
  with ``null_drops: true`` inverts that for its column: a null (a document its score job has not reached) fails
  it. Subsets that must prove something of every document (``copyright-clean``: checked for licence and opt-outs)
  need it; the anchors' recipes never set it. A
  floating-point NaN is treated as null (Spark orders NaN above every number and Python compares it false to
  everything; treating it as null keeps both evaluations equal).
* A document whose ``language`` is null, or has no override, uses the rule's default ``value``.
* Rules are evaluated in order; ``first_failing_rule`` is the first that fails (a datatrove pipeline stops at the
  first filter that drops) and ``failing_rules`` lists every failing rule in recipe order.

Unknown keys, unknown ops, malformed values and duplicate names are :class:`RecipeError` at load time;
:meth:`Recipe.check_columns` then checks every column and value type against the signals table's schema before a
job does any work. Every error names the rule.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from crawlforge.lib.heuristics.decisions import Decision, Rule


__all__ = [
    "OPS",
    "Recipe",
    "RecipeError",
    "RecipeRule",
    "load_recipe",
    "parse_recipe",
    "recipe_from_rules",
    "render_recipe_yaml",
    "resolve_recipe_path",
]

RecipeOp = Literal["gt", "ge", "lt", "le", "eq", "ne", "in", "not_in"]
OPS: tuple[str, ...] = ("gt", "ge", "lt", "le", "eq", "ne", "in", "not_in")
ORDER_OPS = frozenset({"gt", "ge", "lt", "le"})
LIST_OPS = frozenset({"in", "not_in"})
LANGUAGE_COLUMN = "language"
RESERVED_FILTERS = frozenset({"extract", "select"})
"""Rule-name prefixes the select job uses itself (``extract/<status>``, ``select/missing_signals``)."""

Scalar = bool | int | float | str
Value = Scalar | tuple[Scalar, ...]

_RECIPE_KEYS = frozenset({"name", "version", "description", "source", "rules"})
_RULE_KEYS = frozenset({"name", "version", "column", "op", "value", "overrides", "description", "null_drops"})
_NUMERIC_TYPES = frozenset(
    {"tinyint", "smallint", "int", "bigint", "float", "double", "byte", "short", "integer", "long"}
)


class RecipeError(ValueError):
    """A recipe file, rule or value is wrong; the message names the rule and what was expected."""


def _compare(op: str, value: Any, threshold: Value) -> bool:
    if op == "gt":
        return bool(value > threshold)
    if op == "ge":
        return bool(value >= threshold)
    if op == "lt":
        return bool(value < threshold)
    if op == "le":
        return bool(value <= threshold)
    if op == "eq":
        return bool(value == threshold)
    if op == "ne":
        return bool(value != threshold)
    if op == "in":
        return value in cast(tuple, threshold)
    if op == "not_in":
        return value not in cast(tuple, threshold)
    raise AssertionError(f"unknown op {op!r}")


def is_null(value: Any) -> bool:
    """``None`` or a float NaN: such a signal never fails a rule."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def column_kind(spark_type: str) -> str | None:
    """``numeric``, ``boolean`` or ``string`` for a Spark type name (``simpleString`` or ``typeName``), else None."""
    t = spark_type.strip().lower()
    if t in _NUMERIC_TYPES or t.startswith("decimal"):
        return "numeric"
    if t == "boolean":
        return "boolean"
    if t == "string" or t.startswith(("varchar", "char(")):
        return "string"
    return None


def _value_kind(value: Scalar) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "numeric"
    return "string"


@dataclass(frozen=True, slots=True)
class RecipeRule:
    """One drop rule of a recipe (see the module docstring for the semantics).

    Attributes:
        name: ``<filter>/<reason>``, unique in the recipe; the reason matches the anchor's drop reason.
        version: bumped whenever the signal definition or the rule's semantics change.
        column: the signals column read.
        op: the comparison that means *drop*.
        value: the default threshold (a tuple for ``in`` / ``not_in``).
        overrides: per-language thresholds keyed by the ``language`` column.
        description: free text, e.g. where the threshold comes from.
        null_drops: a null signal fails the rule (default: a null never fails).
    """

    name: str
    version: str
    column: str
    op: RecipeOp
    value: Value
    overrides: Mapping[str, Value] = field(default_factory=dict)
    description: str | None = None
    null_drops: bool = False

    @property
    def filter(self) -> str:
        return self.name.split("/", 1)[0]

    def threshold_for(self, language: str | None) -> Value:
        """The value compared against for a document of this language."""
        if language is not None and language in self.overrides:
            return self.overrides[language]
        return self.value

    def fails(self, row: Mapping[str, Any]) -> bool:
        """True when the rule drops a document with this signals row (a null signal fails only with null_drops)."""
        if self.column not in row:
            raise KeyError(f"rule {self.name!r} needs signal column {self.column!r}")
        value = row[self.column]
        if is_null(value):
            return self.null_drops
        return _compare(self.op, value, self.threshold_for(row.get(LANGUAGE_COLUMN)))

    def to_rule(self) -> Rule:
        """The equivalent :class:`~crawlforge.lib.heuristics.decisions.Rule` (scalar ops, no overrides only)."""
        if self.op in LIST_OPS or self.overrides or self.null_drops:
            raise ValueError(
                f"rule {self.name!r} uses {self.op!r}, overrides or null_drops, which decisions.Rule cannot express"
            )
        return Rule(name=self.name, version=self.version, column=self.column, op=self.op, threshold=self.value)  # type: ignore[arg-type]

    def as_dict(self, *, with_description: bool = True) -> dict[str, Any]:
        """Plain data in the YAML layout (lists for list values; optional keys only when set)."""

        def plain(v: Value) -> Any:
            return list(v) if isinstance(v, tuple) else v

        out: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "column": self.column,
            "op": self.op,
            "value": plain(self.value),
        }
        if self.overrides:
            out["overrides"] = {k: plain(v) for k, v in sorted(self.overrides.items())}
        if self.null_drops:  # only when set: the hash of every existing recipe stays the same
            out["null_drops"] = True
        if with_description and self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True, slots=True)
class Recipe:
    """A named, versioned, ordered list of :class:`RecipeRule`."""

    name: str
    version: str
    rules: tuple[RecipeRule, ...]
    description: str | None = None
    source: str | None = None
    origin: str = "<recipe>"

    @property
    def hash(self) -> str:
        """sha256 (16 hex digits) of the rules' semantics: name, version, column, op, value, overrides, in order.

        Descriptions, comments, key order and YAML formatting do not change it; any threshold change does.
        """
        payload = json.dumps([r.as_dict(with_description=False) for r in self.rules], sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the recipe reads, in first-use order (``language`` included when a rule has overrides)."""
        cols: dict[str, None] = {}
        for r in self.rules:
            cols[r.column] = None
            if r.overrides:
                cols[LANGUAGE_COLUMN] = None
        return tuple(cols)

    def rule(self, name: str) -> RecipeRule:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(f"recipe {self.name!r} has no rule {name!r}")

    def decide(self, row: Mapping[str, Any]) -> Decision:
        """Evaluate every rule in order on one signals row (a mapping of column -> value)."""
        failing = tuple(r.name for r in self.rules if r.fails(row))
        return Decision(
            keep=not failing, first_failing_rule=failing[0] if failing else None, all_failing_rules=failing
        )

    def check_columns(self, column_types: Mapping[str, str]) -> None:
        """Check every rule against a table schema given as column -> Spark type name (e.g. ``"double"``).

        Raises :class:`RecipeError` listing every rule whose column is missing, has a type no rule can compare
        (arrays, maps, structs, binary, timestamps), or does not match the rule's op or value type.
        """
        problems: list[str] = []
        for i, r in enumerate(self.rules, 1):
            where = f"rule #{i} {r.name!r}"
            if r.column not in column_types:
                problems.append(f"{where}: column {r.column!r} is not in the signals table")
                continue
            if r.overrides and LANGUAGE_COLUMN not in column_types:
                problems.append(f"{where}: has per-language overrides but the table has no {LANGUAGE_COLUMN!r} column")
            spark_type = column_types[r.column]
            kind = column_kind(spark_type)
            if kind is None:
                problems.append(f"{where}: column {r.column!r} has type {spark_type}, which rules cannot compare")
                continue
            if r.op in ORDER_OPS and kind != "numeric":
                problems.append(f"{where}: op {r.op!r} needs a numeric column; {r.column!r} is {spark_type}")
                continue
            values = [("value", r.value)] + [(f"overrides[{k!r}]", v) for k, v in r.overrides.items()]
            for label, v in values:
                for item in v if isinstance(v, tuple) else (v,):
                    if _value_kind(item) != kind:
                        hint = " (YAML reads 1e-2 as a string; write 1.0e-2)" if isinstance(item, str) else ""
                        problems.append(
                            f"{where}: {label} {item!r} is {_value_kind(item)} but column {r.column!r} is "
                            f"{spark_type}{hint}"
                        )
        if problems:
            raise RecipeError(
                f"recipe {self.name!r} ({self.origin}) does not fit the signals table:\n  " + "\n  ".join(problems)
            )

    def table(self) -> str:
        """The rules as an aligned text table (for ``--dry-run``)."""
        header = ("#", "rule", "version", "column", "op", "value", "overrides")
        rows = [header]
        for i, r in enumerate(self.rules, 1):
            over = ", ".join(f"{k}={_show(v)}" for k, v in sorted(r.overrides.items()))
            value = _show(r.value) + (" (or null)" if r.null_drops else "")
            rows.append((str(i), r.name, r.version, r.column, r.op, value, over))
        widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
        return "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            out["description"] = self.description
        if self.source:
            out["source"] = self.source
        out["rules"] = [r.as_dict() for r in self.rules]
        return out


def _show(v: Value) -> str:
    if isinstance(v, tuple):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, bool):
        return str(v).lower()
    return str(v) if v != "" else '""'


# --------------------------------------------------------------------------------------------------
# Parsing and validation


def _version(raw: Any) -> str | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    if isinstance(raw, int | float):
        return str(raw)
    return None


def _scalar(raw: Any) -> Scalar | None:
    if isinstance(raw, bool | int | str):
        return raw
    if isinstance(raw, float):
        return None if math.isnan(raw) else raw
    return None


def _parse_value(raw: Any, op: str, label: str, problems: list[str]) -> Value | None:
    if op in LIST_OPS:
        if not isinstance(raw, list) or not raw:
            problems.append(f"{label} must be a non-empty list for op {op!r}, got {raw!r}")
            return None
        items = [_scalar(x) for x in raw]
        if any(x is None for x in items):
            problems.append(f"{label} must hold only numbers, booleans or strings, got {raw!r}")
            return None
        return tuple(cast(list[Scalar], items))
    value = _scalar(raw)
    if value is None:
        problems.append(f"{label} must be a number, boolean or string for op {op!r}, got {raw!r}")
    return value


def _parse_rule(i: int, raw: Any, problems: list[str]) -> RecipeRule | None:
    if not isinstance(raw, Mapping):
        problems.append(f"rule #{i}: must be a mapping with name, version, column, op, value; got {raw!r}")
        return None
    name = raw.get("name")
    where = f"rule #{i} {name!r}" if isinstance(name, str) and name else f"rule #{i}"
    n_before = len(problems)
    unknown = sorted(str(k) for k in raw if k not in _RULE_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {unknown}; allowed: {sorted(_RULE_KEYS)}")
    missing = [k for k in ("name", "version", "column", "op", "value") if k not in raw]
    if missing:
        problems.append(f"{where}: missing key(s) {missing}")
        return None
    if not isinstance(name, str) or "/" not in name or name.startswith("/") or name.endswith("/"):
        problems.append(f"{where}: name must be '<filter>/<reason>', got {name!r}")
    elif name.split("/", 1)[0] in RESERVED_FILTERS:
        problems.append(f"{where}: the filter names {sorted(RESERVED_FILTERS)} are reserved for the select job")
    version = _version(raw["version"])
    if version is None:
        problems.append(f'{where}: version must be a non-empty string such as "1", got {raw["version"]!r}')
    column = raw["column"]
    if not isinstance(column, str) or not column:
        problems.append(f"{where}: column must be a column name, got {column!r}")
    op = raw["op"]
    if op not in OPS:
        problems.append(f"{where}: unknown op {op!r}; the op is the comparison that means drop, one of {list(OPS)}")
        return None
    value = _parse_value(raw["value"], op, f"{where}: value", problems)
    overrides: dict[str, Value] = {}
    raw_over = raw.get("overrides") or {}
    if not isinstance(raw_over, Mapping):
        problems.append(f"{where}: overrides must be a mapping of language -> value, got {raw_over!r}")
    else:
        for lang, v in raw_over.items():
            if not isinstance(lang, str) or not lang:
                hint = (
                    " (YAML reads no/yes/on/off as booleans: quote the code, e.g. 'no')"
                    if isinstance(lang, bool)
                    else ""
                )
                problems.append(f"{where}: override key {lang!r} is not a language code{hint}")
                continue
            parsed = _parse_value(v, op, f"{where}: overrides[{lang!r}]", problems)
            if parsed is not None:
                overrides[lang] = parsed
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        problems.append(f"{where}: description must be text, got {description!r}")
    null_drops = raw.get("null_drops", False)
    if not isinstance(null_drops, bool):
        problems.append(f"{where}: null_drops must be true or false, got {null_drops!r}")
    if len(problems) > n_before or value is None:
        return None
    return RecipeRule(
        name=cast(str, name),
        version=cast(str, version),
        column=cast(str, column),
        op=cast(RecipeOp, op),
        value=value,
        overrides=overrides,
        description=description,
        null_drops=bool(null_drops),
    )


def parse_recipe(data: Any, origin: str = "<recipe>") -> Recipe:
    """Validate parsed YAML into a :class:`Recipe`; raises :class:`RecipeError` listing every problem."""
    if not isinstance(data, Mapping):
        raise RecipeError(f"{origin}: a recipe is a mapping with name, version and rules; got {type(data).__name__}")
    problems: list[str] = []
    unknown = sorted(str(k) for k in data if k not in _RECIPE_KEYS)
    if unknown:
        problems.append(f"unknown key(s) {unknown}; allowed: {sorted(_RECIPE_KEYS)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"name must be a non-empty string, got {name!r}")
    version = _version(data.get("version"))
    if version is None:
        problems.append(f'version must be a non-empty string such as "1", got {data.get("version")!r}')
    for key in ("description", "source"):
        if data.get(key) is not None and not isinstance(data.get(key), str):
            problems.append(f"{key} must be text, got {data.get(key)!r}")
    raw_rules = data.get("rules")
    rules: list[RecipeRule] = []
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append("rules must be a non-empty list")
    else:
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_rules, 1):
            rule = _parse_rule(i, raw, problems)
            if rule is None:
                continue
            if rule.name in seen:
                problems.append(f"rule #{i} {rule.name!r}: duplicate name (also rule #{seen[rule.name]})")
                continue
            seen[rule.name] = i
            rules.append(rule)
    if problems:
        raise RecipeError(f"invalid recipe {origin}:\n  " + "\n  ".join(problems))
    return Recipe(
        name=cast(str, name).strip(),
        version=cast(str, version),
        rules=tuple(rules),
        description=data.get("description"),
        source=data.get("source"),
        origin=origin,
    )


def resolve_recipe_path(name: str) -> Path:
    """A recipe file on disk, or a packaged recipe name in ``conf/recipes/`` (``fineweb`` or ``fineweb.yaml``)."""
    path = Path(name).expanduser()
    if path.is_file():
        return path
    stem = name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"
    if "/" not in stem and "\\" not in stem:
        packaged = resources.files("crawlforge.conf").joinpath("recipes").joinpath(stem)
        if packaged.is_file():
            return Path(str(packaged))
    available = ", ".join(packaged_recipes()) or "none"
    raise RecipeError(f"recipe not found: {name!r} (neither a file nor a packaged recipe; packaged: {available})")


def packaged_recipes() -> list[str]:
    """Names of the recipes shipped in ``conf/recipes/``."""
    folder = resources.files("crawlforge.conf").joinpath("recipes")
    if not folder.is_dir():
        return []
    return sorted(p.name.rsplit(".", 1)[0] for p in folder.iterdir() if p.name.endswith((".yaml", ".yml")))


def load_recipe(name_or_path: str) -> Recipe:
    """Load and validate a recipe by path or packaged name (``select.recipe`` in the job config)."""
    path = resolve_recipe_path(name_or_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RecipeError(f"{path}: not valid YAML: {exc}") from exc
    return parse_recipe(data, str(path))


# --------------------------------------------------------------------------------------------------
# Building recipes from code (used once to generate conf/recipes/fineweb.yaml, and by tests)


def recipe_from_rules(
    name: str,
    version: str,
    rules: Iterable[Rule | RecipeRule],
    description: str | None = None,
    source: str | None = None,
) -> Recipe:
    """A recipe from :class:`decisions.Rule` and/or :class:`RecipeRule` objects, validated like a YAML file."""
    data: dict[str, Any] = {"name": name, "version": version}
    if description:
        data["description"] = description
    if source:
        data["source"] = source
    data["rules"] = [
        r.as_dict()
        if isinstance(r, RecipeRule)
        else {"name": r.name, "version": r.version, "column": r.column, "op": r.op, "value": r.threshold}
        for r in rules
    ]
    return parse_recipe(data, f"<{name}>")


def render_recipe_yaml(recipe: Recipe, header: Sequence[str] = ()) -> str:
    """YAML text of a recipe with one rule per line (flow mappings), so the file reads as a table."""
    lines = [f"# {h}".rstrip() for h in header]
    top = {k: v for k, v in recipe.as_dict().items() if k != "rules"}
    lines.append(yaml.safe_dump(top, sort_keys=False, width=118, allow_unicode=True).rstrip())
    lines.append("rules:")
    for r in recipe.rules:
        body = yaml.safe_dump(r.as_dict(), default_flow_style=True, sort_keys=False, width=1000).strip()
        lines.append(f"  - {body}")
    return "\n".join(lines) + "\n"
