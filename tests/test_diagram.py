"""lib.ui.plots.transformer_diagram: the whole Transformer draws, fits the notebook width, every
highlight changes the picture, unknown parts are refused, and no Hangul glyph is missing."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lib.ui import plots  # noqa: E402


def _pixels(ax):
    fig = ax.figure
    fig.set_dpi(40)  # enough to see a highlight, and quick
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return image


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_draws_the_paper_arrangement_within_the_notebook_width():
    ax = plots.transformer_diagram()
    width, _ = ax.figure.get_size_inches()
    texts = " ".join(_texts(ax))
    for label in ("인코더 층", "디코더 층", "N×", "마스크드 멀티 헤드 어텐션", "멀티 헤드 크로스 어텐션",
                  "피드포워드", "위치 인코딩", "임베딩", "final_layer", "로짓", "소프트맥스"):
        assert label in texts, label
    assert texts.count("Add & Norm") == 2 + 3  # after every sublayer: two per encoder layer, three per decoder layer
    assert width <= 9
    assert min(t.get_fontsize() for t in ax.texts) >= 8
    plt.close(ax.figure)


def test_highlighting_a_part_changes_the_drawing():
    plain = _pixels(plots.transformer_diagram(title=""))
    drawings = {}
    for part in plots.TRANSFORMER_PARTS:
        marked = _pixels(plots.transformer_diagram(highlight=part, title=""))
        assert plain.shape == marked.shape
        assert (plain != marked).any(axis=-1).mean() > 0.001, part
        drawings[part] = marked
    # different parts give different pictures (the highlight lands on the part named)
    for a in ("encoder_self_attention", "decoder_self_attention", "cross_attention", "feed_forward"):
        for b in ("encoder_self_attention", "decoder_self_attention", "cross_attention", "feed_forward"):
            if a < b:
                assert (drawings[a] != drawings[b]).any(), (a, b)


def test_small_version_and_list_highlight():
    ax = plots.transformer_diagram(highlight=["decoder_self_attention", "cross_attention"], small=True)
    assert ax.figure.get_size_inches()[0] <= 6
    assert min(t.get_fontsize() for t in ax.texts) >= 8
    plt.close(ax.figure)


def test_unknown_part_is_refused_in_korean():
    with pytest.raises(ValueError, match="알 수 없는 부분"):
        plots.transformer_diagram(highlight="attention_is_all")


def test_no_missing_glyph_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for small in (False, True):
            _pixels(plots.transformer_diagram(highlight="decoder_self_attention", small=small))
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "Glyph" in m or "missing from" in m], messages
