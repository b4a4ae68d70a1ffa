"""Cheap checks on a query's text before any parser sees it: nesting depth and operator count.

pyoxigraph 0.5 parses and plans a query by recursion, and a deep enough recursion overflows the
thread's stack, which kills the whole process (SIGSEGV), not just the query. Measured with
pyoxigraph 0.5.13 on an empty store, 8 MiB stacks (the Linux default for every thread):

- nesting: 5,000 nested `{`, `(` or sub-SELECTs crash; so do 1,000 nested `EXISTS {}` or function
  calls. Nested blank nodes `[ ?p [ ?p … ] ]` and collections cost super-linear parse time:
  100 levels take 1-3 s, 200 levels 5-20 s (for a 2 KB query).
- flat chains (left-deep algebra): about 2,600 `BIND`s, `MINUS {}` or `(expr AS ?v)` crash;
  6,300 `UNION`s, 6,600 `+`, 9,400 `!`, `&&` or `FILTER`s, 10,000 triple patterns or `/` path
  steps crash too. The cheapest crash seen was `MINUS{}` repeated 2,600 times: 18 KB of text.

So a query is refused (400) when its brackets nest deeper than MAX_DEPTH or when it has more
than MAX_OPERATORS operators: brackets, keywords that chain patterns, punctuation that separates
triple patterns, and expression operators, counted outside strings, IRIs and comments. Each
crash above needs at least 5,200 of them (MINUS{} counts 2 a level, `+` 1), so the limits leave
a margin of 2.6 or more; at the limits nothing crashes and parsing takes under 0.4 s. No real
query comes near either: the named queries of this project nest at most 8 deep and have at most
160 operators.

What these limits do not bound is planning time, which grows about as the fourth power of the
number of joined patterns (64 patterns: 0.2 s, 100: 1.5 s, 200: 45 s, 300: 2 min, all inside
`store.query()`, before the first result). That is the query time limit's job, like any costly query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

from .errors import BadQuery

MAX_DEPTH = 64
MAX_OPERATORS = 2000

# Strings, IRIs and comments, as SPARQL's grammar reads them (§19.8): nothing inside them is syntax.
# A string's closing quote is optional here, so that one that never closes is read once to the end
# of its line (or of the query) and not again from every quote inside it, which takes quadratic
# time (a 32 KB query of `"\` repeated kept a core busy for 5 s); the group of a closing quote tells
# whether the string closed.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(""")?'
    r"|'''(?:[^'\\]|\\.|'(?!''))*(''')?"
    r'|"(?:[^"\\\n\r]|\\.)*(")?'
    r"|'(?:[^'\\\n\r]|\\.)*(')?"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.S,
)
_OPERATOR = re.compile(
    r"[{(\[]|&&|\|\||[!<>]=?|[=+*/|^,;.-]"
    r"|(?<![\w:?$])(?:UNION|MINUS|OPTIONAL|BIND|FILTER|AS|GRAPH|VALUES|SERVICE|EXISTS|SELECT)(?![\w:])",
    re.I,
)
_NOT_BRACKET = re.compile(r"[^{}()\[\]]+")
_STEP = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}


@dataclass(frozen=True, slots=True)
class Complexity:
    """How deep a query's brackets nest and how many operators it has."""

    depth: int
    operators: int


def mask(query: str) -> str:
    """Return the query with its strings, IRIs and comments blanked out; raise BadQuery for an open string."""
    return _OPAQUE.sub(_blank, query)


def _blank(match: re.Match[str]) -> str:
    if match.group(0)[0] in "\"'" and match.lastindex is None:
        line = match.string.count("\n", 0, match.start()) + 1
        raise BadQuery(f"a string that starts on line {line} never ends")
    return " "


def complexity(query: str) -> Complexity:
    """Return the nesting depth and operator count of a query's text, in linear time."""
    masked = mask(query)
    brackets = _NOT_BRACKET.sub("", masked)
    depth = max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
    operators = sum(1 for _ in _OPERATOR.finditer(masked))
    return Complexity(max(depth, 0), operators)


def check_complexity(query: str, max_depth: int = MAX_DEPTH, max_operators: int = MAX_OPERATORS) -> None:
    """Raise BadQuery when a query nests too deep or has too many operators to parse safely."""
    found = complexity(query)
    if found.depth > max_depth:
        raise BadQuery(f"the query nests brackets {found.depth} deep; this endpoint parses at most "
                       f"{max_depth} levels")
    if found.operators > max_operators:
        raise BadQuery(f"the query has {found.operators} operators, patterns and clauses; this endpoint "
                       f"parses at most {max_operators} (use VALUES for long lists of values)")
