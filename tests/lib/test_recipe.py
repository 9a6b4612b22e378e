"""Selection recipes (lib/recipe.py): parsing, validation, overrides; fineweb.yaml == FINEWEB_RULES."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawlforge.lib.heuristics import FINEWEB_RULES, compute_signals, decide
from crawlforge.lib.langid import LID_MODES
from crawlforge.lib.recipe import (
    Recipe,
    RecipeError,
    RecipeRule,
    load_recipe,
    parse_recipe,
    recipe_from_rules,
    render_recipe_yaml,
    resolve_recipe_path,
)


REPO = Path(__file__).resolve().parents[2]
FINEWEB_YAML = REPO / "conf" / "recipes" / "fineweb.yaml"
LID_RULES = ("lid/language", "lid/score")

GOOD = (
    "The river flows through the old town and past the mill that was built in 1820. "
    "Its water was used to grind grain for the farms of the valley, and the wheel still turns today. "
    "Visitors can walk along the bank to the bridge, where a small museum tells the story of the town. "
    "The museum is open every day except Monday, and entry is free for children under twelve. "
    "In summer the town holds a market on the square with local cheese, bread and honey from the hills. "
    "Many families have lived here for generations and they are proud of the history of their home."
)
TEXTS: list[tuple[str, str | None]] = [
    (GOOD, "https://example.com/history/mill"),
    (GOOD, "https://example.com/free-porn"),
    ("", None),
    ("\n\n".join([GOOD] * 3), None),
    (GOOD[:200], "https://example.org/short"),
    (GOOD + " " + " ".join(f"#tag{i}" for i in range(30)), None),
    (GOOD + "\nlorem ipsum dolor sit amet.", None),
    (GOOD + "\nconst x = { a: 1 };", None),
    (GOOD.replace(". ", ", "), None),
    (
        GOOD.replace(". ", ".\n") + "\nThe river flows through the old town and past the mill that was built in 1820.",
        None,
    ),
    ("\n".join(f"- item {i} ..." for i in range(80)), "https://example.net/list"),
    ("Word " * 400, None),
]
LANGS: list[tuple[str | None, float]] = [("en", 0.93), ("en", 0.65), ("en", 0.6500001), ("fr", 0.97), (None, 0.0)]


def _rule(**over: Any) -> dict[str, Any]:
    base = {"name": "gopher_qual/gopher_short_doc", "version": "1", "column": "gopher_non_symbol_words", "op": "lt"}
    return {**base, "value": 50, **over}


def _recipe(*rules: dict[str, Any], **top: Any) -> Recipe:
    return parse_recipe({"name": "t", "version": "1", "rules": list(rules), **top}, "test.yaml")


# --------------------------------------------------------------------------------------------------
# conf/recipes/fineweb.yaml


def test_fineweb_yaml_equals_fineweb_rules_rule_for_rule() -> None:
    recipe = load_recipe("fineweb")
    assert resolve_recipe_path("fineweb").resolve() == FINEWEB_YAML.resolve()
    assert (recipe.name, recipe.version) == ("fineweb", "1")
    heuristic = [r for r in recipe.rules if r.name not in LID_RULES]
    assert len(heuristic) == len(FINEWEB_RULES)
    for got, want in zip(heuristic, FINEWEB_RULES, strict=True):
        rule = got.to_rule()
        assert rule == want, (got.name, want.name)
        assert type(rule.threshold) is type(want.threshold), got.name  # True is not 1, 2 is not 2.0


def test_fineweb_language_rule_sits_where_datatrove_runs_the_language_filter() -> None:
    """URLFilter -> Trafilatura -> LanguageFilter -> Gopher... (examples/fineweb.py); decisions.py docstring."""
    names = [r.name for r in load_recipe("fineweb").rules]
    n_url = sum(1 for r in FINEWEB_RULES if r.filter == "url_filter")
    assert names[n_url : n_url + 2] == list(LID_RULES)
    assert all(n.startswith("url_filter/") for n in names[:n_url])


def test_fineweb_language_rule_matches_lid_mode() -> None:
    recipe = load_recipe("fineweb")
    mode = LID_MODES["fineweb"]
    lang, score = recipe.rule("lid/language"), recipe.rule("lid/score")
    assert (lang.column, lang.op, lang.value, dict(lang.overrides)) == ("language", "not_in", ("en",), {})
    # LanguageFilter keeps score > 0.65 strictly, so the drop comparison is `le`; no rounding (unlike CCNet)
    assert (score.column, score.value, mode.threshold, mode.inclusive, mode.score_digits) == (
        "language_score",
        0.65,
        0.65,
        False,
        None,
    )
    assert score.op == ("lt" if mode.inclusive else "le")
    for s in (0.0, 0.5, 0.65, math.nextafter(0.65, 1), 0.9, 1.0):
        assert score.fails({"language_score": s, "language": "en"}) == (not mode.passes(s)), s


def test_fineweb_yaml_is_what_the_generator_writes() -> None:
    """The file was generated from FINEWEB_RULES; rendering the recipe again gives the same rules and hash."""
    recipe = load_recipe("fineweb")
    lid = [recipe.rule(n) for n in LID_RULES]
    url = [r for r in FINEWEB_RULES if r.filter == "url_filter"]
    rest = [r for r in FINEWEB_RULES if r.filter != "url_filter"]
    rebuilt = recipe_from_rules("fineweb", "1", [*url, *lid, *rest])
    assert rebuilt.rules == recipe.rules
    assert rebuilt.hash == recipe.hash
    again = parse_recipe(yaml.safe_load(render_recipe_yaml(recipe, header=["regenerated"])), "rendered")
    assert again.rules == recipe.rules and again.hash == recipe.hash
    assert (again.description, again.source) == (recipe.description, recipe.source)


# --------------------------------------------------------------------------------------------------
# Pure-Python evaluation agrees with decisions.decide


def _expected_failing(row: dict[str, Any]) -> tuple[str, ...]:
    """decisions.decide(FINEWEB_RULES) with datatrove's language filter spliced in after the URL filter."""
    failing = decide(row).all_failing_rules
    url = tuple(n for n in failing if n.startswith("url_filter/"))
    rest = tuple(n for n in failing if not n.startswith("url_filter/"))
    lid: tuple[str, ...] = ()
    if row["language"] is not None and row["language"] != "en":
        lid += ("lid/language",)
    if not LID_MODES["fineweb"].passes(row["language_score"]):
        lid += ("lid/score",)
    return url + lid + rest


@pytest.mark.parametrize(("text", "url"), TEXTS)
def test_recipe_evaluation_agrees_with_decide(text: str, url: str | None) -> None:
    recipe = load_recipe("fineweb")
    heuristic_only = Recipe("h", "1", tuple(r for r in recipe.rules if r.name not in LID_RULES))
    for language, score in LANGS:
        row = {**compute_signals(text, url, language or "en"), "language": language, "language_score": score}
        got = recipe.decide(row)
        want = _expected_failing(row)
        assert got.all_failing_rules == want, (language, score)
        assert got.first_failing_rule == (want[0] if want else None)
        assert got.keep == (not want) == (decide(row).keep and language == "en" and score > 0.65)
        assert heuristic_only.decide(row) == decide(row)


def test_the_texts_exercise_many_rules() -> None:
    firsts = {decide(compute_signals(t, u, "en")).first_failing_rule for t, u in TEXTS}
    assert None in firsts and len(firsts) >= 9, firsts


# --------------------------------------------------------------------------------------------------
# Semantics: nulls, overrides, list ops


def test_null_and_nan_never_fail() -> None:
    r = _recipe(
        _rule(),
        {"name": "lid/language", "version": "1", "column": "language", "op": "not_in", "value": ["en"]},
        {"name": "x/ne", "version": "1", "column": "f", "op": "ne", "value": 1.0},
    )
    assert r.decide({"gopher_non_symbol_words": None, "language": None, "f": None}).keep
    assert r.decide({"gopher_non_symbol_words": 10, "language": "en", "f": float("nan")}).all_failing_rules == (
        "gopher_qual/gopher_short_doc",
    )
    assert r.decide({"gopher_non_symbol_words": 60, "language": "de", "f": 2.0}).all_failing_rules == (
        "lid/language",
        "x/ne",
    )
    with pytest.raises(KeyError, match="gopher_non_symbol_words"):
        r.decide({"language": "en", "f": 1.0})


def test_per_language_overrides() -> None:
    r = _recipe(
        {"name": "lid/score", "version": "1", "column": "language_score", "op": "le", "value": 0.65,
         "overrides": {"fr": 0.5, "de": 0.9}},
        {"name": "lid/language", "version": "1", "column": "language", "op": "not_in", "value": ["en"],
         "overrides": {"fr": ["fr"], "de": ["de", "lb"]}},
    )  # fmt: skip
    rule = r.rule("lid/score")
    assert (rule.threshold_for("fr"), rule.threshold_for("en"), rule.threshold_for(None)) == (0.5, 0.65, 0.65)
    assert r.decide({"language": "fr", "language_score": 0.6}).keep
    assert r.decide({"language": "en", "language_score": 0.6}).first_failing_rule == "lid/score"
    assert r.decide({"language": "de", "language_score": 0.8}).first_failing_rule == "lid/score"
    assert r.decide({"language": "de", "language_score": 0.95}).keep
    assert r.decide({"language": "it", "language_score": 0.95}).first_failing_rule == "lid/language"
    assert r.decide({"language": None, "language_score": 0.6}).all_failing_rules == ("lid/score",)
    assert r.columns == ("language_score", "language")


def test_hash_ignores_prose_and_tracks_thresholds() -> None:
    a = _recipe(_rule(description="Gopher"), description="one")
    b = _recipe(_rule(), description="two", source="elsewhere")
    assert a.hash == b.hash and len(a.hash) == 16
    assert _recipe(_rule(value=49)).hash != a.hash
    assert _recipe(_rule(overrides={"zh": 20})).hash != a.hash
    assert _recipe(_rule(version="2")).hash != a.hash


def test_version_may_be_a_yaml_number() -> None:
    r = parse_recipe(
        yaml.safe_load("name: t\nversion: 2\nrules:\n  - {name: a/b, version: 1, column: c, op: gt, value: 1}")
    )
    assert (r.version, r.rules[0].version) == ("2", "1")


def test_table_lists_every_rule() -> None:
    text = load_recipe("fineweb").table()
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["#", "rule", "version"]
    assert len(lines) == 1 + len(FINEWEB_RULES) + 2
    assert "lid/language" in text and "[en]" in text
    assert "fr=0.5" in _recipe(_rule(overrides={"fr": 0.5})).table()


# --------------------------------------------------------------------------------------------------
# Validation errors name the rule


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (_rule(threshold=3), r"rule #1 'gopher_qual/gopher_short_doc': unknown key\(s\) \['threshold'\]"),
        (_rule(op="lessthan"), r"rule #1 'gopher_qual/gopher_short_doc': unknown op 'lessthan'"),
        ({"name": "a/b", "version": "1", "op": "gt", "value": 1}, r"rule #1 'a/b': missing key\(s\) \['column'\]"),
        (_rule(name="noslash"), r"rule #1 'noslash': name must be '<filter>/<reason>'"),
        (_rule(name="extract/timeout"), r"rule #1 'extract/timeout': the filter names .* are reserved"),
        (_rule(op="in"), r"rule #1 'gopher_qual/gopher_short_doc': value must be a non-empty list for op 'in'"),
        (_rule(value=[1, 2]), r"rule #1 'gopher_qual/gopher_short_doc': value must be a number"),
        (_rule(value=None), r"rule #1 'gopher_qual/gopher_short_doc': value must be a number"),
        (_rule(version=""), r"rule #1 'gopher_qual/gopher_short_doc': version must be"),
        (_rule(overrides={False: 3}), r"override key False is not a language code \(YAML reads no/yes"),
        (_rule(overrides={"fr": [3]}), r"overrides\['fr'\] must be a number"),
        (_rule(overrides=[1]), r"overrides must be a mapping"),
        ("gopher", r"rule #1: must be a mapping"),
    ],
)
def test_rule_errors_name_the_rule(rule: Any, message: str) -> None:
    with pytest.raises(RecipeError, match=message):
        _recipe(rule)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(RecipeError) as info:
        _recipe(_rule(), _rule(), _rule(name="c4/x", op="between"), colour="blue")
    msg = str(info.value)
    assert "test.yaml" in msg
    assert "unknown key(s) ['colour']" in msg
    assert "rule #2 'gopher_qual/gopher_short_doc': duplicate name (also rule #1)" in msg
    assert "rule #3 'c4/x': unknown op 'between'" in msg


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "a recipe is a mapping"),
        ({"version": "1", "rules": [_rule()]}, "name must be a non-empty string"),
        ({"name": "t", "rules": [_rule()]}, "version must be a non-empty string"),
        ({"name": "t", "version": "1", "rules": []}, "rules must be a non-empty list"),
    ],
)
def test_recipe_level_errors(data: Any, message: str) -> None:
    with pytest.raises(RecipeError, match=message):
        parse_recipe(data, "x.yaml")


SCHEMA = {
    "doc_id": "string",
    "language": "string",
    "language_score": "double",
    "language_topk": "array<struct<label:string,score:double>>",
    "gopher_non_symbol_words": "bigint",
    "url_blocked": "boolean",
    "c4_first_doc_drop": "string",
}


def test_check_columns_accepts_fineweb_against_the_signal_types() -> None:
    types = {r.column: "double" for r in FINEWEB_RULES}
    types.update({"url_domain_blocked": "boolean", "url_subdomain_blocked": "boolean", "url_blocked": "boolean"})
    types.update({"c4_first_doc_drop": "string", "language": "string", "language_score": "double"})
    types.update({c: "bigint" for c in ("doc_chars", "url_banned_words", "gopher_stop_words", "c4_num_sentences")})
    load_recipe("fineweb").check_columns(types)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (_rule(column="gopher_words"), r"rule #1 'gopher_qual/gopher_short_doc': column 'gopher_words' is not in"),
        (_rule(column="language_topk", op="eq"), r"column 'language_topk' has type array<struct"),
        (_rule(column="c4_first_doc_drop"), r"op 'lt' needs a numeric column; 'c4_first_doc_drop' is string"),
        (_rule(value="1e-2"), r"value '1e-2' is string but column 'gopher_non_symbol_words' is bigint \(YAML reads"),
        (_rule(column="url_blocked", op="eq", value=1), r"value 1 is numeric but column 'url_blocked' is boolean"),
        (_rule(value=True), r"value True is boolean but column 'gopher_non_symbol_words' is bigint"),
        (_rule(overrides={"zh": "x"}), r"overrides\['zh'\] 'x' is string"),
        (_rule(column="c4_first_doc_drop", op="in", value=["a", 3]), r"value 3 is numeric but column"),
    ],
)
def test_check_columns_names_the_rule(rule: dict[str, Any], message: str) -> None:
    recipe = _recipe(rule)
    with pytest.raises(RecipeError, match=message):
        recipe.check_columns(SCHEMA)


def test_overrides_need_a_language_column() -> None:
    recipe = _recipe(_rule(overrides={"zh": 20}))
    with pytest.raises(RecipeError, match="has per-language overrides but the table has no 'language' column"):
        recipe.check_columns({"gopher_non_symbol_words": "bigint"})
    recipe.check_columns(SCHEMA)


# --------------------------------------------------------------------------------------------------
# Loading


def test_load_by_path_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(render_recipe_yaml(_recipe(_rule(value=10))))
    assert load_recipe(str(path)).rules[0].value == 10
    with pytest.raises(RecipeError, match=r"recipe not found: 'nope' .*packaged: .*fineweb"):
        load_recipe("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(RecipeError, match="not valid YAML"):
        load_recipe(str(bad))
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("name: t\nversion: '1'\nrules:\n  - {name: a/b, version: '1', column: c, op: gte, value: 1}\n")
    with pytest.raises(RecipeError, match=rf"invalid recipe {unknown}:\n  rule #1 'a/b': unknown op 'gte'"):
        load_recipe(str(unknown))


def test_to_rule_refuses_what_decisions_rule_cannot_express() -> None:
    with pytest.raises(ValueError, match="overrides"):
        RecipeRule("a/b", "1", "c", "gt", 1, {"fr": 2}).to_rule()
    with pytest.raises(ValueError, match="not_in"):
        RecipeRule("a/b", "1", "c", "not_in", ("x",)).to_rule()


def test_null_drops_makes_a_null_fail_and_keeps_old_hashes() -> None:
    plain = _recipe({"name": "a/b", "version": "1", "column": "x", "op": "eq", "value": True})
    strict = _recipe({"name": "a/b", "version": "1", "column": "x", "op": "eq", "value": True, "null_drops": True})
    assert not plain.rules[0].fails({"x": None}) and strict.rules[0].fails({"x": None})
    assert strict.rules[0].fails({"x": True}) and not strict.rules[0].fails({"x": False})
    assert strict.rules[0].fails({"x": float("nan")})
    assert plain.hash == _recipe({"name": "a/b", "version": "1", "column": "x", "op": "eq", "value": True,
                                  "null_drops": False}).hash != strict.hash  # fmt: skip
    assert "(or null)" in strict.table()
    with pytest.raises(RecipeError, match="null_drops must be true or false"):
        _recipe({"name": "a/b", "version": "1", "column": "x", "op": "eq", "value": True, "null_drops": "yes"})
    with pytest.raises(ValueError, match="null_drops"):
        strict.rules[0].to_rule()
    clean = load_recipe("copyright-clean")
    assert clean.rules[0].name == "rights/not_checked" and clean.rules[0].null_drops
    assert [r.null_drops for r in clean.rules[1:]] == [False] * (len(clean.rules) - 1)
