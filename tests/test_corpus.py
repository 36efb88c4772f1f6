"""The Korean -> English toy corpus: deterministic, split without overlap, every sentence decodable,
and the grammar facts the chapters rely on (SOV -> SVO, agreement, tense, negation)."""

import random

import pytest
import torch

from lib import corpus
from lib.data import BOS_ID, EOS_ID, PAD_ID, UNK_ID


@pytest.fixture(scope="module")
def data():
    return corpus.make_translation_data()


def test_same_seed_same_corpus_other_seed_other_corpus():
    assert corpus.generate_pairs(200, seed=3) == corpus.generate_pairs(200, seed=3)
    assert corpus.generate_pairs(200, seed=3) != corpus.generate_pairs(200, seed=4)


def test_default_corpus_sizes_and_fixed_vocabularies(data):
    assert len(data.train) == 4000 and len(data.test) == 500
    # the vocabularies come from the grammar, not from the sample: any split gives the same ids
    other = corpus.make_translation_data(n_train=50, n_test=10, seed=9)
    assert data.src_vocab.itos == other.src_vocab.itos and data.tgt_vocab.itos == other.tgt_vocab.itos


def test_train_and_test_share_no_sentence(data):
    train_ko = {p.ko for p in data.train}
    assert not train_ko & {p.ko for p in data.test}
    assert len(train_ko) == len(data.train)  # no duplicates inside train either


def test_special_ids_follow_the_spec(data):
    for vocab in (data.src_vocab, data.tgt_vocab):
        assert [vocab.stoi[t] for t in corpus.SPECIALS] == [PAD_ID, BOS_ID, EOS_ID, UNK_ID]


def test_every_sentence_is_encodable_and_decodes_back(data):
    for pair in data.train + data.test:
        ko_ids = data.src_vocab.encode(pair.ko)
        en_ids = data.tgt_vocab.encode(pair.en, add_bos_eos=True)
        assert UNK_ID not in ko_ids and UNK_ID not in en_ids
        assert data.src_vocab.decode(ko_ids) == list(pair.ko)
        assert data.tgt_vocab.decode(en_ids) == list(pair.en)


def test_korean_determines_the_english():
    """A translation task needs one right answer: the same Korean never gets two Englishes."""
    seen = {}
    for seed in range(3):
        for pair in corpus.generate_pairs(3000, seed=seed):
            assert seen.setdefault(pair.ko, pair.en) == pair.en


def test_sentence_lengths(data):
    ko = [len(p.ko) for p in data.train]
    en = [len(p.en) for p in data.train]
    assert min(ko) == 5 and max(ko) >= 15
    assert min(en) >= 3 and max(en) >= 16


def test_verb_moves_from_the_end_to_second_place():
    rng = random.Random(0)
    verb_forms = {form for forms, _, _ in corpus.VERBS.values() for form in forms} | {"않는다", "않았다", "것이다"}
    for _ in range(300):
        pair = corpus.generate_pair(rng)
        assert pair.ko[-1] in verb_forms  # Korean: SOV
        subject_en = next(en for ko, (en, _) in corpus.SUBJECTS.items() if ko in pair.ko)
        after_subject = pair.en[len(subject_en.split())]
        english_verbs = {w.split()[0] for _, english, _ in corpus.VERBS.values() for w in english}
        assert after_subject in english_verbs | {"do", "does", "did", "will"}  # English: SVO


def test_agreement_tense_and_negation_examples():
    rng = random.Random(1)
    pairs = [corpus.generate_pair(rng) for _ in range(2000)]
    by_text = {corpus.korean_text(p.ko): corpus.english_text(p.en) for p in pairs}
    checked = 0
    for ko, en in by_text.items():
        if ko.startswith("그는 ") and ko.endswith("먹는다"):
            assert en.startswith("he eats"); checked += 1
        if ko.startswith("그들은 ") and ko.endswith("먹는다"):
            assert en.startswith("they eat "); checked += 1
        if ko.startswith("그는 ") and ko.endswith("먹지 않는다"):
            assert en.startswith("he does not eat"); checked += 1
        if ko.endswith("않을 것이다"):
            assert " will not " in f" {en} "; checked += 1
        if ko.startswith("어제 "):
            assert en.endswith("yesterday") and " will " not in f" {en} "; checked += 1
    assert checked >= 50


def test_korean_text_attaches_particles():
    assert corpus.korean_text(["학생", "은", "집", "에서", "사과", "를", "먹었다"]) == "학생은 집에서 사과를 먹었다"
    assert corpus.particle("사과", "을", "를") == "를" and corpus.particle("책", "을", "를") == "을"


def test_tensors_pad_at_the_end_with_bos_and_eos(data):
    pairs = data.train[:5]
    src, tgt, lengths = data.tensors(pairs)
    assert lengths.tolist() == [len(p.ko) for p in pairs]
    for row, pair in enumerate(pairs):
        assert (src[row, : len(pair.ko)] != PAD_ID).all() and (src[row, len(pair.ko):] == PAD_ID).all()
        assert tgt[row, 0] == BOS_ID and tgt[row, len(pair.en) + 1] == EOS_ID
        assert (tgt[row, len(pair.en) + 2:] == PAD_ID).all()
    assert src.dtype == tgt.dtype == torch.long


def test_batches_are_deterministic_and_cover_the_training_set(data):
    a, b = data.batches(100, seed=5), data.batches(100, seed=5)
    for step in range(3):
        for x, y in zip(a(step), b(step)):
            assert torch.equal(x, y)
    small = corpus.make_translation_data(n_train=30, n_test=5, seed=2)
    next_batch = small.batches(10, seed=0)
    seen = set()
    for step in range(3):  # one pass = 3 batches of 10
        src, _, lengths = next_batch(step)
        seen |= {tuple(row[:n].tolist()) for row, n in zip(src, lengths)}
    assert seen == {tuple(small.src_vocab.encode(p.ko)) for p in small.train}


def test_companion_possessive_agrees_with_the_subject():
    """'그녀는 가족과 함께 …' -> '… with her family', never 'she … with my family'."""
    expected = {"i": "my", "you": "your", "he": "his", "she": "her", "we": "our", "they": "their"}
    checked = 0
    for pair in corpus.generate_pairs(2000, seed=0):
        english = corpus.english_text(pair.en)
        for noun in ("family", "brother"):
            if f" {noun}" in english:
                possessive = pair.en[pair.en.index(noun) - 1]
                assert possessive == expected.get(pair.en[0], "their"), english
                checked += 1
    assert checked >= 100
