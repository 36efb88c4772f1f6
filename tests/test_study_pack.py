"""노트 다시 보기 (lib/course/study_pack.py): the annotated notes and 핵심 정리.

Every sentence of the notes has an annotation, the data file names only sentences of the notes,
every link points to a cell that exists, marks agree with the notebooks' 📝 boxes, and the two HTML
files are self-contained (no network reference, font and figures embedded). Files are written only
into temporary folders (COURSE_EXPORTS_DIR, COURSE_PROGRESS_FILE).
"""

import base64
import copy
import html
import io
import json
import os
import re

import pytest

from lib.course import study_pack as sp

NOTES_TEXT = sp.NOTES.read_text(encoding="utf-8")


@pytest.fixture
def exports(tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    monkeypatch.setenv("COURSE_EXPORTS_DIR", str(folder))
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    return folder


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Both files written once (with no progress file: a clean sheet)."""
    tmp = tmp_path_factory.mktemp("study_pack")
    old = {k: os.environ.get(k) for k in ("COURSE_EXPORTS_DIR", "COURSE_PROGRESS_FILE")}
    os.environ["COURSE_EXPORTS_DIR"] = str(tmp / "exports")
    os.environ["COURSE_PROGRESS_FILE"] = str(tmp / "none" / "progress.json")
    try:
        paths = sp.write_all()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {path.name: path.read_text(encoding="utf-8") for path in paths}, paths


# ---------------------------------------------------------------- splitting


def test_split_sentences_is_deterministic_and_loses_nothing():
    paragraph = "&emsp;가는 나다. 다는 라인가?  마는  바다! tf.losses는 한 문장이다.(괄호도 붙어 있다)   "
    sentences = sp.split_sentences(paragraph)
    assert sentences == ["가는 나다.", "다는 라인가?", "마는 바다!", "tf.losses는 한 문장이다.(괄호도 붙어 있다)"]
    assert sp.split_sentences(paragraph) == sentences
    assert " ".join(sentences) == re.sub(r"\s+", " ", paragraph.replace("&emsp;", " ")).strip()
    assert sp.split_sentences("   ") == []


def test_parse_notes_gives_the_file_back_and_keeps_every_sentence():
    blocks = sp.parse_notes(NOTES_TEXT)
    assert "".join(block.source for block in blocks) == NOTES_TEXT
    for block in blocks:
        if block.kind == "text":
            assert " ".join(block.units) == block.body
    kinds = [block.kind for block in blocks]
    assert kinds.count("code") == 2 and kinds.count("image") == 1 and kinds.count("bullet") == 4
    units = sp.note_units(NOTES_TEXT)
    # the closing sentence keeps its "(아마 ...)" with it: no space after the period
    assert any(unit.endswith("수십번을 더 볼 것이다.(아마 수백 번 봐야할지도...😅)") for unit in units)
    assert "![alt text](image-4.png)" in units


def test_parse_notes_of_a_made_up_note():
    text = "#### 제목\n&emsp;첫 문장. 둘째 문장.\n\n- **용어**: 뜻\n```python\nx = 1\n```\n![그림](a.png)\n---\n"
    blocks = sp.parse_notes(text)
    assert "".join(b.source for b in blocks) == text
    assert [b.kind for b in blocks] == ["heading", "text", "blank", "bullet", "code", "image", "rule"]
    assert sp.note_units(text) == ["첫 문장.", "둘째 문장.", "**용어**: 뜻", "x = 1", "![그림](a.png)"]


# ---------------------------------------------------------------- the data file against notes and notebooks


def test_the_data_file_the_notes_and_the_notebooks_agree():
    assert sp.problems() == []


def test_every_sentence_of_the_notes_is_annotated():
    index = sp.annotation_index(sp.load_data())
    assert [unit for unit in sp.note_units() if unit not in index] == []


def test_a_new_sentence_in_the_notes_is_reported():
    text = NOTES_TEXT.replace("디코더는 문맥 벡터를 해석해서 출력 시퀀스를 만들어 낸다.",
                              "디코더는 문맥 벡터를 해석해서 출력 시퀀스를 만들어 낸다. 새로 쓴 문장이다.")
    found = sp.problems(text=text)
    assert any("without annotation" in p and "새로 쓴 문장이다." in p for p in found)


def test_a_sentence_the_notes_do_not_have_is_reported():
    data = sp.load_data()
    data["notes"][0]["units"] = ["노트에 없는 문장."]
    found = sp.problems(data)
    assert any("not in the notes" in p and "노트에 없는 문장." in p for p in found)
    assert any("without annotation" in p and "오늘 방통대" in p for p in found)


def test_a_link_to_a_missing_cell_is_reported():
    data = sp.load_data()
    data["notes"][1]["links"] = ["03:cell-does-not-exist"]
    found = sp.problems(data)
    assert any("cell-does-not-exist is not a cell of chapters/03_seq2seq.ipynb" in p for p in found)


def test_marks_must_agree_with_the_boxes():
    data = sp.load_data()
    fix = next(e for e in data["notes"] if e["mark"] == "fix")
    more = next(e for e in data["notes"] if e["mark"] == "more")
    wrong = copy.deepcopy(data)
    next(e for e in wrong["notes"] if e["units"] == fix["units"])["mark"] = "more"
    next(e for e in wrong["notes"] if e["units"] == more["units"])["mark"] = "fix"
    found = sp.problems(wrong)
    assert sum("but box" in p for p in found) == 2
    no_box = copy.deepcopy(data)
    entry = next(e for e in no_box["notes"] if e["units"] == more["units"])
    del entry["box"]
    assert any("needs the box" in p for p in sp.problems(no_box))


def test_only_the_from_logits_reason_is_corrected():
    """📝 점검 only where a chapter corrects the note (05 and 10 on from_logits); the rest are ✓ or 보충."""
    fixes = [e for e in sp.load_data()["notes"] if e["mark"] == "fix"]
    assert [e["claims"] for e in fixes] == [["C11"]]
    assert "비용이 크기 때문에" in fixes[0]["units"][0]


def test_a_box_no_annotation_links_to_is_reported():
    data = sp.load_data()
    for entry in data["notes"]:
        entry["links"] = [ref for ref in entry["links"] if ref != "10:cell-041"]
    assert any(p.startswith("box 10:cell-041") for p in sp.problems(data))


def test_exam_answers_come_from_the_boxes():
    answer = sp.exam_answer("05", "cell-010")
    assert answer and "from_logits=True" in answer and "수치적으로 안정" in answer
    assert sp.exam_answer("00", "cell-002") is None  # explains the boxes, is not one
    kinds = {cid: kind for cid, kind, _h, _a in sp.boxes("05")}
    assert kinds.get("cell-010") == "점검"


def test_figures_and_formulas_of_every_chapter():
    data = sp.load_data()
    assert sorted(data["chapters"]) == sp.SUMMARY_CHAPTERS
    for chapter, config in data["chapters"].items():
        png = base64.b64decode(sp.figure_png(chapter, config["figure"]))
        assert png.startswith(b"\x89PNG"), chapter
    bad = copy.deepcopy(data)
    bad["chapters"]["05"]["formulas"] = ["\\frac{a}{b} + \\notacommand"]
    found = sp.problems(bad)
    assert any("formula not in the chapter" in p for p in found)
    assert any("formula not readable" in p for p in found)


# ---------------------------------------------------------------- formulas


def test_latex_subset_to_mathml():
    mathml = sp.latex_to_mathml(r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}")
    assert mathml.startswith("<math display='block'>") and "<mfrac>" in mathml and "∑" in mathml
    assert "<munder>" in mathml  # the sum's limit goes under it
    assert "<msqrt>" in sp.latex_to_mathml(r"\sqrt{d_k}")
    table = sp.latex_to_mathml("\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}")
    assert table.count("<mtr>") == 2
    with pytest.raises(ValueError):
        sp.latex_to_mathml(r"\unknowncommand x")
    with pytest.raises(ValueError):
        sp.latex_to_mathml(r"\frac{a}{b")
    assert "<code>" in sp.formula_html(r"\unknowncommand x")  # shown as source, never raises
    assert len(sp.split_display(r"a = 1, \qquad b = \frac{1}{\qquad 2}")) == 2


def test_every_formula_of_the_chapters_is_readable():
    """All display math of solutions/ 00-10 converts (new formulas in the chapters show up here)."""
    failures = []
    for chapter in sp.SUMMARY_CHAPTERS:
        for tex in re.findall(r"\$\$(.+?)\$\$", sp.chapter_markdown(chapter), re.S):
            try:
                sp.latex_to_mathml(tex)
            except (ValueError, IndexError) as error:
                failures.append((chapter, tex[:50], str(error)))
    assert failures == []


# ---------------------------------------------------------------- the files


def test_write_all_writes_both_files_into_the_exports_folder(exports):
    paths = sp.write_all()
    assert [p.name for p in paths] == [sp.NOTES_FILE, sp.SUMMARY_FILE]
    assert all(p.parent == exports and p.stat().st_size > 0 for p in paths)
    assert sorted(p.name for p in exports.iterdir()) == sorted([sp.NOTES_FILE, sp.SUMMARY_FILE])


def _attributes(text, name):
    return re.findall(rf"\b{name}\s*=\s*['\"]([^'\"]*)['\"]", text)


def test_no_network_reference(written):
    files, _paths = written
    for name, text in files.items():
        refs = _attributes(text, "src") + _attributes(text, "href")
        assert refs, name
        remote = [r for r in refs if re.match(r"(?i)\s*(https?:|ftp:|//)", r)]
        assert remote == [], name
        assert all(r.startswith("data:") for r in _attributes(text, "src")), name
        assert re.findall(r"url\(\s*(?!data:)", text) == [], name
        assert "<script" not in text and "<link" not in text and "@import" not in text, name


def test_links_point_to_cells_that_exist(written):
    files, paths = written
    folder = paths[0].parent
    checked = 0
    for text in files.values():
        for href in _attributes(text, "href"):
            href = html.unescape(href)
            if ".ipynb" not in href:
                assert href.startswith("#") or href in files, href
                continue
            target, _, fragment = href.partition("#")
            notebook = (folder / target).resolve()
            assert notebook.exists() and notebook.parent.name == "chapters", href
            if fragment:
                cell_id = fragment.removeprefix("cell-id=")
                ids = {cell.get("id") for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]}
                assert cell_id in ids, href
                checked += 1
    assert checked > 30


def test_the_annotated_notes_show_every_sentence_as_written(written):
    files, _ = written
    text = files[sp.NOTES_FILE]
    for unit in sp.note_units():
        shown = html.escape(re.sub(r"\*\*(.+?)\*\*", r"\1", unit), quote=False)
        plain = re.sub(r"<[^>]+>", "", text)
        assert html.unescape(shown) in html.unescape(plain), unit
    data = sp.load_data()
    assert text.count("class='ann'") == len(data["notes"])
    assert text.count("class='exam'") == sum(1 for e in data["notes"] if e.get("box"))
    assert text.count("class='missing-figure'") == 1 and "image-4.png" in text
    assert "아직 표시가 없는 문장" not in text


def test_summary_has_one_page_per_chapter(written):
    files, _ = written
    text = files[sp.SUMMARY_FILE]
    sections = re.findall(r"<section class='chapter' id='ch-(\d\d)'>(.*?)</section>", text, re.S)
    assert [ch for ch, _ in sections] == sp.SUMMARY_CHAPTERS
    for chapter, body in sections:
        assert body.count("data:image/png;base64,") == 1, chapter
        assert "<h3>시험 답안</h3>" in body and "<h3>용어</h3>" in body, chapter
        assert "이 장에서 틀린 기록이 없습니다" in body, chapter  # no progress file: a clean sheet
    assert "<math" in text


def test_the_font_is_embedded_and_covers_the_hangul(written):
    if sp.font_path() is None:
        pytest.skip("koreanize-matplotlib (NanumGothic) not installed")
    from fontTools.ttLib import TTFont

    files, _ = written
    for name, text in files.items():
        match = re.search(r"src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", text)
        assert match, name
        font = TTFont(io.BytesIO(base64.b64decode(match.group(1))))
        cmap = font.getBestCmap()
        hangul = {ch for ch in re.sub(r"<[^>]+>", "", text) if "\uac00" <= ch <= "\ud7a3"}
        assert hangul and all(ord(ch) in cmap for ch in hangul), name


def test_most_missed_items_are_read_fresh_from_the_progress_file(exports, tmp_path):
    from lib.course import quiz

    item = next(i for i in quiz.load_items() if i.chapter == "04")
    other = next(i for i in quiz.load_items() if i.chapter == "04" and i.id != item.id)
    record = {"version": 1, "layout": 2, "exercises": {}, "quiz": {
        item.id: {"history": [{"at": "2026-11-01T10:00:00+00:00", "correct": False, "choice": (item.answer + 1) % 4},
                              {"at": "2026-11-02T10:00:00+00:00", "correct": False}]},
        other.id: {"history": [{"at": "2026-11-01T10:00:00+00:00", "correct": False},
                               {"at": "2026-11-03T10:00:00+00:00", "correct": True}]}}}
    (tmp_path / "progress.json").write_text(json.dumps(record), encoding="utf-8")
    summary = sp.write_all()[1].read_text(encoding="utf-8")
    chapter = re.search(r"id='ch-04'>(.*?)</section>", summary, re.S).group(1)
    assert item.id in chapter and other.id in chapter
    assert chapter.index(item.id) < chapter.index(other.id)  # still wrong before fixed since
    assert "틀린 횟수 2 · 아직 틀린 상태" in chapter and "그 뒤에 맞힘" in chapter
    assert "이 장에서 틀린 기록이 없습니다" in re.search(r"id='ch-03'>(.*?)</section>", summary, re.S).group(1)
    (tmp_path / "progress.json").unlink()
    summary = sp.write_all()[1].read_text(encoding="utf-8")  # read again, not cached
    assert item.id not in summary
    summary = sp.write_all(progress_data=record)[1].read_text(encoding="utf-8")  # a record given instead
    assert item.id in summary


@pytest.mark.filterwarnings("ignore:진도 파일을 읽을 수 없어")  # progress sets the broken file aside
def test_a_broken_progress_file_does_not_stop_the_export(exports, tmp_path):
    (tmp_path / "progress.json").write_text("{not json", encoding="utf-8")
    paths = sp.write_all()
    assert all(p.exists() for p in paths)


def test_chapter_links_are_relative_from_the_exports_folder():
    prefix = sp.chapter_prefix(sp.ROOT / "exports")
    assert prefix == "../chapters/"
    assert "href='../chapters/05_from_logits.ipynb#cell-id=cell-010'" in sp.cell_link("05:cell-010", prefix)
