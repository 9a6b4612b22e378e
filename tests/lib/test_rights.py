"""Licence, opt-out and TDM evidence (lib/rights.py) and robots.txt rules (lib/robots_txt.py): real pages from the
shared fixtures, the labelled set, and hand-made edge cases (conflicts, malformed meta, header vs meta)."""

from __future__ import annotations

import gzip

import pytest

from crawlforge.lib.rights import classify_licence_url, page_rights, parse_robots_directives
from crawlforge.lib.robots_txt import DEFAULT_AI_AGENTS, parse_robots_txt, request_path
from crawlforge.lib.warc_reader import ReadOptions, read_local_file
from tests.lib.rights_labelled import HARD_NEGATIVES, HELD_OUT, LICENCES, NOAI, held_out_pages, label, pages


AGENTS = DEFAULT_AI_AGENTS


def _page(shared_data, page: str) -> bytes:
    return gzip.decompress((shared_data / "extraction" / page).read_bytes())


# --------------------------------------------------------------------------------------------------
# licence URLs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://creativecommons.org/licenses/by-sa/4.0/", ("cc-by-sa", "4.0")),
        ("http://creativecommons.org/licenses/by-nc-nd/3.0/us/", ("cc-by-nc-nd", "3.0")),
        ("//creativecommons.org/licenses/by/2.5", ("cc-by", "2.5")),
        ("https://creativecommons.org/licenses/by-sa/4.0/deed.en", ("cc-by-sa", "4.0")),
        ("https://i.creativecommons.org/l/by/3.0/80x15.png", ("cc-by", "3.0")),
        ("https://creativecommons.org/publicdomain/zero/1.0/", ("cc0", "1.0")),
        ("https://creativecommons.org/publicdomain/mark/1.0/", ("pdm", "1.0")),
        ("HTTPS://CreativeCommons.org/Licenses/BY-NC/4.0/", ("cc-by-nc", "4.0")),
        ("https://www.gnu.org/copyleft/fdl.html", ("gfdl", None)),
        ("https://creativecommons.org/publicdomain/", None),
        ("http://creativecommons.org/ns#", None),
        ("https://example.com/licenses/by/4.0/", None),
    ],
)
def test_classify_licence_url(url, expected):
    assert classify_licence_url(url) == expected


# --------------------------------------------------------------------------------------------------
# real pages


def test_real_pages_with_licence_links(shared_data):
    pan = _page(shared_data, next(p for p, v in LICENCES.items() if v == "cc-by-3.0"))
    r = page_rights(pan, ai_agents=AGENTS)
    assert (r.licence, r.licence_source, r.licence_class, r.permissive, r.open) == (
        "cc-by-3.0", "rel", "permissive", True, True)  # fmt: skip
    assert r.licence_urls[0] == "https://creativecommons.org/licenses/by/3.0/"

    wiki = page_rights(_page(shared_data, "wcxb-dev-sample/html/2905.html.gz"))
    assert (wiki.licence, wiki.licence_class, wiki.permissive, wiki.open) == (
        "cc-by-sa-4.0", "share_alike", False, True)  # fmt: skip
    rdf = page_rights(_page(shared_data, "wcxb-dev-sample/html/2660.html.gz"))
    assert (rdf.licence, rdf.licence_source, rdf.open) == ("cc-by-nc-sa-2.0", "rdf", False)
    # Stack Exchange: per-post licences in URL-encoded data attributes, versions 2.5 and 4.0: the type, no version
    se = page_rights(_page(shared_data, "wcxb-dev-sample/html/0172.html.gz"))
    assert (se.licence, se.licence_version, se.licence_conflict) == ("cc-by-sa", None, False)
    gfdl = page_rights(_page(shared_data, "wcxb-dev-sample/html/2879.html.gz"))
    assert (gfdl.licence, gfdl.licence_source) == ("gfdl", "rel")


def test_hard_negatives_have_no_licence(shared_data):
    for page in HARD_NEGATIVES:
        r = page_rights(_page(shared_data, page), ai_agents=AGENTS)
        assert r.licence == "none", (page, r.evidence)


def test_labelled_set_precision_recall(shared_data):
    """Regression guard for benchmarks/rights_quality.py (measured: 27/29 found, no false positive)."""
    tp = fp = fn = 0
    for page in pages(shared_data):
        got = page_rights(_page(shared_data, page), ai_agents=AGENTS)
        want = label(page)
        if got.licence != "none" and got.licence == want:
            tp += 1
        else:
            fp += got.licence != "none"
            fn += want != "none"
        assert got.noai == (page in NOAI), page
    assert len(pages(shared_data)) == 531
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.9, (tp, fp, fn)


def test_held_out_warc_pages(shared_data):
    """The HTML records of the shared WARC fixtures, labelled before the detector first ran on them."""
    cases = held_out_pages(shared_data)
    assert len(cases) == 35
    for key, payload, headers, charset in cases:
        got = page_rights(payload, headers, charset, ai_agents=AGENTS)
        assert got.licence == HELD_OUT.get(key, "none"), key
        assert not got.noai and got.tdm_reservation is None


def test_real_noai_meta(shared_data):
    r = page_rights(_page(shared_data, next(iter(NOAI))), ai_agents=AGENTS)
    # three <meta name="robots"> tags: noai, noimageai, max-image-preview:large
    assert (r.noai, r.noimageai, r.optout_source) == (True, True, "meta")
    assert r.meta_robots == "noai; noimageai; max-image-preview:large"


# --------------------------------------------------------------------------------------------------
# hand-made edge cases


def _html(head: str = "", body: str = "") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def test_conflicting_licences_are_flagged_and_not_open():
    doc = _html(
        '<link rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">',
        '<a rel="license" href="https://creativecommons.org/licenses/by-nc/4.0/">CC BY-NC</a>',
    )
    r = page_rights(doc)
    assert r.licence_conflict and r.licence_class == "conflict" and not r.open and not r.permissive
    assert r.conflicts == ["licence"]
    cc = "https://creativecommons.org/licenses/"
    assert set(r.licence_urls) == {cc + "by-sa/4.0/", cc + "by-nc/4.0/"}
    # the same type in two versions is not a conflict: the type without a version
    same = page_rights(_html(
        '<link rel="license" href="https://creativecommons.org/licenses/by/3.0/">'
        '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">'))  # fmt: skip
    assert (same.licence, same.licence_conflict) == ("cc-by", False)


def test_rel_license_beats_text_and_text_needs_a_claim():
    doc = _html(
        '<link rel="license" href="https://creativecommons.org/publicdomain/zero/1.0/">',
        "<p>Photo: CC BY-NC 2.0 via Flickr.</p><p>Licensed under CC BY-NC-SA 3.0.</p>",
    )
    r = page_rights(doc)
    assert (r.licence, r.licence_class, r.licence_source, r.permissive) == ("cc0-1.0", "public_domain", "rel", True)
    assert not r.licence_conflict  # text evidence never makes a conflict
    text_only = page_rights(_html(body="<footer>Content licensed under CC BY-NC-SA 3.0.</footer>"))
    assert (text_only.licence, text_only.licence_source) == ("cc-by-nc-sa-3.0", "text")
    short = page_rights(_html(body="<p>Text available under Creative Commons BY-SA 3.0 unless noted.</p>"))
    assert short.licence == "cc-by-sa-3.0"
    mention = page_rights(_html(body="<p>Choose a licence such as CC BY 4.0 for your journal.</p>"))
    assert mention.licence == "none"
    hidden = page_rights(_html("<!-- licensed under CC BY 4.0 -->", "<style>/* licensed under CC BY */</style>"))
    assert hidden.licence == "none"


def test_hidden_parts_are_stripped_in_linear_time():
    import time

    hidden = page_rights(_html(body="İİ<SCRIPT>licensed under CC BY 4.0</Script><p>Licensed under CC BY-SA 4.0.</p>"))
    assert hidden.licence == "cc-by-sa-4.0"  # the script's text is not read, the paragraph after it is
    unclosed = page_rights(_html(body="<p>x</p><!-- licensed under CC BY 4.0"))
    assert unclosed.licence == "none"  # an unclosed comment runs to the end, as in a browser
    t0 = time.perf_counter()
    for doc in (b"<p>x</p><svg a=1>" * 20000, b"<a " * 300000, b"<p>a</p><!--" * 50000):
        assert page_rights(doc).licence == "none"
    assert time.perf_counter() - t0 < 5  # quadratic scanning took 26 s on the first one alone


def test_malformed_meta_and_links_do_not_break_parsing():
    doc = (
        b"<HTML><HEAD><META NAME=ROBOTS CONTENT=NOAI,NOIMAGEAI><meta name='tdm-reservation' content=' 1 '>"
        b'<meta name="robots"><meta content="x"><link rel=LICENSE href=//creativecommons.org/licenses/by/4.0>'
        b'<a href="https://creativecommons.org/licenses/by-sa/'  # an unterminated tag at the end
    )
    r = page_rights(doc, ai_agents=AGENTS)
    assert (r.noai, r.noimageai) == (True, True)
    assert (r.tdm_reservation, r.tdm_source, r.tdm_reserved) == (1, "meta", True)
    assert r.licence == "cc-by-4.0"
    assert page_rights(b"\xff\xfe\x00garbage<<<>>>").licence == "none"
    assert page_rights(None).licence == "none"
    bad = page_rights(_html('<meta name="tdm-reservation" content="yes">'))
    assert (bad.tdm_reservation, bad.tdm_malformed, bad.tdm_reserved) == (None, True, False)


def test_tdm_header_has_priority_over_meta():
    doc = _html('<meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="https://a.example/p.json">')
    r = page_rights(doc, headers={"tdm-reservation": "0"})
    assert (r.tdm_reservation, r.tdm_source, r.tdm_reserved, r.conflicts) == (0, "header", False, ["tdm"])
    assert r.tdm_policy == "https://a.example/p.json"
    h = page_rights(_html(), headers={"TDM-Reservation": "1", "tdm-policy": "https://b.example/policy"})
    assert (h.tdm_reservation, h.tdm_source, h.tdm_policy) == (1, "header", "https://b.example/policy")
    none = page_rights(_html())
    assert (none.tdm_reservation, none.tdm_source, none.tdm_reserved) == (None, None, False)


def test_x_robots_tag_and_agent_metas():
    assert parse_robots_directives("noindex, GPTBot: noai, noimageai") == {
        "*": {"noindex"}, "gptbot": {"noai", "noimageai"}}  # fmt: skip
    assert parse_robots_directives("unavailable_after: 2025-01-01") == {"*": {"unavailable_after"}}
    r = page_rights(_html(), headers={"x-robots-tag": "GPTBot: noai"}, ai_agents=AGENTS)
    assert (r.noai, r.optout_source, r.x_robots_tag) == (True, "header", "GPTBot: noai")
    other = page_rights(_html(), headers={"x-robots-tag": "bingbot: noai"}, ai_agents=AGENTS)
    assert not other.noai
    meta_agent = page_rights(_html('<meta name="CCBot" content="noai">'), ai_agents=AGENTS)
    assert meta_agent.noai and meta_agent.optout_source == "meta"
    both = page_rights(_html('<meta name="robots" content="noimageai">'), headers={"X-Robots-Tag": "noai"})
    assert (both.noai, both.noimageai, both.optout_source) == (True, True, "meta+header")
    plain = page_rights(_html('<meta name="robots" content="noindex, nofollow">'))
    assert (plain.noai, plain.meta_robots) == (False, "noindex, nofollow")


def test_link_header_licence():
    r = page_rights(_html(), headers={"link": '<https://creativecommons.org/licenses/by/4.0/>; rel="license", '
                                              '<https://x.example/>; rel="canonical"'})  # fmt: skip
    assert (r.licence, r.licence_source) == ("cc-by-4.0", "header")


# --------------------------------------------------------------------------------------------------
# robots.txt


def test_robots_txt_of_a_real_capture(shared_data):
    path = shared_data / "warc" / "non-cc" / "ia-web-commons-IAH-urls-wget.warc.gz"
    records, _ = read_local_file(str(path), "robots", ReadOptions(keep_mime_types=frozenset({"text/plain"})))
    body = next(r.payload for r in records if r.url.endswith("/robots.txt"))
    robots = parse_robots_txt(body)
    assert robots.allowed("GPTBot", "/details/something") and not robots.allowed("GPTBot", "/control/x")
    assert not robots.allowed("Teoma", "/report/") and robots.allowed("Teoma", "/details/goldenbull2007john/")
    assert robots.disallowed_agents(AGENTS, "/") == []


def test_robots_txt_rfc9309_semantics():
    robots = parse_robots_txt(
        "\ufeffUser-agent: GPTBot\nUser-agent: CCBot\nDisallow: /\nAllow: /public/\n\n"
        "user-agent: *  # everyone else\nsitemap: https://x.example/s.xml\ndisallow: /private\n"
        "allow: /private/open$\ndisallow: /*.pdf$\n\nUser-agent: Google-Extended/1.0\nDisallow:\n"
        "User-agent: ClaudeBot\nDisallow: /a\nUser-agent: anthropic-ai\nDisallow: /b\n"
        "User-agent: ClaudeBot\nDisallow: /c\n"
    )
    assert not robots.allowed("gptbot", "/") and robots.allowed("GPTBot", "/public/page")  # longest match
    assert not robots.allowed("CCBot", "/x") and robots.allowed("CCBot", "/robots.txt")
    assert not robots.allowed("SomeBot", "/private/x") and robots.allowed("SomeBot", "/private/open")
    assert not robots.allowed("SomeBot", "/private/open/more")  # $ anchors
    assert not robots.allowed("SomeBot", "/doc/a.pdf") and robots.allowed("SomeBot", "/doc/a.pdf?x=1")
    assert robots.allowed("Google-Extended", "/private")  # empty Disallow allows all; its own group, not *
    # ClaudeBot's two groups are merged; anthropic-ai's rule is its own
    assert not robots.allowed("ClaudeBot", "/a") and not robots.allowed("ClaudeBot", "/c")
    assert robots.allowed("ClaudeBot", "/b") and not robots.allowed("anthropic-ai", "/b")
    assert robots.disallowed_agents(["GPTBot", "CCBot", "Google-Extended", "PerplexityBot"], "/") == [
        "GPTBot", "CCBot"]  # fmt: skip
    # the compact form (what robots_hosts stores) decides exactly as the original for the agents it was made for
    agents = ["GPTBot", "CCBot", "Google-Extended", "ClaudeBot", "anthropic-ai", "PerplexityBot"]
    small = parse_robots_txt(robots.compact(agents))
    paths = ["/", "/public/page", "/x", "/private/x", "/private/open", "/private/open/more", "/doc/a.pdf", "/a", "/b"]
    assert all(small.allowed(a, p) == robots.allowed(a, p) for a in agents for p in paths)
    assert "SomeBot" not in robots.compact(agents) and len(robots.compact(agents)) < 300
    tie = parse_robots_txt("User-agent: *\nDisallow: /page\nAllow: /page\n")
    assert tie.allowed("x", "/page")  # allow wins a tie
    assert parse_robots_txt(None).allowed("GPTBot", "/") and parse_robots_txt(b"\x00\xff junk").allowed("a", "/")


def test_request_path():
    assert request_path("https://x.example") == "/"
    assert request_path("https://x.example/a%7eb/c%2f?q=1#frag") == "/a~b/c%2F?q=1"


# --------------------------------------------------------------------------------------------------
# the headers ingest keeps


def test_repeated_list_headers_are_joined():
    from crawlforge.lib.http_message import parse_http_response

    block = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Type: text/plain\r\nX-Robots-Tag: googlebot: noindex"
        b"\r\nX-Robots-Tag: GPTBot: noai\r\nTDM-Reservation: 1\r\n\r\n<html></html>"
    )
    http = parse_http_response(block)
    assert http.headers["content-type"] == "text/html"  # first value wins for single-valued headers
    assert http.headers["x-robots-tag"] == "googlebot: noindex, GPTBot: noai"
    assert page_rights(http.body, http.headers, ai_agents=AGENTS).noai


def test_warc_reader_keeps_the_configured_headers(shared_data):
    path = shared_data / "warc" / "cc" / "CC-MAIN-20220123045449-20220123075449-00355.mini.warc.gz"
    records, _ = read_local_file(str(path), "cc", ReadOptions(keep_headers=frozenset({"content-type", "server"})))
    assert records and all(r.http_headers is not None and set(r.http_headers) <= {"content-type", "server"}
                           for r in records)  # fmt: skip
    assert any("content-type" in r.http_headers for r in records)  # type: ignore[operator]
    default, _ = read_local_file(str(path), "cc")
    assert all(set(r.http_headers or {}) <= {"x-robots-tag", "tdm-reservation", "tdm-policy", "link"} for r in default)


def test_robots_status_semantics():
    from crawlforge.lib.robots_txt import robots_for_status

    body = b"User-agent: GPTBot\nDisallow: /\n"
    assert not robots_for_status(200, body).allowed("GPTBot", "/a")
    assert robots_for_status(None, body).disallowed_agents(AGENTS, "/") == ["GPTBot"]
    assert robots_for_status(404, body).disallowed_agents(AGENTS, "/a") == []  # unavailable: all allowed
    assert robots_for_status(503, b"").disallowed_agents(AGENTS, "/a") == list(AGENTS)  # unreachable: none
