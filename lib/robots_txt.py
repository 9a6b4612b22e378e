"""robots.txt rules for AI crawlers, as RFC 9309 (Robots Exclusion Protocol) defines them (pure Python).

Why not :mod:`urllib.robotparser`: it applies the first matching rule in file order and knows no ``*`` / ``$``
wildcards, where RFC 9309 (and Google, whose parser is the reference implementation) uses the *longest* matching
path, ``allow`` winning a tie. A site that writes ``Disallow: /`` then ``Allow: /public/`` means the opposite of
what first-match reads.

Semantics implemented (RFC 9309 section 2):

* a group is one or more ``user-agent`` lines followed by ``allow`` / ``disallow`` rules; consecutive
  ``user-agent`` lines share the rules that follow; other records (``sitemap``, ``crawl-delay``) do not end a group;
* a crawler obeys the groups whose product token equals its own (case-insensitive), all of them merged; when none
  names it, the ``*`` groups; when there is no ``*`` group either, everything is allowed;
* of the rules of the obeyed groups, the one with the longest matching path wins; on a tie ``allow`` wins; an empty
  ``disallow`` value allows everything; ``*`` matches any run of characters, a final ``$`` anchors the end;
* lines are split at ``#`` (comments), keys are case-insensitive, unknown keys are ignored, at most
  :data:`MAX_BYTES` (500 KiB, the RFC's minimum a parser must read) are parsed.

Paths are compared as the crawler would request them: the URL's path and query, percent-encoding normalised the
same way on both sides (unreserved characters decoded, the rest upper-cased).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


__all__ = ["DEFAULT_AI_AGENTS", "MAX_BYTES", "RobotsTxt", "parse_robots_txt", "request_path", "robots_for_status"]

MAX_BYTES = 500 * 1024
DEFAULT_AI_AGENTS: tuple[str, ...] = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "anthropic-ai",
    "ClaudeBot",
    "Claude-Web",
    "PerplexityBot",
    "Applebot-Extended",
    "Bytespider",
    "cohere-ai",
    "Meta-ExternalAgent",
    "Amazonbot",
    "Diffbot",
    "omgili",
    "Timpibot",
)
"""Product tokens of crawlers that collect AI training data (the operators' published user agents)."""

_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalise(path: str) -> str:
    """Decode percent-escapes of unreserved characters, upper-case the others (RFC 3986 section 6.2.2)."""

    def fix(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED_CHARS else "%" + m.group(1).upper()

    return _UNRESERVED.sub(fix, path)


def request_path(url: str) -> str:
    """The path and query a crawler requests for ``url`` (``/`` when the path is empty)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "/"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _normalise(path)


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    path: str
    pattern: re.Pattern[str] | None  # None: a plain prefix

    def match_length(self, path: str) -> int:
        """Length of the rule's path when it matches ``path`` (the RFC's priority), else -1."""
        if self.pattern is None:
            return len(self.path) if path.startswith(self.path) else -1
        return len(self.path) if self.pattern.match(path) else -1


def _rule(allow: bool, value: str) -> _Rule:
    value = _normalise(value)
    if "*" not in value and not value.endswith("$"):
        return _Rule(allow, value, None)
    anchored = value.endswith("$")
    body = value[:-1] if anchored else value
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return _Rule(allow, value, re.compile(regex + ("$" if anchored else "")))


@dataclass(slots=True)
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[_Rule] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RobotsTxt:
    """The parsed groups of one robots.txt: agent (lower case) -> its rules (merged over groups)."""

    groups: dict[str, tuple[_Rule, ...]]

    def rules_for(self, agent: str) -> tuple[_Rule, ...] | None:
        """The rules a crawler with product token ``agent`` obeys (None: no group applies, all allowed)."""
        key = agent.lower()
        if key in self.groups:
            return self.groups[key]
        return self.groups.get("*")

    def names(self, agent: str) -> bool:
        """True when a group names ``agent`` itself (not only through ``*``)."""
        return agent.lower() in self.groups

    def allowed(self, agent: str, path: str) -> bool:
        """RFC 9309: may ``agent`` fetch ``path`` (a request path, see :func:`request_path`)?"""
        rules = self.rules_for(agent)
        if not rules:
            return True
        if path == "/robots.txt":
            return True
        best_len, best_allow = -1, True
        for r in rules:
            if r.allow is False and not r.path:  # "Disallow:" (empty) allows everything
                continue
            n = r.match_length(path)
            if n > best_len or (n == best_len and n >= 0 and r.allow):
                best_len, best_allow = n, r.allow
        return best_allow if best_len >= 0 else True

    def disallowed_agents(self, agents: Iterable[str], path: str) -> list[str]:
        """The ``agents`` that may not fetch ``path``, in the given order."""
        return [a for a in agents if not self.allowed(a, path)]

    def compact(self, agents: Iterable[str]) -> str:
        """A robots.txt with only the groups that decide for ``agents`` (theirs and ``*``), one group per agent.

        ``parse_robots_txt(r.compact(agents))`` answers :meth:`allowed` exactly as ``r`` for those agents, in a few
        hundred bytes where the original can be 500 KiB (the per-host table stores this).
        """
        keys = [k for k in dict.fromkeys([*(a.lower() for a in agents), "*"]) if k in self.groups]
        lines: list[str] = []
        for key in keys:
            lines.append(f"User-agent: {key}")
            rules = self.groups[key] or (_rule(False, ""),)  # an empty group still overrides "*"
            lines += [f"{'Allow' if r.allow else 'Disallow'}: {r.path}" for r in rules]
            lines.append("")
        return "\n".join(lines)


def _lines(body: bytes | str) -> Iterable[str]:
    body = body[:MAX_BYTES].decode("utf-8", "replace") if isinstance(body, bytes) else body[:MAX_BYTES]
    if body.startswith("\ufeff"):
        body = body[1:]
    return body.splitlines()


def parse_robots_txt(body: bytes | str | None) -> RobotsTxt:
    """Parse a robots.txt body (bytes are read as UTF-8); never raises; ``None`` gives an empty file."""
    groups: list[_Group] = []
    current: _Group | None = None
    in_agents = False
    for raw in _lines(body or b""):
        line = raw.split("#", 1)[0].strip()
        key, colon, value = line.partition(":")
        if not colon:
            continue
        key, value = key.strip().lower(), value.strip()
        if key in ("user-agent", "useragent", "user agent"):
            if current is None or not in_agents:
                current = _Group()
                groups.append(current)
            # the product token: up to the first "/" or space ("Googlebot/2.1" -> "googlebot")
            token = re.split(r"[/\s]", value, maxsplit=1)[0].lower() if value else ""
            if token:
                current.agents.append(token)
            in_agents = True
        elif key in ("allow", "disallow"):
            in_agents = False
            if current is not None:
                current.rules.append(_rule(key == "allow", value))
        else:
            # sitemap, crawl-delay, host...: not group members, and they do not end the agent list either
            continue
    merged: dict[str, list[_Rule]] = {}
    for g in groups:
        for agent in g.agents:
            merged.setdefault(agent, []).extend(g.rules)
    return RobotsTxt({a: tuple(r) for a, r in merged.items()})


DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def robots_for_status(status: int | None, body: bytes | str | None) -> RobotsTxt:
    """The rules a fetch of robots.txt gives (RFC 9309 2.3.1): a 4xx allows everything ("unavailable"), a 5xx
    disallows everything ("unreachable"); any other status (200, or unknown) is parsed."""
    if status is not None and 400 <= status < 500:
        return RobotsTxt({})
    if status is not None and status >= 500:
        return parse_robots_txt(DISALLOW_ALL)
    return parse_robots_txt(body)
