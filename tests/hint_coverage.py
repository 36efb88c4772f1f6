"""How much of an exercise's answer each hint level gives away (used by tests/test_hints.py).

The answer is the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in
``solutions/NN_*.ipynb``, found under the top-level ``def``/``class`` whose name ends the exercise
id (``transformer.EncoderLayer`` -> ``class EncoderLayer`` in chapter 07's solution). Comments are
dropped. Both answer and hint become a list of identifiers and numbers (``self`` left out), and the
coverage of a hint is the longest common subsequence of the two lists divided by the length of the
answer's list: 1.0 means the hint names every identifier of the answer in the answer's order.

    from hint_coverage import ladder_coverage   # tests/ is on sys.path under pytest
    ladder_coverage(EXERCISES["attention.attend"])   # [0.1, 0.4, 0.76]: one number per level
"""

from __future__ import annotations

import functools
import re

from lib.course import notebooks

_TOKEN = re.compile(r"[A-Za-z_]\w*|\d+")
_TOP_LEVEL_NAME = re.compile(r"(?:def|class)\s+(\w+)")  # no indentation: methods do not count
IGNORED = {"self"}


def identifiers(text: str) -> list:
    """Identifiers and integer literals of ``text`` in order, without ``self`` ("x.sum(0)" -> [x, sum, 0])."""
    return [t for t in _TOKEN.findall(text) if t not in IGNORED]


def lcs_length(a: list, b: list) -> int:
    """Length of the longest common subsequence of two token lists (O(len(a) * len(b)))."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[-1]))
        previous = current
    return previous[-1]


def _solution_lines(source: str) -> dict:
    """{top-level def/class name: answer lines inside it} for one code cell, comments dropped.

    A trailing comment is cut at the first ``#`` (no answer has a ``#`` inside a string literal).
    """
    regions, name, inside = {}, None, False
    for line in source.split("\n"):
        match = _TOP_LEVEL_NAME.match(line)
        if match:
            name = match.group(1)
        stripped = line.strip()
        if stripped in (notebooks.BEGIN, notebooks.END):
            inside = stripped == notebooks.BEGIN
        elif inside and not stripped.startswith("#"):
            regions.setdefault(name, []).append(line.split("#")[0])
    return regions


@functools.lru_cache(maxsize=None)
def solution_regions() -> dict:
    """{(chapter "NN", def/class name): answer code} over every solved notebook."""
    regions = {}
    for path in sorted(notebooks.SOLUTIONS.glob("[0-9][0-9]_*.ipynb")):
        chapter = path.name[:2]
        for cell in notebooks.read(path).cells:
            if cell.cell_type == "code" and notebooks.BEGIN in cell.source:
                for name, lines in _solution_lines(cell.source).items():
                    regions.setdefault((chapter, name), []).extend(lines)
    return {key: "\n".join(lines) for key, lines in regions.items()}


def answer_identifiers(exercise) -> list:
    """Identifiers of the exercise's answer (empty if its solution has no marked region)."""
    name = exercise.id.rsplit(".", 1)[-1]
    return identifiers(solution_regions().get((exercise.chapter, name), ""))


def coverage(hint_text: str, answer: list) -> float:
    """Share of ``answer``'s identifiers that ``hint_text`` names in the same order (0..1)."""
    return lcs_length(answer, identifiers(hint_text)) / len(answer) if answer else 0.0


def ladder_coverage(exercise) -> list:
    """Coverage of the answer by each hint level of ``exercise``, first level first."""
    answer = answer_identifiers(exercise)
    return [coverage(text, answer) for text in exercise.hints]
