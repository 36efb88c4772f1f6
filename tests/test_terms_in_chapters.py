"""Every term card's Korean term appears in its chapter (solutions/<chapter>_*.ipynb, markdown or code).

A card drills a word; if the chapter never uses that word, the learner memorises a label never tied
to the idea it names. No per-card exceptions.
"""

import json
from pathlib import Path

from lib.course import terms

ROOT = Path(__file__).resolve().parents[1]


def chapter_text(chapter: str) -> str:
    """All cell sources (markdown and code) of solutions/<chapter>_*.ipynb, joined."""
    paths = sorted((ROOT / "solutions").glob(f"{chapter}_*.ipynb"))
    assert len(paths) == 1, (chapter, paths)
    cells = json.loads(paths[0].read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells)


def missing_cards(cards) -> list:
    """Cards whose ``ko`` is not a substring of their chapter's solution notebook."""
    texts = {}
    out = []
    for card in cards:
        if card.chapter not in texts:
            texts[card.chapter] = chapter_text(card.chapter)
        if card.ko not in texts[card.chapter]:
            out.append(card)
    return out


def test_every_card_term_appears_in_its_chapter():
    missing = missing_cards(terms.CARDS)
    assert not missing, "term cards whose Korean term never appears in their chapter's solution notebook:\n" + "\n".join(
        f"  {c.id} ({c.chapter}): {c.ko!r}" for c in missing)


def test_the_check_catches_a_term_the_chapter_does_not_use():
    card = terms.CARDS[0]
    fake = terms.Card(card.id, card.chapter, "이 장에 없는 용어 가나다", card.en)
    assert missing_cards([card, fake]) == [fake]
