"""Facts about torch itself that the notes' claims rest on, checked on the installed torch.

These test torch, not lib: they are here so a torch upgrade that changed one of them would show, and
so they don't read as coverage of lib's reference code (which tests/test_rnn*.py and
tests/test_transformer_*.py compare against torch's modules).
"""

import re

import pytest
import torch
import torch.nn as nn

from lib import rnn
from lib.course import notebooks
from lib.course.claims import CLAIMS
from lib.utils import count_parameters


@pytest.mark.parametrize("input_size, hidden", [(64, 64), (10, 32)])
def test_parameter_counts_are_4x_and_3x_an_rnn(input_size, hidden):
    counts = {kind: count_parameters(layer(input_size, hidden)) for kind, layer in rnn.RECURRENT_LAYERS.items()}
    assert counts["rnn"] == hidden * (input_size + hidden) + 2 * hidden
    assert counts["lstm"] == 4 * counts["rnn"]
    assert counts["gru"] == 3 * counts["rnn"]


def test_lstm_keeps_two_state_vectors_gru_one():
    x = torch.randn(2, 5, 3)
    _, lstm_state = nn.LSTM(3, 4, batch_first=True)(x)
    _, gru_state = nn.GRU(3, 4, batch_first=True)(x)
    assert isinstance(lstm_state, tuple) and len(lstm_state) == 2
    assert isinstance(gru_state, torch.Tensor) and gru_state.shape == (1, 2, 4)


# --- claims.py agrees with the chapters 00-10 (every claim; 11 reviews them all) -------------------------------


CHECKED_CLAIMS = [claim for claim in CLAIMS if claim != "C0"]  # C0 is course use, named nowhere as a claim
CHECKED_CHAPTERS = ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]
CLAIM_ID = r"(?<![A-Za-z0-9])C\d+(?!\d)"  # "C22", also before a particle: "C5와"


def claim_mentions(markdown_cells):
    """(ids named in a heading or a 📝 box header, ids named anywhere) in a chapter's markdown."""
    headed, anywhere = set(), set()
    for source in markdown_cells:
        anywhere.update(re.findall(CLAIM_ID, source))
        for line in source.splitlines():
            if line.lstrip().startswith("#"):
                headed.update(re.findall(CLAIM_ID, line))
            for box in re.findall(r"📝 노트 점검 \(([^)]*)\)", line):
                headed.update(re.findall(CLAIM_ID, box))
    return headed, anywhere


def claims_disagreeing(claims, mentions):
    """Claims whose chapter list in claims.py disagrees with the chapters: (claim, chapter, why)."""
    problems = []
    for claim in CHECKED_CLAIMS:
        listed = set(claims[claim][0].split(","))
        for chapter in CHECKED_CHAPTERS:
            headed, anywhere = mentions[chapter]
            if claim in headed and chapter not in listed:
                problems.append((claim, chapter, "the chapter's heading or 📝 box names it; claims.py does not list the chapter"))
            if chapter in listed and claim not in anywhere:
                problems.append((claim, chapter, "claims.py lists the chapter; the chapter never names the claim"))
    return problems


@pytest.fixture(scope="module")
def chapter_mentions():
    return {chapter: claim_mentions([c.source for c in notebooks.read(notebooks.find_solution(chapter)).cells
                                     if c.cell_type == "markdown"]) for chapter in CHECKED_CHAPTERS}


def test_claims_list_the_chapters_that_teach_them(chapter_mentions):
    assert claims_disagreeing(CLAIMS, chapter_mentions) == []


def test_claim_chapter_check_can_fail(chapter_mentions):
    wrong = dict(CLAIMS)
    wrong["C22"] = ("08", CLAIMS["C22"][1])  # 10 names C22 in a heading
    wrong["C21"] = ("09,07", CLAIMS["C21"][1])  # 07 never names C21
    assert {(c, ch) for c, ch, _ in claims_disagreeing(wrong, chapter_mentions)} == {("C22", "10"), ("C21", "07")}
    headed, anywhere = claim_mentions(["## 2. 제목 (C22)\n> **📝 노트 점검 (C18) — 보충** — C5와 같이"])
    assert headed == {"C22", "C18"} and anywhere == {"C22", "C18", "C5"}
