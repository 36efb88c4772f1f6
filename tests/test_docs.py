"""The notes map (docs/ and README) is generated from the notebooks, quiz bank and checks: never stale."""

import importlib.util

from lib.course import notebooks

spec = importlib.util.spec_from_file_location("notes_map", notebooks.ROOT / "tools" / "notes_map.py")
notes_map = importlib.util.module_from_spec(spec)
spec.loader.exec_module(notes_map)


def test_docs_notes_map_is_current():
    text = (notebooks.ROOT / "docs" / "notes_map.md").read_text(encoding="utf-8")
    assert text == notes_map.build("../chapters/"), "run `python tools/notes_map.py --readme`"


def test_readme_notes_map_is_current():
    block = notes_map.readme_block.read("NOTES-MAP")
    assert block is not None, "run `python tools/notes_map.py --readme`"
    expected = notes_map.build("chapters/").replace("# 노트 지도", "## 노트 지도 (notes map)", 1)
    assert block.strip() == expected.strip(), "run `python tools/notes_map.py --readme`"


def test_every_note_section_and_term_is_mapped():
    from lib.course.outline import NOTES_OUTLINE

    notes = (notebooks.ROOT / "notes" / "study-notes.md").read_text(encoding="utf-8")
    sections = {section for section, _phrase, _claims in NOTES_OUTLINE}
    headings = {line.strip("# ").strip() for line in notes.splitlines() if line.startswith("####")}
    terms = {line.split("**")[1].split("(")[0].strip() for line in notes.splitlines() if line.startswith("- **")}
    assert headings | terms <= sections
    for _section, phrase, _claims in NOTES_OUTLINE:
        assert phrase in notes, f"outline phrase not in the notes: {phrase!r}"
