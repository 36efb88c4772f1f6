"""A Korean -> English toy translation corpus, generated from a small grammar (no downloads).

Korean is SOV with particles; English is SVO. The grammar covers what makes translation
need attention: the verb moves from the end of the Korean sentence to second place in English,
tense (past / present / future, tied to time words), negation, subject-verb agreement
("he eats" / "they eat", "does not" / "do not"), optional time, place and companion phrases,
adjectives and coordinated objects. The grammar can make Korean sentences of 5 to 17 tokens and
English ones of 3 to 21 (every path through ``generate_pair`` enumerated); the longest need every
optional phrase at once, so with the default probabilities they are rare. The Korean sentence determines
its English translation (one right answer).

Korean is tokenised into words with the particles split off (``학생 은 사과 를 먹었다``), so an
attention map can show a particle on its own. Tense endings stay inside the verb token (먹는다, 먹었다,
먹을); the future and the negation add separate words (것이다, 않는다, 않았다, 않을). ``korean_text`` joins them back.
Everything is drawn with ``random.Random(seed)``: the same corpus on every machine.
"""

import random
from dataclasses import dataclass

import torch

from lib.tokens import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID

SPECIALS = list(SPECIAL_TOKENS)  # ids 0..3 = PAD_ID, BOS_ID, EOS_ID, UNK_ID

# subject -> (English, third person singular?)
SUBJECTS = {
    "나": ("i", False), "너": ("you", False), "그": ("he", True), "그녀": ("she", True),
    "우리": ("we", False), "그들": ("they", False), "학생": ("the student", True),
    "선생님": ("the teacher", True), "아이들": ("the children", False), "의사": ("the doctor", True),
}

# subject -> possessive for "with <possessive> family": Korean leaves it out ("가족과 함께"), English
# needs one that agrees with the subject ("she ... with her family"; singular "their" for a person
# of unknown gender)
POSSESSIVES = {
    "나": "my", "너": "your", "그": "his", "그녀": "her", "우리": "our", "그들": "their",
    "학생": "their", "선생님": "their", "아이들": "their", "의사": "their",
}

# noun -> (English, takes "the"?, adjectives that fit it)
NOUNS = {
    "사과": ("apple", True, ["빨간", "큰"]),
    "빵": ("bread", False, ["맛있는", "따뜻한"]),
    "케이크": ("cake", True, ["맛있는", "큰"]),
    "물": ("water", False, ["차가운"]),
    "우유": ("milk", False, ["차가운", "따뜻한"]),
    "커피": ("coffee", False, ["따뜻한", "차가운"]),
    "책": ("book", True, ["새", "두꺼운", "재미있는"]),
    "편지": ("letter", True, ["긴", "짧은"]),
    "신문": ("newspaper", True, ["새"]),
    "영화": ("movie", True, ["재미있는", "긴"]),
    "경기": ("game", True, ["긴", "재미있는"]),
    "음악": ("music", False, ["조용한", "새"]),
    "노래": ("song", True, ["조용한", "새"]),
    "이야기": ("story", True, ["긴", "재미있는"]),
}

ADJECTIVES = {
    "빨간": "red", "큰": "big", "맛있는": "delicious", "따뜻한": "warm", "차가운": "cold",
    "새": "new", "두꺼운": "thick", "재미있는": "interesting", "긴": "long", "짧은": "short",
    "조용한": "quiet",
}

# verb -> Korean forms (present, past, future stem, negation stem), English (base, 3sg, past), objects
VERBS = {
    "먹다": (("먹는다", "먹었다", "먹을", "먹지"), ("eat", "eats", "ate"), ["사과", "빵", "케이크"]),
    "마시다": (("마신다", "마셨다", "마실", "마시지"), ("drink", "drinks", "drank"), ["물", "우유", "커피"]),
    "읽다": (("읽는다", "읽었다", "읽을", "읽지"), ("read", "reads", "read"), ["책", "편지", "신문", "이야기"]),
    "보다": (("본다", "봤다", "볼", "보지"), ("watch", "watches", "watched"), ["영화", "경기"]),
    "듣다": (("듣는다", "들었다", "들을", "듣지"), ("listen to", "listens to", "listened to"), ["음악", "노래", "이야기"]),
    "쓰다": (("쓴다", "썼다", "쓸", "쓰지"), ("write", "writes", "wrote"), ["편지", "이야기", "노래"]),
    "사다": (("산다", "샀다", "살", "사지"), ("buy", "buys", "bought"), ["사과", "빵", "케이크", "우유", "커피", "책", "신문"]),
    "좋아하다": (("좋아한다", "좋아했다", "좋아할", "좋아하지"), ("like", "likes", "liked"), list(NOUNS)),
}

# time word -> (English, tenses it allows)
TIMES = {
    "어제": ("yesterday", ["past"]),
    "오늘": ("today", ["past", "present", "future"]),
    "내일": ("tomorrow", ["future"]),
    "매일": ("every day", ["present"]),
}
PLACES = {"학교": "at school", "집": "at home", "공원": "in the park", "도서관": "in the library", "카페": "at the cafe"}
# companion -> English; "{pos}" is the subject's possessive (POSSESSIVES)
COMPANIONS = {"친구": "with a friend", "가족": "with {pos} family", "동생": "with {pos} brother"}
TENSES = ["past", "present", "future"]


def has_final_consonant(word: str) -> bool:
    """True if the last syllable has a 받침 (은/을/과 rather than 는/를/와)."""
    code = ord(word[-1]) - 0xAC00
    return 0 <= code < 11172 and code % 28 != 0


def particle(word: str, with_final: str, without_final: str) -> str:
    return with_final if has_final_consonant(word) else without_final


@dataclass(frozen=True)
class Pair:
    """One sentence pair, as token lists."""

    ko: tuple
    en: tuple


def _object_phrase(rng, nouns, p_adjective):
    ko, en = [], []
    for i, noun in enumerate(nouns):
        english, takes_the, adjectives = NOUNS[noun]
        adjective = rng.choice(adjectives) if rng.random() < p_adjective else None
        if i > 0:
            ko.append(particle(nouns[i - 1], "과", "와"))
            en.append("and")
        if adjective:
            ko.append(adjective)
        ko.append(noun)
        if takes_the:
            en.append("the")
        if adjective:
            en.append(ADJECTIVES[adjective])
        en.append(english)
    ko.append(particle(nouns[-1], "을", "를"))
    return ko, en


def _verb_phrase(verb, tense, negated, third_singular):
    (present, past, future_stem, negation_stem), (base, singular, past_en), _ = VERBS[verb]
    base, singular, past_en = base.split(), singular.split(), past_en.split()
    if negated:
        ko = [negation_stem] + {"present": ["않는다"], "past": ["않았다"], "future": ["않을", "것이다"]}[tense]
        helper = {"present": "does" if third_singular else "do", "past": "did", "future": "will"}[tense]
        return ko, [helper, "not"] + base
    if tense == "present":
        return [present], singular if third_singular else base
    if tense == "past":
        return [past], past_en
    return [future_stem, "것이다"], ["will"] + base


def generate_pair(rng: random.Random, p_time=0.4, p_place=0.4, p_companion=0.25,
                  p_adjective=0.4, p_coordinate=0.2, p_negation=0.3) -> Pair:
    """Draw one sentence pair from the grammar."""
    subject = rng.choice(list(SUBJECTS))
    subject_en, third_singular = SUBJECTS[subject]
    verb = rng.choice(list(VERBS))
    objects = VERBS[verb][2]
    nouns = rng.sample(objects, 2) if len(objects) > 1 and rng.random() < p_coordinate else [rng.choice(objects)]
    time = rng.choice(list(TIMES)) if rng.random() < p_time else None
    tense = rng.choice(TIMES[time][1] if time else TENSES)
    negated = rng.random() < p_negation
    place = rng.choice(list(PLACES)) if rng.random() < p_place else None
    companion = rng.choice(list(COMPANIONS)) if rng.random() < p_companion else None

    object_ko, object_en = _object_phrase(rng, nouns, p_adjective)
    verb_ko, verb_en = _verb_phrase(verb, tense, negated, third_singular)

    ko = ([time] if time else []) + [subject, particle(subject, "은", "는")]
    if companion:
        ko += [companion, particle(companion, "과", "와"), "함께"]
    if place:
        ko += [place, "에서"]
    ko += object_ko + verb_ko

    en = subject_en.split() + verb_en + object_en
    if place:
        en += PLACES[place].split()
    if companion:
        en += COMPANIONS[companion].format(pos=POSSESSIVES[subject]).split()
    if time:
        en += TIMES[time][0].split()
    return Pair(tuple(ko), tuple(en))


def generate_pairs(n: int, seed: int = 0, **probabilities) -> list:
    """``n`` distinct sentence pairs (distinct Korean sentences), in a fixed order for a seed."""
    rng = random.Random(seed)
    seen, pairs = set(), []
    attempts = 0
    while len(pairs) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise ValueError(f"the grammar cannot produce {n} distinct sentences with these settings")
        pair = generate_pair(rng, **probabilities)
        if pair.ko not in seen:
            seen.add(pair.ko)
            pairs.append(pair)
    return pairs


def train_test_split(pairs, n_test: int):
    """Last ``n_test`` pairs are the test set; no Korean sentence is in both."""
    return list(pairs[:-n_test]), list(pairs[-n_test:])


def korean_text(tokens) -> str:
    """Join Korean tokens back into a sentence, particles attached: '학생은 사과를 먹었다'."""
    attached = {"은", "는", "을", "를", "와", "과", "에서"}
    out = ""
    for token in tokens:
        out += token if (token in attached and out) else (" " + token if out else token)
    return out


def english_text(tokens) -> str:
    return " ".join(tokens)


# ---------------------------------------------------------------- vocabularies and tensors


class Vocab:
    """Token <-> id. Ids 0..3 are <pad>, <bos>, <eos>, <unk> (PAD_ID, BOS_ID, EOS_ID, UNK_ID)."""

    def __init__(self, tokens):
        self.itos = SPECIALS + sorted(set(tokens) - set(SPECIALS))
        self.stoi = {token: i for i, token in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def encode(self, tokens, add_bos_eos: bool = False) -> list:
        ids = [self.stoi.get(token, UNK_ID) for token in tokens]
        return [BOS_ID] + ids + [EOS_ID] if add_bos_eos else ids

    def decode(self, ids, strip_special: bool = True) -> list:
        """ids -> tokens; stops at the first EOS when strip_special."""
        tokens = []
        for i in (ids.tolist() if isinstance(ids, torch.Tensor) else ids):
            if strip_special:
                if i == EOS_ID:
                    break
                if i in (PAD_ID, BOS_ID):
                    continue
            tokens.append(self.itos[i])
        return tokens


def _lexicon_ko():
    words = set(SUBJECTS) | set(NOUNS) | set(ADJECTIVES) | set(TIMES) | set(PLACES) | set(COMPANIONS)
    words |= {"은", "는", "을", "를", "와", "과", "에서", "함께", "않는다", "않았다", "않을", "것이다"}
    for forms, _, _ in VERBS.values():
        words |= set(forms)
    return words


def _lexicon_en():
    words = {"the", "and", "not", "do", "does", "did", "will"}
    texts = [e for e, _ in SUBJECTS.values()] + [e for e, _, _ in NOUNS.values()] + list(ADJECTIVES.values())
    texts += [e for e, _ in TIMES.values()] + list(PLACES.values()) + list(POSSESSIVES.values())
    texts += [e.format(pos="") for e in COMPANIONS.values()]
    for _, english, _ in VERBS.values():
        texts += list(english)
    for text in texts:
        words |= set(text.split())
    return words


def korean_vocab() -> Vocab:
    """Every Korean token the grammar can produce (independent of the sample drawn)."""
    return Vocab(_lexicon_ko())


def english_vocab() -> Vocab:
    return Vocab(_lexicon_en())


def pad_batch(sequences, pad_id: int = PAD_ID) -> torch.Tensor:
    """List of id lists -> (B, T_max) long tensor, padded at the end."""
    length = max(len(s) for s in sequences)
    return torch.tensor([list(s) + [pad_id] * (length - len(s)) for s in sequences], dtype=torch.long)


@dataclass
class TranslationData:
    """Train/test pairs with their vocabularies."""

    train: list
    test: list
    src_vocab: Vocab
    tgt_vocab: Vocab

    def tensors(self, pairs):
        """pairs -> src (B, S) padded, tgt (B, T) = BOS ... EOS padded, src_lengths (B,)."""
        src = [self.src_vocab.encode(p.ko) for p in pairs]
        tgt = [self.tgt_vocab.encode(p.en, add_bos_eos=True) for p in pairs]
        lengths = torch.tensor([len(s) for s in src])
        return pad_batch(src), pad_batch(tgt), lengths

    def batches(self, batch_size: int, seed: int = 0):
        """next_batch(step) for lib.train.fit: a reshuffled pass over train, batch after batch."""
        rng = random.Random(seed)
        order, position = [], 0

        def next_batch(step):
            nonlocal order, position
            if position + batch_size > len(order):
                order = list(range(len(self.train)))
                rng.shuffle(order)
                position = 0
            chosen = [self.train[i] for i in order[position:position + batch_size]]
            position += batch_size
            return self.tensors(chosen)

        return next_batch


def make_translation_data(n_train: int = 4000, n_test: int = 500, seed: int = 0, **probabilities) -> TranslationData:
    """The course's corpus: distinct pairs, split with no shared sentence."""
    pairs = generate_pairs(n_train + n_test, seed=seed, **probabilities)
    train, test = train_test_split(pairs, n_test)
    return TranslationData(train, test, korean_vocab(), english_vocab())
