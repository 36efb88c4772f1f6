"""A surface-cue guesser for the quiz bank: reads only the stem and the four choices, knows nothing
of the subject, and reports how often each cue picks the key (issue 20's independence check).

Written from generic test-wiseness ideas, not from the bank test's measures (tests/test_bank_cues.py):
length, centrality under three text similarities the test does not use (cosine of character bigram
counts, word overlap, character trigram sets), the odd one out, numeric position (middle, largest,
smallest), overlap with the stem, hedges and absolutes, and for "옳지 않은 것" stems the same cues
reversed. Finally a combined guesser picks, for each item group (numeric / negative stem / other),
the cue that did best on a random half of the bank and is scored on the other half (averaged over
many splits), which is how a guesser tuned on past exams would do on a new one.

    python tools/cue_guesser.py            # table of cue rates on the whole bank
    python tools/cue_guesser.py --items    # also the items each of the three strongest cues wins

Chance is 25 %. Ties are split (a cue that ranks k choices first wins 1/k when the key is among them).
"""

import argparse
import collections
import math
import pathlib
import random
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

NEGATIVE = ("않은", "아닌", "틀린", "않는", "없는")
HEDGES = ("수 있", "주로", "대체로", "흔히", "보통", "대개", "일 뿐", "가장", "다만", "거의")
ABSOLUTES = ("항상", "반드시", "절대", "모든", "언제나", "오직", "전혀", "결코", "무조건", "어느 ")
NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(개)?\s*$")


def _grams(text, n):
    t = re.sub(r"\s+", "", text)
    return collections.Counter(t[i:i + n] for i in range(max(1, len(t) - n + 1)))


def _cosine(a, b):
    dot = sum(a[k] * b[k] for k in a.keys() & b.keys())
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()) or 1)


def _words(text):
    return set(re.findall(r"[0-9A-Za-z_가-힣]+", text))


def _overlap(a, b):
    return len(a & b) / max(1, min(len(a), len(b)))


def _trigram_set(text):
    return set(_grams(text, 3))


def _jaccard(a, b):
    return len(a & b) / max(1, len(a | b))


def centrality(choices, kind):
    if kind == "cosine2":
        vecs = [_grams(c, 2) for c in choices]
        sim = _cosine
    elif kind == "words":
        vecs = [_words(c) for c in choices]
        sim = _overlap
    else:
        vecs = [_trigram_set(c) for c in choices]
        sim = _jaccard
    return [sum(sim(vecs[i], vecs[j]) for j in range(4) if j != i) for i in range(4)]


def numbers(choices):
    found = [NUMBER.match(c) for c in choices]
    return [float(m.group(1)) for m in found] if all(found) else None


def credit(scores, answer, pick_max=True):
    """Expected win of 'pick the choice with the best score' (ties split); None = cue abstains."""
    if scores is None:
        return None
    best = max(scores) if pick_max else min(scores)
    top = [i for i, s in enumerate(scores) if s == best]
    return (answer in top) / len(top)


def cues(item):
    """{cue name: credit or None} for one item."""
    choices, answer, stem = item["choices"], item["answer"], item["question"]
    out = {
        "longest": credit([len(c) for c in choices], answer),
        "shortest": credit([len(c) for c in choices], answer, pick_max=False),
    }
    for kind in ("cosine2", "words", "trigram"):
        scores = centrality(choices, kind)
        out[f"central:{kind}"] = credit(scores, answer)
        out[f"odd-one-out:{kind}"] = credit(scores, answer, pick_max=False)
    stem_words = _words(stem)
    out["overlaps stem"] = credit([len(_words(c) & stem_words) for c in choices], answer)
    out["has hedge"] = credit([sum(h in c for h in HEDGES) for c in choices], answer)
    out["no absolute"] = credit([-sum(a in c for a in ABSOLUTES) for c in choices], answer)
    values = numbers(choices)
    if values is not None:
        order = sorted(range(4), key=lambda i: values[i])
        rank = [order.index(i) for i in range(4)]
        out["middle value"] = credit([-abs(r - 1.5) for r in rank], answer)
        out["largest value"] = credit(values, answer)
        out["smallest value"] = credit(values, answer, pick_max=False)
    else:
        out["middle value"] = out["largest value"] = out["smallest value"] = None
    return out


def group(item):
    if numbers(item["choices"]) is not None:
        return "numeric"
    return "negative" if any(m in item["question"] for m in NEGATIVE) else "other"


def rate(items, cue):
    """Expected score when the cue answers where it can and guesses at random elsewhere."""
    total = 0.0
    for item in items:
        c = cues(item)[cue]
        total += 0.25 if c is None else c
    return total / len(items)


def combined(items, splits=200, seed=0):
    """Per group, the cue best on a random half, scored on the other half (mean over splits)."""
    rng = random.Random(seed)
    table = [(group(i), cues(i)) for i in items]
    names = list(table[0][1])
    scores = []
    for _ in range(splits):
        index = list(range(len(items)))
        rng.shuffle(index)
        train, test = index[: len(index) // 2], index[len(index) // 2:]
        pick = {}
        for g in ("numeric", "negative", "other"):
            members = [table[i][1] for i in train if table[i][0] == g]
            pick[g] = max(names, key=lambda n: sum(0.25 if m[n] is None else m[n] for m in members))
        got = [table[i][1][pick[table[i][0]]] for i in test]
        scores.append(sum(0.25 if c is None else c for c in got) / len(test))
    return sum(scores) / len(scores)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", action="store_true", help="list the items the strongest cues win")
    args = parser.parse_args(argv)
    from lib.course import quiz

    items = [raw for chapter in quiz.chapters_in_bank() for raw in quiz.raw_items(chapter)]
    groups = collections.Counter(group(i) for i in items)
    names = list(cues(items[0]))
    print(f"{len(items)} items ({dict(groups)}); chance 25 %")
    rows = []
    for name in names:
        whole = rate(items, name)
        per = {g: rate([i for i in items if group(i) == g], name) for g in groups}
        rows.append((whole, name, per))
    for whole, name, per in sorted(rows, reverse=True):
        print(f"  {name:24s} {whole:6.1%}   " + "  ".join(f"{g} {v:5.1%}" for g, v in sorted(per.items())))
    best_group = {g: max(rows, key=lambda r: r[2][g]) for g in groups}
    print("best cue per group: " + ", ".join(f"{g}: {r[1]} {r[2][g]:.1%} (n={groups[g]})" for g, r in best_group.items()))
    print(f"combined guesser (cue per group tuned on half the bank, scored on the other half): {combined(items):.1%}")
    if args.items:
        for _, name, _ in sorted(rows, reverse=True)[:3]:
            won = [i["id"] for i in items if (cues(i)[name] or 0) == 1]
            print(f"{name}: wins outright on {len(won)}: {' '.join(won)}")


if __name__ == "__main__":
    main()
