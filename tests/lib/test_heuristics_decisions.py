"""compute_signals (the one entry point) and the FineWeb decision rules."""

from __future__ import annotations

import pytest

from crawlforge.lib.heuristics import FINEWEB_RULES, SIGNAL_COLUMNS, Rule, SignalResources, compute_signals, decide
from crawlforge.lib.heuristics.decisions import rules_table
from crawlforge.lib.heuristics.url_filter import UrlFilterLists


GOOD = (
    "The river flows through the old town and past the mill that was built in 1820. "
    "Its water was used to grind grain for the farms of the valley, and the wheel still turns today. "
    "Visitors can walk along the bank to the bridge, where a small museum tells the story of the town. "
    "The museum is open every day except Monday, and entry is free for children under twelve. "
    "In summer the town holds a market on the square with local cheese, bread and honey from the hills. "
    "Many families have lived here for generations and they are proud of the history of their home."
)


def test_columns_are_stable_for_any_input() -> None:
    for text, url, lang in [(GOOD, "https://example.com/a", "en"), ("", None, "en"), ("我爱北京。", None, "zh_Hans")]:
        signals = compute_signals(text, url, lang)
        assert tuple(signals) == tuple(SIGNAL_COLUMNS)
        assert all(v is None or isinstance(v, (bool, int, float, str)) for v in signals.values())
    assert len(SIGNAL_COLUMNS) == len(set(SIGNAL_COLUMNS)) == 71
    prefixes = {c.split("_", 1)[0] for c in SIGNAL_COLUMNS}
    assert prefixes == {"doc", "url", "gopher", "c4", "fineweb", "rps"}


def test_good_document_is_kept() -> None:
    signals = compute_signals(GOOD, "https://example.com/history/mill", "en")
    assert signals["gopher_non_symbol_words"] == 106  # the whitespace words; "," and "." tokens are symbol words
    assert signals["c4_num_sentences"] == 6
    assert decide(signals).keep, decide(signals)


def test_fineweb_signals_see_the_text_c4_left() -> None:
    lines = [f"Sentence number {i} is here." for i in range(6)] + ["Please enable javascript now."] * 3
    signals = compute_signals("\n".join(lines), None, "en")
    assert signals["c4_lines"] == 9
    assert signals["c4_lines_javascript"] == 3
    assert signals["fineweb_lines"] == 6  # the three javascript lines are gone, so no duplicated line either
    assert signals["fineweb_char_dup_ratio"] == 0.0
    assert signals["gopher_dup_line_frac"] == 2 / 9  # Gopher runs before C4 and still sees them


@pytest.mark.parametrize(
    ("text", "url", "first"),
    [
        (GOOD, "https://example.com/free-porn", "url_filter/hard_blacklisted"),
        ("", None, "gopher_rep/empty"),
        ("\n\n".join([GOOD] * 3), None, "gopher_rep/dup_para_frac"),
        (GOOD[:200], None, "gopher_qual/gopher_short_doc"),
        (GOOD + " " + " ".join(f"#tag{i}" for i in range(30)), None, "gopher_qual/gopher_too_many_hashes"),
        (GOOD + "\nlorem ipsum dolor sit amet.", None, "c4_quality/lorem_ipsum"),
        (GOOD + "\nconst x = { a: 1 };", None, "c4_quality/curly_bracket"),
        (GOOD.replace(". ", ", "), None, "c4_quality/too_few_sentences"),
        (GOOD.replace(". ", ".\n"), None, "fineweb_qual/char_dup_ratio"),
    ],
)
def test_first_failing_rule(text: str, url: str | None, first: str) -> None:
    if first == "fineweb_qual/char_dup_ratio":
        text = text + "\nThe river flows through the old town and past the mill that was built in 1820."
    decision = decide(compute_signals(text, url, "en"))
    assert not decision.keep
    assert decision.first_failing_rule == first
    assert decision.all_failing_rules[0] == first


def test_domain_blocklist_from_resources() -> None:
    lists = UrlFilterLists.fineweb()
    res = SignalResources(
        url_lists=UrlFilterLists(domains=frozenset({"example.com"}), banned_words=lists.banned_words)
    )
    decision = decide(compute_signals(GOOD, "https://www.example.com/x", "en", resources=res))
    assert decision.first_failing_rule == "url_filter/domain"


def test_rule_semantics() -> None:
    rule = Rule(name="f/r", version="1", column="x", op="gt", threshold=0.5)
    assert rule.fails({"x": 0.6})
    assert not rule.fails({"x": 0.5})
    assert not rule.fails({"x": None})  # undefined statistics never drop
    with pytest.raises(KeyError, match="needs signal column 'x'"):
        rule.fails({})
    both = [rule, Rule(name="g/s", version="1", column="y", op="eq", threshold="bad")]
    assert decide({"x": 1.0, "y": "bad"}, both).all_failing_rules == ("f/r", "g/s")
    assert decide({"x": 0.0, "y": "ok"}, both).keep


def test_fineweb_rule_table() -> None:
    names = [r.name for r in FINEWEB_RULES]
    assert len(names) == len(set(names)) == 38
    assert {r.column for r in FINEWEB_RULES} <= set(SIGNAL_COLUMNS)
    assert [r.filter for r in FINEWEB_RULES] == sorted(
        (r.filter for r in FINEWEB_RULES),
        key=["url_filter", "gopher_rep", "gopher_qual", "c4_quality", "fineweb_qual"].index,
    )
    table = rules_table()
    assert table[0] == {
        "name": "url_filter/domain",
        "version": "1",
        "filter": "url_filter",
        "column": "url_domain_blocked",
        "op": "eq",
        "threshold": True,
    }
    by_name = {r["name"]: (r["column"], r["op"], r["threshold"]) for r in table}
    assert by_name["gopher_qual/gopher_short_doc"] == ("gopher_non_symbol_words", "lt", 50)
    assert by_name["fineweb_qual/line_punct_ratio"] == ("fineweb_line_punct_ratio", "lt", 0.12)
    assert by_name["gopher_rep/duplicated_10_n_grams"] == ("gopher_dup_10gram_char_frac", "gt", 0.10)
