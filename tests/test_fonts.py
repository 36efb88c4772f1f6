"""Korean labels render with a real Hangul font: no missing-glyph warnings."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lib.ui import fonts  # noqa: E402


def test_font_file_is_shipped():
    assert fonts.font_path() is not None and fonts.font_path().exists()


def test_hangul_draws_without_missing_glyph_warnings():
    assert "NanumGothic" in fonts.use_korean_font()
    fig, ax = plt.subplots()
    ax.set_title("어텐션 가중치 (attention weights)")
    ax.set_xlabel("입력 토큰 -1")
    ax.plot([-3, 2], [-1, 1])  # negative tick labels use the font too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    plt.close(fig)


def test_log_scale_ticks_and_unicode_minus_draw_without_warnings(caplog):
    fonts.use_korean_font()
    fig, ax = plt.subplots()
    ax.semilogy([1, 2, 3], [1e-5, 1e-2, 1.0])
    ax.set_title("기울기 크기 \u2212 로그 눈금")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    plt.close(fig)
    assert "does not have a glyph" not in caplog.text


def test_bold_hangul_draws_without_warnings(caplog):
    """matplotlib logs (not warns) 'findfont: Failed to find font weight bold' to stderr."""
    fonts.use_korean_font()
    fig, ax = plt.subplots()
    ax.set_title("굵은 제목", fontweight="bold")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    plt.close(fig)
    assert "findfont" not in caplog.text


def test_without_the_font_hangul_would_warn():
    """The test above can fail: DejaVu Sans (matplotlib's default) lacks Hangul."""
    import pytest

    fig, ax = plt.subplots()
    ax.set_title("어텐션", fontfamily="DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        fig.canvas.draw()
    plt.close(fig)
