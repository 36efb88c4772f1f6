"""Figures fit the notebook (spec section 5): no stored plot in solutions/ is wider than the content width,
so JupyterLab never shrinks it and every label keeps its size. tests/test_browser.py measures the same in
a real browser at a 1400-pixel-wide window (rendered width >= 90 % of the image's own width)."""

import base64
import struct

import pytest

from lib.course import notebooks

# matplotlib's inline backend draws 100 px per inch: the spec's ~9 in content width, plus the tight
# bounding box's margin.
MAX_WIDTH_PX = 920


def _png_widths(path):
    for cell in notebooks.read(path).cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                raw = base64.b64decode(png)
                width, _height = struct.unpack(">II", raw[16:24])  # the PNG header's IHDR chunk
                yield cell.get("id", "?"), width


@pytest.mark.parametrize("path", sorted(notebooks.SOLUTIONS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_figure_fits_the_notebook_width(path):
    too_wide = [(cell_id, width) for cell_id, width in _png_widths(path) if width > MAX_WIDTH_PX]
    assert not too_wide, f"{path.name}: figures wider than {MAX_WIDTH_PX} px (stack the panels): {too_wide}"
