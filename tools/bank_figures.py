"""The quiz bank's figures (course spec section 10), as README.md quotes them.

    python tools/bank_figures.py            # print the table
    python tools/bank_figures.py --readme   # ... and write it into README.md (between the BANK markers)

tests/test_bank.py asserts the spec's bounds on the same functions and that README.md's block is what this
tool writes now: a changed item makes the test fail until the README is regenerated.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import readme_block  # noqa: E402

from lib.course import bank, quiz  # noqa: E402

CHAPTER_MINIMUM = {"00": 6, **{f"{c:02d}": 15 for c in range(1, 11)}}
TOTAL_MINIMUM = 180
ABSOLUTE_WORDS = ("항상", "반드시", "절대", "모든")
KIND_NAMES = {"concept": "개념", "negative": "부정형", "code": "코드 읽기", "comparison": "비교", "plot": "그림 읽기",
              "experiment": "이 코스의 실험"}


def raw_bank() -> list:
    """Every item as raw data: the chapter files plus the generated items."""
    items = []
    for chapter in quiz.chapters_in_bank():
        items += quiz.raw_items(chapter)
    return items


def chapter_counts(items) -> dict:
    counts = collections.Counter(raw.get("chapter") for raw in items)
    return {chapter: counts.get(chapter, 0) for chapter in sorted(set(CHAPTER_MINIMUM) | set(counts))}


def longest_choice_rate(items) -> float:
    """Expected score of 'pick the longest choice' (ties broken at random)."""
    won = 0.0
    for raw in items:
        lengths = [len(c) for c in raw["choices"]]
        longest = [i for i, n in enumerate(lengths) if n == max(lengths)]
        won += (raw["answer"] in longest) / len(longest)
    return won / len(items)


def key_positions(items) -> list:
    counts = collections.Counter(raw["answer"] for raw in items)
    return [counts.get(p, 0) for p in range(4)]


def negative_share(items) -> float:
    return sum(raw.get("kind") == "negative" for raw in items) / len(items)


def absolute_rates(items):
    """(share of keys with an absolute word, share of distractors with one)."""
    has = lambda text: any(w in text for w in ABSOLUTE_WORDS)  # noqa: E731
    keys = sum(has(raw["choices"][raw["answer"]]) for raw in items)
    wrong = sum(has(c) for raw in items for i, c in enumerate(raw["choices"]) if i != raw["answer"])
    return keys / len(items), wrong / (3 * len(items))


def table(items) -> str:
    """The README's table (Markdown, ending with a newline); ``items`` = well-formed raw items."""
    counts = chapter_counts(items)
    generated = sum("generated" in raw for raw in items)
    positions = key_positions(items)
    in_keys, in_wrong = absolute_rates(items)
    negatives = collections.Counter(raw["chapter"] for raw in items if raw.get("kind") == "negative")
    per_chapter = [negatives.get(c, 0) for c in counts if counts[c]]
    kinds = collections.Counter(raw.get("kind", "?") for raw in items)
    levels = collections.Counter(raw.get("level", "?") for raw in items)
    types = collections.Counter(raw.get("type", "개념") for raw in items)
    rows = [
        "| | 값 | 기준 |",
        "|---|---|---|",
        f"| 문항 수 | {len(items)} ({', '.join(f'{c}: {n}' for c, n in counts.items())}) | ≥ {TOTAL_MINIMUM}, "
        "01–10은 장마다 ≥ 15, 00은 ≥ 6 |",
        f"| 수준 | 기본 {levels.get('기본', 0)}, 심화 {levels.get('심화', 0)} | 모의 기말은 기본만 |",
        f"| 생성한 숫자 문항 (lib/course/quizgen.py) | {generated} (마스크·소프트맥스·어텐션 가중치, RNN/LSTM/GRU 상태, 손실, 계층 정규화·위치 인코딩 값 등은 lib의 참조 구현이, 파라미터 수, 대부분의 "
        "모양과 몇몇 값(스케일된 점수, 점수 개수, 임베딩 배율)은 quizgen의 식이 정답을 계산; 오답 보기는 흔한 실수의 결과) | ≥ 30, 정답은 테스트가 lib 없이 따로 다시 계산(torch 모듈이나 직접 계산) |",
        f"| \"가장 긴 보기 고르기\"의 정답률 | {longest_choice_rate(items):.1%} | ≤ 30 % |",
        "| 정답 위치 (섞기 전) | " + ", ".join(f"{m} {n / len(items):.0%}" for m, n in zip(quiz.MARKS, positions))
        + " | 어느 위치도 > 30 % 아님 |",
        f"| 부정형(\"옳지 않은 것은?\") | {negative_share(items):.1%} (장마다 {min(per_chapter)}–{max(per_chapter)}문항) "
        "| ≥ 1/6 |",
        f"| 절대어({'/'.join(ABSOLUTE_WORDS)}) | 정답 보기 {in_keys:.1%}, 오답 보기 {in_wrong:.1%} | 양쪽에 비슷하게 |",
        "| 유형 (명세의 개념/계산/코드) | " + ", ".join(f"{t} {types.get(t, 0)}" for t in bank.TYPES) + " | 문항마다 하나 |",
        "| 묻는 방식 | " + ", ".join(f"{KIND_NAMES.get(k, k)} {kinds[k]}" for k in KIND_NAMES if kinds.get(k))
        + " | |",
    ]
    return "\n".join(rows) + "\n"


def current_table() -> str:
    return table([raw for raw in raw_bank() if not quiz.validate_item(raw)])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme", action="store_true", help="also write the table into README.md")
    args = parser.parse_args(argv)
    text = current_table()
    print(text, end="")
    if args.readme:
        readme_block.write("BANK", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
