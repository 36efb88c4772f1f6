"""Surface-cue guesser for the quiz bank (course spec section 10; not a pytest file).

    python tests/cue_guesser.py            # table for the whole bank (hand-written + generated)
    python tests/cue_guesser.py --json out.json
    python tests/cue_guesser.py --null 50     # + permutation null for the combined guessers
    python tests/cue_guesser.py --selftest    # planted cues are found, a cue-free bank is at chance

Can the key of a 4-choice item be spotted without knowing the subject? Each cue looks only at the
surface of the four choices (and, for the combined guesser, at whether the question is in the
negative form) and picks a set of choices; an item scores 1/k when the key is among the k picked
choices, 0 otherwise. A cue that does not apply to an item (an odd-one-out cue with no single odd
choice, a numeric cue on a text item) guesses uniformly, i.e. scores 1/4 -- so every rate is
directly comparable with chance (25 %) and with the spec's bound (30 %). The table also gives how
often each cue fires and its rate on the items where it fires.

The cues were written from generic test-wiseness ideas before looking at the bank, and are not
tuned on it. Only the combined guesser is fitted, always on a random half of the items, and scored
on the other half (mean over 20 random splits).

Items are read in canonical order (``lib.course.bank``: ``choices`` as stored, ``answer`` = index
of the key in that order), never in a learner's shuffled display order. Uses stdlib + numpy only.
"""

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHANCE = 0.25
BOUND = 0.30
N_SPLITS = 20

# ---------------------------------------------------------------- item access


def _get(item, name, default=None):
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def load_bank() -> tuple:
    """All items (validated loader), or the raw items chapter by chapter when validation fails
    (the bank may be mid-rewrite). Returns (items, notes)."""
    from lib.course import bank

    notes = []
    try:
        return list(bank.load_items()), notes
    except Exception as exc:  # noqa: BLE001 - fall back to raw items, say so
        notes.append(f"validated loader failed ({exc}); using raw items")
    items = []
    for ch in bank.chapters_in_bank():
        try:
            raw = bank.raw_items(ch)
        except Exception as exc:  # noqa: BLE001
            notes.append(f"ch{ch}: {exc}")
            continue
        for r in raw:
            ok = (isinstance(r.get("choices"), list) and len(r["choices"]) == 4
                  and isinstance(r.get("answer"), int) and 0 <= r["answer"] < 4)
            if ok:
                items.append(r)
            else:
                notes.append(f"skipped malformed item {r.get('id')}")
    return items, notes


def is_generated(item) -> bool:
    return bool(_get(item, "generated"))


# ---------------------------------------------------------------- text helpers

_FENCE = re.compile(r"```[a-zA-Z]*\n?|```")


def plain(text: str) -> str:
    """Choice text without markup (fences, backticks, bold), whitespace collapsed."""
    text = _FENCE.sub(" ", str(text)).replace("`", "").replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


_PARTICLES = ("으로", "에서", "에게", "까지", "부터", "처럼", "보다", "은", "는", "이", "가", "을",
              "를", "의", "에", "로", "와", "과", "도", "만")


def words(text: str) -> set:
    """Lower-cased word tokens with a trailing Korean particle stripped (crude, generic)."""
    out = set()
    for tok in re.findall(r"[0-9A-Za-z_가-힣.]+", plain(text).lower()):
        tok = tok.strip(".")
        for p in _PARTICLES:
            if len(tok) > len(p) + 1 and tok.endswith(p):
                tok = tok[: -len(p)]
                break
        if tok:
            out.add(tok)
    return out


def bigrams(text: str) -> set:
    t = plain(text).lower()
    return {t[i:i + 2] for i in range(len(t) - 1)} or {t}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# ---------------------------------------------------------------- generic word lists

ABSOLUTE = ("항상", "절대", "반드시", "모든", "모두", "결코", "오직", "언제나", "전혀", "늘 ")
HEDGE = ("대체로", "보통", "주로", "일반적으로", "대개", "흔히", "경우에 따라", "수 있", "때로", "종종")
NEGATIVE_Q = ("않은", "아닌", "틀린", "옳지", "잘못된", "없는")


def has_absolute(text: str) -> bool:
    t = plain(text)
    if any(w in t for w in ABSOLUTE):
        return True
    # the particles 만 ("only") and 뿐: a token ending in 만/뿐 or with 만으로/만이/만을/만은/뿐이,
    # not a word that starts with 만 (만들다, 만약, 만큼).
    for tok in re.findall(r"[가-힣A-Za-z0-9_)\]]+", t):
        if tok.startswith("만") or tok.startswith("뿐"):
            continue
        if re.search(r"(만|뿐)(으로|이|을|은|이다|입니다)?$", tok) or "뿐" in tok:
            if not re.search(r"(천만|백만|십만|만큼)", tok):
                return True
    return False


def has_hedge(text: str) -> bool:
    t = plain(text)
    return any(w in t for w in HEDGE)


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", plain(text)))


_IDENT = re.compile(r"`[^`]+`|\b[A-Za-z_]\w*\.[A-Za-z_]\w*|\b[A-Za-z_]\w*\(|\b[a-z]+_[a-z_0-9]+\b"
                    r"|\b[a-z]+[A-Z]\w*\b|\b[A-Z][a-z]+[A-Z]\w*\b")


def has_identifier(text: str) -> bool:
    return bool(_IDENT.search(str(text)))


def is_negative_question(question: str) -> bool:
    return any(m in plain(question) for m in NEGATIVE_Q)


# ---------------------------------------------------------------- numeric parsing

_NUM = r"[-+−]?(?:inf|(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)"
BIG = 1e12  # stands for an infinite value, so means and gaps stay finite


def _to_float(tok: str) -> float:
    v = float(tok.replace(",", "").replace("−", "-"))
    return math.copysign(BIG, v) if math.isinf(v) else v


def parse_numeric(text: str):
    """A tuple of floats if the choice is a number or a tuple/list/shape of numbers (an optional
    short unit or wrapper such as ``torch.Size(...)`` around it), else None."""
    t = plain(text)
    t = re.sub(r"^(torch\.Size|Size|shape|tensor)\s*", "", t)
    t = re.sub(r"\s*(개|번|차원|칸|회|%|가지|개의? ?\w*)$", "", t).strip()
    t = t.strip("() []").strip()
    if re.fullmatch(_NUM, t):
        return (_to_float(t),)
    parts = [p.strip().strip("()[]") for p in re.split(r",\s+|\s*[×x*]\s*|,(?=[-+−]?\d{1,2}(?:\D|$))", t)]
    parts = [p for p in parts if p != ""]
    if len(parts) >= 2 and all(re.fullmatch(_NUM, p) for p in parts):
        return tuple(_to_float(p) for p in parts)
    return None


def numeric_choices(choices):
    """Four parsed tuples (one per choice), or None when the item is not numeric."""
    vals = [parse_numeric(c) for c in choices]
    return None if any(v is None for v in vals) else vals


def _magnitude(vals) -> list:
    """One number per choice: the value, the sum of a tuple when all four have the same length,
    else the product (a shape's element count)."""
    if len({len(v) for v in vals}) == 1:
        return [sum(v) for v in vals]
    return [math.prod(v) for v in vals]


# ---------------------------------------------------------------- cues
# A cue maps the four choices (and the question) to a set of picked indices; an empty set means the
# cue does not apply (uniform guess, scored 1/4).


def _argbest(scores, best=max) -> set:
    m = best(scores)
    return {i for i, s in enumerate(scores) if abs(s - m) < 1e-12}


def _odd(flags) -> set:
    """The single choice whose flag is True (empty when 0 or 2+ choices have it)."""
    on = [i for i, f in enumerate(flags) if f]
    return set(on) if len(on) == 1 else set()


def _avoid(flags) -> set:
    """The choices without the flag, when some but not all have it."""
    off = {i for i, f in enumerate(flags) if not f}
    return off if 0 < len(off) < 4 else set()


def _centrality(choices, sim) -> list:
    return [sum(sim(choices[i], choices[j]) for j in range(4) if j != i) / 3 for i in range(4)]


def central_bigram(ch):
    return _centrality([bigrams(c) for c in ch], jaccard)


def central_word(ch):
    return _centrality([words(c) for c in ch], jaccard)


def central_edit(ch):
    p = [plain(c) for c in ch]
    return _centrality(p, lambda a, b: 1 - edit_distance(a, b) / max(len(a), len(b), 1))


def _numeric_rank_cue(pick_ranks):
    def cue(ch, q):
        vals = numeric_choices(ch)
        if vals is None:
            return set()
        mag = _magnitude(vals)
        order = sorted(set(mag))
        if len(order) < 4:  # tied values: rank among distinct values is ambiguous, skip
            return set()
        return {i for i, m in enumerate(mag) if order.index(m) in pick_ranks}
    return cue


def closest_to_mean(ch, q):
    vals = numeric_choices(ch)
    if vals is None:
        return set()
    if len({len(v) for v in vals}) == 1:
        arr = np.array(vals, dtype=float)
    else:
        arr = np.array(_magnitude(vals), dtype=float)[:, None]
    d = np.linalg.norm(arr - arr.mean(axis=0), axis=1)
    return _argbest(list(d), min)


def _spread(mag):
    """Log scale when every value is positive and they span more than a factor of 3, else linear."""
    if all(m > 0 for m in mag) and max(mag) / min(mag) > 3:
        return [math.log(m) for m in mag]
    return list(mag)


def odd_magnitude(ch, q):
    vals = numeric_choices(ch)
    if vals is None:
        return set()
    s = _spread(_magnitude(vals))
    gap = [min(abs(s[i] - s[j]) for j in range(4) if j != i) for i in range(4)]
    if max(gap) <= 0:
        return set()
    return _argbest(gap, max)


def not_odd_magnitude(ch, q):
    odd = odd_magnitude(ch, q)
    return set(range(4)) - odd if odd else set()


def _plain_len(ch):
    return [len(plain(c)) for c in ch]


def _middle_length(ch) -> set:
    """The choices that are neither the longest nor the shortest (added after the first run showed
    the key is rarely either extreme: an over-corrected length cue)."""
    n = _plain_len(ch)
    mid = {i for i in range(4) if min(n) < n[i] < max(n)}
    return mid if 0 < len(mid) < 4 else set()


CUES = {
    "longest": lambda ch, q: _argbest(_plain_len(ch), max),
    "shortest": lambda ch, q: _argbest(_plain_len(ch), min),
    "middle length (neither extreme)": lambda ch, q: _middle_length(ch),
    "central: char-bigram Jaccard": lambda ch, q: _argbest(central_bigram(ch), max),
    "central: word overlap": lambda ch, q: _argbest(central_word(ch), max),
    "central: edit distance": lambda ch, q: _argbest(central_edit(ch), max),
    "least central: char-bigram": lambda ch, q: _argbest(central_bigram(ch), min),
    "numeric: middle two": _numeric_rank_cue({1, 2}),
    "numeric: smallest": _numeric_rank_cue({0}),
    "numeric: largest": _numeric_rank_cue({3}),
    "numeric: closest to mean": closest_to_mean,
    "numeric: odd one by magnitude": odd_magnitude,
    "numeric: not the odd one": not_odd_magnitude,
    "only one with absolute word": lambda ch, q: _odd([has_absolute(c) for c in ch]),
    "only one without absolute word": lambda ch, q: _odd([not has_absolute(c) for c in ch]),
    "avoid absolute words": lambda ch, q: _avoid([has_absolute(c) for c in ch]),
    "only one with hedge": lambda ch, q: _odd([has_hedge(c) for c in ch]),
    "only one without hedge": lambda ch, q: _odd([not has_hedge(c) for c in ch]),
    "only one with a number": lambda ch, q: _odd([has_number(c) for c in ch]),
    "only one without a number": lambda ch, q: _odd([not has_number(c) for c in ch]),
    "only one with code identifier": lambda ch, q: _odd([has_identifier(c) for c in ch]),
    "only one without code identifier": lambda ch, q: _odd([not has_identifier(c) for c in ch]),
}


def score(picked: set, key: int) -> float:
    if not picked:
        return CHANCE
    return (key in picked) / len(picked)


# ---------------------------------------------------------------- combined guesser


def _zscore(v) -> list:
    a = np.asarray(v, dtype=float)
    sd = a.std()
    return list((a - a.mean()) / sd) if sd > 0 else [0.0] * len(a)


def features(choices, question) -> np.ndarray:
    """A (4, F) matrix: every cue as a 1/k share per choice, plus within-item z-scores of length
    and of the three centralities; each column also multiplied by the negative-question flag."""
    cols = []
    for cue in CUES.values():
        picked = cue(choices, question)
        cols.append([(i in picked) / len(picked) if picked else 0.0 for i in range(4)])
    cols.append(_zscore(_plain_len(choices)))
    cols.append(_zscore(central_bigram(choices)))
    cols.append(_zscore(central_word(choices)))
    cols.append(_zscore(central_edit(choices)))
    base = np.array(cols, dtype=float).T
    neg = 1.0 if is_negative_question(question) else 0.0
    return np.concatenate([base, base * neg], axis=1)


def fit_conditional_logit(X, y, lam=1.0, iters=25) -> np.ndarray:
    """Weights w maximising sum_i log softmax(X_i w)[y_i] - lam/2 |w|^2 (Newton). X: (N, 4, F)."""
    n, _, f = X.shape
    w = np.zeros(f)
    for _ in range(iters):
        s = X @ w
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)                     # (N, 4)
        mean = np.einsum("nk,nkf->nf", p, X)                  # (N, F)
        g = (X[np.arange(n), y] - mean).sum(axis=0) - lam * w
        cov = np.einsum("nk,nkf,nkg->fg", p, X, X) - np.einsum("nf,ng->fg", mean, mean)
        step = np.linalg.solve(cov + lam * np.eye(f), g)
        w += step
        if np.abs(step).max() < 1e-8:
            break
    return w


def _argmax_score(s, key) -> float:
    best = np.flatnonzero(np.abs(s - s.max()) < 1e-9)
    return float(key in best) / len(best)


def combined(X, y, picks, n_splits=N_SPLITS, seed=0) -> dict:
    """Held-out accuracy (mean, min, max over random half splits) of: a conditional logit on all
    features; weighted voting of the cues (weight = train rate - 1/4); the single cue that was best
    on the train half."""
    rng = random.Random(seed)
    n = len(y)
    names = list(CUES)
    res = {"logit": [], "voting": [], "best single cue (picked on train)": []}
    chosen = Counter()
    for _ in range(n_splits):
        idx = list(range(n))
        rng.shuffle(idx)
        tr, te = idx[: n // 2], idx[n // 2:]
        w = fit_conditional_logit(X[tr], y[tr])
        res["logit"].append(np.mean([_argmax_score(X[i] @ w, y[i]) for i in te]))
        rate = {c: np.mean([score(picks[c][i], y[i]) for i in tr]) for c in names}
        vote = []
        for i in te:
            s = np.zeros(4)
            for c in names:
                for j in picks[c][i]:
                    s[j] += (rate[c] - CHANCE) / len(picks[c][i])
            vote.append(_argmax_score(s, y[i]))
        res["voting"].append(np.mean(vote))
        best = max(names, key=lambda c: rate[c])
        chosen[best] += 1
        res["best single cue (picked on train)"].append(np.mean([score(picks[best][i], y[i]) for i in te]))
    out = {k: {"mean": float(np.mean(v)), "min": float(np.min(v)), "max": float(np.max(v))}
           for k, v in res.items()}
    out["best single cue (picked on train)"]["chosen"] = dict(chosen)
    return out


# ---------------------------------------------------------------- measure


def _rate(vals) -> float | None:
    return float(np.mean(vals)) if len(vals) else None


def null_combined(X, picks, n, n_perm: int, seed: int = 1) -> dict:
    """The combined guessers' held-out accuracy when the keys are replaced by random ones (a
    permutation null: how high fitting on a half reaches by luck on a bank of this size)."""
    rng = np.random.default_rng(seed)
    runs = {}
    for p in range(n_perm):
        y = rng.integers(0, 4, size=n)
        for k, v in combined(X, y, picks, n_splits=5, seed=p).items():
            runs.setdefault(k, []).append(v["mean"])
    return {k: {"mean": float(np.mean(v)), "p95": float(np.quantile(v, 0.95)), "max": float(np.max(v))}
            for k, v in runs.items()}


def measure(items, n_splits: int = N_SPLITS, n_null: int = 0) -> dict:
    """Per-cue rates over all / hand-written / generated / numeric items (ties count 1/k, a cue
    that does not apply counts 1/4), fire counts, and the combined guessers' held-out accuracy."""
    items = [it for it in items if len(_get(it, "choices", ())) == 4]
    chs = [list(_get(it, "choices")) for it in items]
    qs = [str(_get(it, "question", "")) for it in items]
    y = np.array([int(_get(it, "answer")) for it in items])
    gen = [is_generated(it) for it in items]
    num = [numeric_choices(c) is not None for c in chs]
    groups = {"all": [True] * len(items), "hand": [not g for g in gen], "generated": gen,
              "numeric": num}
    # sanity: in canonical order the key's why_wrong entry is the empty one
    ww_mismatch = [str(_get(it, "id")) for it in items
                   if _get(it, "why_wrong") and len(_get(it, "why_wrong")) == 4
                   and [i for i, w in enumerate(_get(it, "why_wrong")) if not str(w).strip()]
                   != [int(_get(it, "answer"))]]
    picks = {name: [cue(c, q) for c, q in zip(chs, qs)] for name, cue in CUES.items()}
    cues = {}
    for name in CUES:
        sc = [score(p, k) for p, k in zip(picks[name], y)]
        fired = [bool(p) for p in picks[name]]
        row = {g: _rate([s for s, m in zip(sc, mask) if m]) for g, mask in groups.items()}
        row["fires"] = int(sum(fired))
        row["rate_when_fires"] = _rate([s for s, f in zip(sc, fired) if f])
        cues[name] = row
    length_rank = {g: [0.0] * 4 for g in groups}
    for c, k, *masks in zip(chs, y, *groups.values()):
        n = _plain_len(c)
        lo = sum(x < n[k] for x in n)                 # key's rank by length, ties spread evenly
        hi = lo + sum(x == n[k] for x in n)
        for g, m in zip(groups, masks):
            for r in range(lo, hi):
                length_rank[g][r] += m / (hi - lo)
    counts = {g: int(sum(m)) for g, m in groups.items()}
    counts["negative questions"] = sum(is_negative_question(q) for q in qs)
    position = Counter(int(k) for k in y)
    X = np.array([features(c, q) for c, q in zip(chs, qs)])
    null = null_combined(X, picks, len(y), n_null) if n_null and len(items) >= 8 else {}
    return {
        "counts": counts,
        "cues": cues,
        "combined": combined(X, y, picks, n_splits) if len(items) >= 8 else {},
        "combined_null": null,
        "key_length_rank_share": {g: [v / max(counts[g], 1) for v in r] for g, r in length_rank.items()},
        "key_position_share": {p: position[p] / len(y) for p in range(4)} if len(y) else {},
        "why_wrong_not_blank_at_key": ww_mismatch,
    }


def _fmt(v) -> str:
    return "   -  " if v is None else f"{100 * v:5.1f}%"


def print_table(result: dict) -> None:
    c = result["counts"]
    print(f"items: all {c['all']}, hand-written {c['hand']}, generated {c['generated']}, "
          f"numeric (all four choices parse) {c['numeric']}, negative-form questions "
          f"{c['negative questions']}")
    print(f"chance {100 * CHANCE:.0f} %, spec bound {100 * BOUND:.0f} %; ties 1/k; a cue that does "
          "not apply scores 1/4.  * = above the bound")
    head = f"{'cue':34s} {'all':>7s} {'hand':>7s} {'gen':>7s} {'numeric':>7s} {'fires':>6s} {'when fires':>10s}"
    print(head)
    print("-" * len(head))
    for name, r in result["cues"].items():
        flag = " *" if any(r[g] is not None and r[g] > BOUND for g in ("all", "hand", "generated", "numeric")) else ""
        print(f"{name:34s} {_fmt(r['all']):>7s} {_fmt(r['hand']):>7s} {_fmt(r['generated']):>7s} "
              f"{_fmt(r['numeric']):>7s} {r['fires']:6d} {_fmt(r['rate_when_fires']):>10s}{flag}")
    if result["combined"]:
        print(f"\ncombined guessers, fitted on a random half, scored on the other half ({N_SPLITS} splits):")
        for name, r in result["combined"].items():
            extra = f"  chosen: {r['chosen']}" if "chosen" in r else ""
            print(f"  {name:34s} mean {_fmt(r['mean'])}  (min {_fmt(r['min'])}, max {_fmt(r['max'])}){extra}")
    if result.get("combined_null"):
        print("same guessers with random keys (permutation null, 5 splits each):")
        for name, r in result["combined_null"].items():
            print(f"  {name:34s} mean {_fmt(r['mean'])}  95th pct {_fmt(r['p95'])}  max {_fmt(r['max'])}")
    print("\nkey's rank by length (shortest .. longest):")
    for g, r in result["key_length_rank_share"].items():
        print(f"  {g:10s} " + " ".join(_fmt(v) for v in r))
    pos = result["key_position_share"]
    print("\nkey position share (canonical order): " + ", ".join(f"{p}: {_fmt(v)}" for p, v in pos.items()))
    if result["why_wrong_not_blank_at_key"]:
        print(f"items whose blank why_wrong is not at the answer index: {result['why_wrong_not_blank_at_key']}")


def selftest() -> None:
    """The guesser must find planted cues and stay near chance without one (synthetic banks)."""
    rng = random.Random(7)
    vocab = "어텐션 인코더 디코더 가중치 마스크 행렬 벡터 손실 토큰 배치 항상 `x.shape`".split()

    def text():
        return " ".join(rng.choice(vocab) for _ in range(rng.randint(2, 6)))

    def text_item(i, plant):
        ch, a = [text() for _ in range(4)], rng.randrange(4)
        if plant:
            ch[a] += " 그리고 " + " ".join(vocab)
        return {"id": f"t-{i}", "question": "옳은 것은?", "choices": ch, "answer": a}

    def num_item(i):
        v = [str(x) for x in sorted(rng.sample(range(1, 100), 4))]
        order = list(range(4))
        rng.shuffle(order)
        return {"id": f"n-{i}", "question": "값은?", "choices": [v[o] for o in order],
                "answer": order.index(rng.choice([1, 2]))}

    flat = measure([text_item(i, False) for i in range(400)], n_splits=4)
    for name, r in flat["cues"].items():
        assert abs(r["all"] - CHANCE) < 0.07, (name, r["all"])
    assert flat["combined"]["logit"]["mean"] < BOUND, flat["combined"]
    planted = measure([text_item(i, True) for i in range(200)], n_splits=4)
    assert planted["cues"]["longest"]["all"] == 1.0 and planted["combined"]["logit"]["mean"] > 0.9
    middle = measure([num_item(i) for i in range(200)], n_splits=4)
    assert middle["counts"]["numeric"] == 200
    assert middle["cues"]["numeric: middle two"]["numeric"] == 0.5
    assert middle["cues"]["numeric: smallest"]["numeric"] == 0.0
    print("selftest ok: flat bank within 7 points of chance, planted longest and middle cues found")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="also write the numbers to this file")
    ap.add_argument("--null", type=int, default=0, metavar="N",
                    help="also fit the combined guessers on N random-key copies of the bank (e.g. 50)")
    ap.add_argument("--selftest", action="store_true", help="check the guesser on synthetic banks")
    args = ap.parse_args(argv)
    if args.selftest:
        selftest()
        return 0
    items, notes = load_bank()
    for n in notes:
        print("note:", n)
    result = measure(items, n_null=args.null)
    print_table(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
