"""lib.ui.explorers.translation: typed Korean is tokenised like the corpus, unknown words get a Korean
message (never a traceback), the slider and the step label count alike, a token stays with its
weight, and a Transformer works as well as an RNN seq2seq."""

import pytest
import torch

from lib.corpus import korean_text, make_translation_data
from lib.seq2seq import AttentionSeq2Seq
from lib.transformer import Transformer
from lib.ui.explorers import translation


@pytest.fixture(scope="module")
def data():
    return make_translation_data(n_train=200, n_test=20, seed=0)


@pytest.fixture(scope="module")
def models(data):
    torch.manual_seed(0)
    rnn = AttentionSeq2Seq(len(data.src_vocab), len(data.tgt_vocab), embed_size=16, hidden_size=16)
    transformer = Transformer(len(data.src_vocab), len(data.tgt_vocab), d_model=16, num_heads=2, d_ff=32,
                              num_layers=1, dropout=0.0)
    return {"rnn": rnn, "transformer": transformer}


def test_typed_sentences_tokenise_like_the_corpus(data):
    for pair in data.train + data.test:
        tokens, unknown = translation.korean_tokens(korean_text(pair.ko), data.src_vocab)
        assert unknown == [] and tuple(tokens) == pair.ko


def test_unknown_words_are_reported_not_raised(data):
    tokens, unknown = translation.korean_tokens("고양이는 집에서 빵을 먹었다", data.src_vocab)
    assert unknown == ["고양이는"] and tokens == ["집", "에서", "빵", "을", "먹었다"]


@pytest.mark.parametrize("kind", ["rnn", "transformer"])
def test_steps_have_one_weight_row_per_output_token(data, models, kind):
    result = translation.translation_steps(models[kind], data, data.test[0].ko, max_len=5)
    assert result.weights.shape == (len(result.output_tokens), len(data.test[0].ko))
    assert torch.allclose(result.weights.sum(-1), torch.ones(len(result.output_tokens)), atol=1e-5)


def test_token_and_weight_never_wrap_apart(data, models):
    result = translation.translation_steps(models["rnn"], data, data.test[0].ko, max_len=5)
    html = translation.step_html(result, 0)
    assert html.count("white-space:nowrap") == len(data.test[0].ko)


@pytest.mark.parametrize("kind", ["rnn", "transformer"])
def test_explorer_slider_and_label_agree_and_typed_input_is_safe(data, models, kind):
    pytest.importorskip("ipywidgets")
    box = translation.translation_explorer(models[kind], data, max_sentences=3)
    chooser, (typed, go), reference, slider, view, _ = box.children[0], box.children[1].children, *box.children[2:]
    assert slider.min == 1 and slider.value == 1
    slider.value = slider.max
    assert f"출력 단계 {slider.max}/{slider.max}" in view.value
    typed.value = "고양이는 빵을 먹었다"  # an unknown word: a Korean message, no exception
    assert "어휘에 없는 단어" in reference.value and "고양이는" in reference.value
    assert view.value == "" and slider.max == 1  # the earlier sentence's translation is gone (walk 3)
    typed.value = "그녀는 집에서 빵을 먹었다"
    assert "직접 입력한 문장" in reference.value and "출력 단계 1/" in view.value
    go.click()  # the button does the same
