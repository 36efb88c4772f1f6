"""Hangul in matplotlib.

Matplotlib's default font (DejaVu Sans) has no Hangul glyphs, so Korean labels would show as
empty boxes with "missing glyph" warnings. The `koreanize-matplotlib` package ships the
NanumGothic font (SIL Open Font License); we register that font file directly. We do not
``import koreanize_matplotlib`` itself: its module imports ``distutils``, which is gone from
Python 3.12, while the font file works on every Python version.
"""

import importlib.util
import pathlib

import matplotlib
from matplotlib import font_manager

FONT_NAME = "NanumGothic"


def font_path(file_name: str = "NanumGothic.ttf") -> pathlib.Path | None:
    """Path of a NanumGothic file shipped by koreanize-matplotlib, or None if not installed."""
    spec = importlib.util.find_spec("koreanize_matplotlib")  # locates, does not import
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = pathlib.Path(folder) / "fonts" / file_name
        if candidate.exists():
            return candidate
    return None


def use_korean_font() -> list:
    """Make matplotlib draw Hangul. Returns the font families in use. Safe to call repeatedly.

    DejaVu Sans stays first and NanumGothic is the per-glyph fallback (matplotlib >= 3.6): Latin text,
    digits and the minus sign U+2212 of log-scale tick labels (which NanumGothic lacks) come from
    DejaVu Sans, Hangul from NanumGothic, with no missing-glyph warnings either way.
    """
    path = font_path()
    if path is None:
        return list(matplotlib.rcParams["font.family"])
    if FONT_NAME not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
        # Bold faces, so bold Hangul titles find one: matplotlib reads the "Bold" file as weight 600
        # and the "ExtraBold" file as 700 (= "bold"), so both are registered.
        for name in ("NanumGothicBold.ttf", "NanumGothicExtraBold.ttf"):
            bold = font_path(name)
            if bold is not None:
                font_manager.fontManager.addfont(str(bold))
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", FONT_NAME]
    return list(matplotlib.rcParams["font.family"])
