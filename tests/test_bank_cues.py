"""No surface cue gives the key away (course spec section 10, issue 20).

A guesser that reads only the four choices, with no knowledge of the subject, must not beat the
limits of section 10 on the whole bank (hand-written and generated items):

- "the most central choice": mean character-bigram similarity of each choice to the other three,
  measured two ways (set Jaccard, as the before-stop hook does, and Dice over bigram counts); the
  key is that choice in at most 30 % of the items (ties share the credit);
- "the middle value": on items whose choices are single numbers, a guesser picking one of the two
  middle values wins at most 30 % (chance: 25 %);
- length: the key is the shortest, or neither the shortest nor the longest ("middle length"), in at
  most 30 % of the guesses (tests/test_bank.py checks the longest).

Also: every item carries a level (기본 / 심화) and a type (개념 / 계산 / 코드). Run with ``-s`` for
the figures. Each measure is shown to fail on a bank built the convergent way (every distractor =
the key plus one edit).
"""

import collections
import re

from lib.course import bank, quiz

LIMIT = 0.30


def _raw_bank() -> list:
    return [raw for chapter in quiz.chapters_in_bank() for raw in quiz.raw_items(chapter)]


RAW = _raw_bank()


# ---------------------------------------------------------------- the measures


def bigrams(text: str) -> collections.Counter:
    t = re.sub(r"\s+", "", str(text))
    return collections.Counter(t[i:i + 2] for i in range(len(t) - 1)) or collections.Counter([t])


def jaccard(a: str, b: str) -> float:
    x, y = set(bigrams(a)), set(bigrams(b))
    return len(x & y) / max(1, len(x | y))


def dice(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return 2 * sum((x & y).values()) / max(1, sum(x.values()) + sum(y.values()))


def central_credit(choices, answer: int, similarity) -> float:
    """1 if the key is the choice most similar to the other three (1/k for a k-way tie), else 0."""
    score = [sum(similarity(choices[i], choices[j]) for j in range(4) if j != i) for i in range(4)]
    best = [i for i in range(4) if score[i] == max(score)]
    return (answer in best) / len(best)


def central_rate(items, similarity) -> float:
    return sum(central_credit(r["choices"], r["answer"], similarity) for r in items) / len(items)


NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(개)?\s*$")


def numeric_values(choices):
    """The four numbers when every choice is one number (optionally '개'), else None."""
    found = [NUMBER.match(c) for c in choices]
    return [float(m.group(1)) for m in found] if all(found) else None


def middle_credit(choices, answer: int) -> float | None:
    """What 'pick one of the two middle values' wins on this item (None: not a numeric item)."""
    values = numeric_values(choices)
    if values is None:
        return None
    order = sorted(range(4), key=lambda i: values[i])
    return 0.5 * (answer in order[1:3])


def middle_rate(items) -> tuple:
    credits = [c for c in (middle_credit(r["choices"], r["answer"]) for r in items) if c is not None]
    return (sum(credits) / len(credits) if credits else 0.0), len(credits)


def length_rates(items) -> dict:
    """Expected wins of 'pick the shortest' and 'pick one of the choices that are neither the
    shortest nor the longest' (ties split)."""
    short = middle = 0.0
    for r in items:
        lengths = [len(c) for c in r["choices"]]
        shortest = [i for i in range(4) if lengths[i] == min(lengths)]
        inner = [i for i in range(4) if min(lengths) < lengths[i] < max(lengths)] or list(range(4))
        short += (r["answer"] in shortest) / len(shortest)
        middle += (r["answer"] in inner) / len(inner)
    return {"shortest": short / len(items), "middle length": middle / len(items)}


# ---------------------------------------------------------------- level and type


def test_every_item_has_a_level_and_a_type():
    missing = [r["id"] for r in RAW if r.get("level") not in bank.LEVELS or r.get("type") not in bank.TYPES]
    assert not missing, f"items without a valid level/type: {missing}"
    loaded = quiz.load_items()
    assert all(item.level in bank.LEVELS and item.type in bank.TYPES for item in loaded)
    counts = collections.Counter((r["level"], r["type"]) for r in RAW)
    print(f"\nlevel x type: {dict(sorted(counts.items()))}")
    assert {t for _, t in counts} == set(bank.TYPES) and {lv for lv, _ in counts} == set(bank.LEVELS)


def test_keras_internals_and_long_hand_calculations_are_advanced():
    by_id = {r["id"]: r for r in RAW}
    # named by content-review-3 (part B section 3): Keras/engineering trivia and long calculations
    for item_id in ("10-2", "10-4", "10-6", "10-7", "10-16", "10-17", "09-12", "06-g1", "07-g4", "09-g3"):
        assert by_id[item_id]["level"] == "심화", item_id
    # exp, tanh, ln or square roots worked out by hand (too long for ~43 s an item)
    for item_id in ("01-g4", "01-g5", "04-g3", "05-g1", "05-g2", "07-g3"):
        assert by_id[item_id]["level"] == "심화", item_id
    assert sum(r["level"] == "기본" for r in RAW) >= 0.75 * len(RAW)  # the exam's core stays the bulk


def test_validator_rejects_an_unknown_level_or_type():
    good = dict(RAW[0])
    assert not quiz.validate_item(good)
    assert any("level" in p for p in quiz.validate_item({**good, "level": "중급"}))
    assert any("type" in p for p in quiz.validate_item({**good, "type": "암기"}))


# ---------------------------------------------------------------- the cues on the whole bank


def test_most_central_choice_wins_at_most_30_percent():
    hand = [r for r in RAW if "generated" not in r]
    generated = [r for r in RAW if "generated" in r]
    rows = {name: (central_rate(RAW, sim), central_rate(hand, sim), central_rate(generated, sim))
            for name, sim in (("bigram Jaccard", jaccard), ("bigram Dice", dice))}
    for name, (whole, h, g) in rows.items():
        print(f"\nmost central choice ({name}): {whole:.1%} of {len(RAW)} (hand-written {h:.1%}, generated {g:.1%})")
    assert all(whole <= LIMIT for whole, _, _ in rows.values()), rows


def test_middle_value_wins_at_most_30_percent_of_numeric_items():
    rate, n = middle_rate(RAW)
    print(f"\nmiddle numeric value: {rate:.1%} of {n} numeric items (chance 25%)")
    assert n >= 10 and rate <= LIMIT


def test_length_rank_is_no_cue():
    rates = length_rates(RAW)
    print("\nlength cues: " + ", ".join(f"{k} {v:.1%}" for k, v in rates.items()))
    assert max(rates.values()) <= LIMIT, rates


def test_before_stop_hook_measure_agrees():
    """The hook's own formula (set Jaccard of bigrams, whitespace removed, ties split) on the
    hand-written files it reads."""
    hand = [r for r in RAW if "generated" not in r]
    assert central_rate(hand, jaccard) <= LIMIT
    # and its longest-choice count, where a key tied for longest counts as a win
    tied_or_longest = sum(len(r["choices"][r["answer"]]) == max(map(len, r["choices"])) for r in hand)
    print(f"\nkey among the longest (ties count, as in the hook): {tied_or_longest}/{len(hand)}")
    assert tied_or_longest <= LIMIT * len(hand)


# ---------------------------------------------------------------- the measures can fail


def _convergent_item(key: str, edits) -> dict:
    """Every distractor = the key with one small edit: the shape section 10 forbids."""
    choices = [key.replace(a, b, 1) for a, b in edits]
    choices.insert(1, key)
    return {"choices": choices, "answer": 1}


def test_centrality_measure_catches_convergent_distractors():
    items = [
        _convergent_item("GRU는 리셋·업데이트 게이트 두 개, LSTM은 입력·망각·출력 게이트 세 개를 쓴다",
                         [("리셋", "입력"), ("업데이트", "망각"), ("출력", "후보")]),
        _convergent_item("(8, 10, 90)", [("8", "12"), ("10", "12"), ("90", "64")]),
        _convergent_item("인코더가 입력을 문맥 벡터로 요약하고, 디코더가 출력 시퀀스를 만든다",
                         [("인코더가", "디코더가"), ("요약하고", "나누고"), ("출력", "입력")]),
    ]
    assert central_rate(items, jaccard) > LIMIT and central_rate(items, dice) > LIMIT


def test_length_measure_catches_keys_of_middle_length():
    items = [{"choices": ["짧다", "중간 길이", "중간 길이다", "가장 긴 보기이다"], "answer": a} for a in (1, 2)]
    assert length_rates(items)["middle length"] == 0.5


def test_middle_value_measure_catches_keys_placed_in_the_middle():
    items = [{"choices": ["10", "20", "30", "40"], "answer": 1}, {"choices": ["0.5개", "3개", "2개", "9개"], "answer": 1}]
    rate, n = middle_rate(items)
    assert n == 2 and rate == 0.5
    assert middle_credit(["[1, 2]", "3", "4", "5"], 1) is None  # not every choice is one number
