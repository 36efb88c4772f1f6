"""The course as a learner meets it: JupyterLab in a real browser (headless Chromium).

Starts `jupyter lab` on 127.0.0.1 (token authentication on), opens a fresh chapter and a solution, runs
Run > Run All Cells from the menu, saves, and checks what the learner sees: no error, every widget
(quiz, explorers, progress bars) rendered as a widget, a quiz click answered with feedback, plots drawn,
Hangul drawn with a Korean font. Chapter 11 in a learner's day: Run All shows the mock final's start
button and no clock; an export made after a review and a mock final has the current counts and opens
inside JupyterLab. A kernel restart followed by a later cell shows the Korean NameError hint.

Everything is written into a temporary folder, never into the course (screenshots and logs too; set
COURSE_BROWSER_ARTIFACTS to a folder to keep them). The notebooks run from copies there, so JupyterLab's
autosave never touches a tracked notebook; the server runs with COURSE_PROGRESS=off, so nothing is recorded as progress, and under
the offline guard (tests/offline/), so the whole session is proven not to reach the network.

Needs Debian's `chromium`, a Korean and an emoji font (labsession.APT_PACKAGES) and Playwright's Python
package (requirements.txt; the browser is never downloaded). Without them the test is skipped, with the
command that enables it; under CI (CI=true, set by .ci/run, which installs them) it fails instead, so CI
never skips it silently.
Set COURSE_BROWSER_NOTEBOOKS to notebook paths (separated by os.pathsep) to run other notebooks.
"""

import hashlib
import os
import pathlib
import re
import shutil

import pytest

import labsession
from lib.course import notebooks

ROOT = notebooks.ROOT
NOTEBOOKS = [ROOT / "chapters" / "00_start.ipynb", ROOT / "solutions" / "05_from_logits.ipynb"]
REVIEW_CHAPTER = ROOT / "chapters" / "11_review.ipynb"  # its own tests below (Run All, exports)
ARTIFACTS = LAB_ROOT = None  # set by the `lab` fixture: a temporary folder (COURSE_BROWSER_ARTIFACTS to keep)
RUN_ALL_TIMEOUT = 300  # seconds per notebook; the budget is 60 s on an idle 2-core machine
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
OFFLINE_GUARD = pathlib.Path(__file__).resolve().parent / "offline"


def _notebooks() -> list:
    chosen = os.environ.get("COURSE_BROWSER_NOTEBOOKS")
    return [pathlib.Path(p) for p in chosen.split(os.pathsep)] if chosen else NOTEBOOKS


def _digest(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    global ARTIFACTS, LAB_ROOT
    labsession.requirements_or_skip()
    sources = _notebooks() + [REVIEW_CHAPTER]
    for source in sources:
        assert source.exists(), f"{source} is missing"
    keep = os.environ.get("COURSE_BROWSER_ARTIFACTS")
    ARTIFACTS = pathlib.Path(keep) if keep else tmp_path_factory.mktemp("browser")
    LAB_ROOT = ARTIFACTS / "lab"
    shutil.rmtree(LAB_ROOT, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("*.log")]:
        old.unlink()
    copies = {}
    for source in sources:  # keep the folder name: a chapter's kernel runs in a folder called chapters/
        copy = LAB_ROOT / source.parent.name / source.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        solution = notebooks.SOLUTIONS / source.name
        if source.parent == notebooks.CHAPTERS and solution.exists():
            # The chapter as generated, i.e. chapters/NN_*.ipynb of a clean checkout (test_notebooks.py
            # proves they are equal): a learner's own edits to their chapter never enter this test.
            copy.write_text(notebooks.render(notebooks.make_chapter(notebooks.read(solution))), encoding="utf-8")
        else:
            shutil.copyfile(source, copy)
        copies[source] = copy
    scratch = tmp_path_factory.mktemp("jupyterlab")
    progress, network_log = scratch / "progress.json", scratch / "network.log"
    # The server and its kernels run under the offline guard of test_offline.py: a learner's whole
    # session (JupyterLab included) must not reach the network.
    guard = os.pathsep.join(filter(None, [str(OFFLINE_GUARD), os.environ.get("PYTHONPATH")]))
    # The server (and so its kernels) runs with a Python whose environment holds the kernel config that
    # `pip install -r requirements.txt` installs (tools/kernel_setup), as on a learner's machine.
    python = labsession.course_environment(scratch / "env")
    server = labsession.JupyterLab(LAB_ROOT, scratch, python=python, env={
        "COURSE_PROGRESS": "off", "COURSE_PROGRESS_FILE": str(progress),
        "PYTHONPATH": guard, "COURSE_OFFLINE_LOG": str(network_log), "COURSE_NOTEBOOK_ROOTS": str(LAB_ROOT)})
    server.copies, server.progress_file, server.network_log = copies, progress, network_log
    server.digests = {source: _digest(source) for source in sources}
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=labsession.find_chromium(),
                                              args=["--disable-dev-shm-usage", "--no-proxy-server"])
        yield chromium
        chromium.close()


def test_server_requires_the_token(lab):
    assert lab.status("/api/contents", with_token=True) == 200
    assert lab.status("/api/contents", with_token=False) == 403


def _outputs(nb):
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                yield index, cell, output


def _fail_on_errors(nb, name):
    errors = [f"cell {i}: {o.get('ename')}: {o.get('evalue')}\n{cell.source[:300]}"
              for i, cell, o in _outputs(nb) if o.output_type == "error"]
    assert not errors, f"{name} raised in JupyterLab:\n" + "\n\n".join(errors)


def _assert_korean_font(page, element, what):
    fonts = labsession.platform_fonts(page, element)
    known = labsession.korean_font_families()
    korean = [f for f in fonts if f["glyphCount"] > 0 and labsession.is_korean_font(f["familyName"], known)]
    assert korean, f"{what} is not drawn with a Korean font (Hangul would show as boxes): {fonts}"


@pytest.mark.parametrize("source", _notebooks(), ids=lambda p: p.stem)
def test_notebook_runs_in_jupyterlab(lab, browser, source):
    copy = lab.copies[source]
    relative = copy.relative_to(LAB_ROOT).as_posix()
    original = notebooks.read(copy)
    code_cells = sum(1 for c in original.cells if c.cell_type == "code" and c.source.strip())
    has_quiz = any(re.search(r"show_quiz\(|QuizView\(", c.source) for c in original.cells if c.cell_type == "code")
    has_checks = any("check(" in c.source for c in original.cells if c.cell_type == "code")

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page_errors, console_errors = [], []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    try:
        labsession.open_notebook(page, lab, relative)
        state = labsession.run_all_and_wait(page, code_cells, RUN_ALL_TIMEOUT)
        labsession.save(page)
        page.screenshot(path=str(ARTIFACTS / f"{source.stem}-after-run-all.png"))

        # 1. Everything ran, nothing raised (read back from the notebook JupyterLab saved).
        nb = notebooks.read(copy)
        _fail_on_errors(nb, source.name)
        assert state["done"] >= code_cells and not state["errors"], state
        not_run = [i for i, c in enumerate(nb.cells)
                   if c.cell_type == "code" and c.source.strip() and c.execution_count is None]
        assert not not_run, f"cells not executed by Run All: {not_run}"
        stderr = "".join(o.get("text", "") for _, _, o in _outputs(nb) if o.get("name") == "stderr")
        assert "missing from font" not in stderr, f"a plot lacks Hangul glyphs:\n{stderr[:1000]}"
        if has_checks and source.parent.name == "chapters":
            stdout = "".join(o.get("text", "") for _, _, o in _outputs(nb) if o.get("name") == "stdout")
            assert "⏳" in stdout, "a fresh chapter's checks should say '⏳ 아직 구현하지 않았습니다'"
        shown_text = "\n".join(page.locator(f"{labsession.NOTEBOOK} .jp-OutputArea").all_inner_texts())
        assert "Error displaying widget" not in shown_text

        # 2. Widgets render as widgets, not as their text fallback.
        widget_outputs = sum(1 for _, _, o in _outputs(nb) if WIDGET_MIME in o.get("data", {}))
        assert widget_outputs >= 1, "no ipywidgets output (the quiz at least is a widget)"
        shown = labsession.wait_for_outputs(page, widget_outputs, timeout_s=30)
        assert shown["widgets"] == widget_outputs, (shown, widget_outputs)

        # 3. Plots are drawn (inline PNGs that the browser decoded).
        png_outputs = sum(1 for _, _, o in _outputs(nb) if "image/png" in o.get("data", {}))
        assert png_outputs >= 1 and shown["images"] == png_outputs, (shown, png_outputs)
        plots = page.locator(f"{labsession.NOTEBOOK} .jp-OutputArea-output[data-mime-type='image/png'] img")
        for n in range(plots.count()):
            plot = plots.nth(n)
            plot.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plot.element_handle())
            scale = plot.evaluate("img => img.getBoundingClientRect().width / img.naturalWidth")
            assert scale >= 0.9, f"plot {n + 1} is shown at {scale:.0%} of its size (labels shrink): too wide"
            if n < 6:
                plot.screenshot(path=str(ARTIFACTS / f"{source.stem}-plot-{n + 1}.png"))

        # 4. Hangul in the notebook's prose is drawn with a Korean font.
        prose = page.locator(f"{labsession.NOTEBOOK} .jp-MarkdownOutput", has_text=re.compile("[가-힣]")).first
        _assert_korean_font(page, prose, "the first Korean Markdown cell")

        if has_checks and source.parent.name == "chapters":
            pending = page.locator(f"{labsession.NOTEBOOK} .jp-CodeCell",
                                   has=page.locator(".jp-OutputArea-output", has_text="⏳")).first
            pending.scroll_into_view_if_needed()
            pending.screenshot(path=str(ARTIFACTS / f"{source.stem}-check.png"))

        # 5. The quiz answers a click with feedback.
        if has_quiz:
            first = page.locator(f"{labsession.NOTEBOOK} .widget-button", has_text=re.compile("^① ")).first
            block = first.locator("xpath=../..")  # button -> its row of four -> the question's block
            first.scroll_into_view_if_needed()
            first.click()
            feedback = block.locator(":scope > .widget-html").last
            feedback.locator("text=/정답/").wait_for(timeout=30_000)
            assert re.search("⭕ 정답입니다|❌ .+ 정답이 아닙니다", feedback.inner_text())
            _assert_korean_font(page, feedback, "the quiz feedback")
            block.scroll_into_view_if_needed()
            block.screenshot(path=str(ARTIFACTS / f"{source.stem}-quiz.png"))
            page.screenshot(path=str(ARTIFACTS / f"{source.stem}-quiz-page.png"))
            score = page.locator(f"{labsession.NOTEBOOK} .widget-html", has_text="문항 답함").first
            assert "1/" in score.inner_text()

        assert not page_errors, f"JavaScript errors in JupyterLab: {page_errors}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"{source.stem}-failure.png"))
        (ARTIFACTS / f"{source.stem}-console.log").write_text(
            "\n".join(page_errors + console_errors) + "\n\n" + lab.log(), encoding="utf-8")
        raise
    finally:
        page.close()
        lab.shut_down_kernels()


MOCK_FINAL_CELL = """from lib import quiz
from lib.ui.explorers import review as dashboard

items = quiz.load_items()
exam_view = dashboard.show_mock_final(chapters=["00", "04"], size=3, items=items, data={"quiz": {}, "exercises": {}})
exam_view"""


def test_mock_final_in_jupyterlab(lab, browser):
    """A learner takes a short mock final in the browser: answers, marks a confidence, moves on, goes
    back and changes an answer, sees the countdown tick, submits (confirming the blank question) and
    reads the review: score, the changed answer counted, explanations, links to the sections."""
    import nbformat

    folder = LAB_ROOT / "review"
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(MOCK_FINAL_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, str(folder / "mock_final.ipynb"))
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    notebook = labsession.NOTEBOOK
    try:
        labsession.open_notebook(page, lab, "review/mock_final.ipynb")
        state = labsession.run_all_and_wait(page, 1, RUN_ALL_TIMEOUT)
        assert state["done"] == 1 and not state["errors"], state
        assert labsession.wait_for_outputs(page, 1, timeout_s=30)["widgets"] == 1

        def button(text):
            return page.locator(f"{notebook} .widget-button", has_text=re.compile(text)).first

        assert page.locator(f"{notebook} .widget-html", has_text="남은 시간").count() == 0  # nothing started yet
        button("^모의 기말 시작").click()
        header = page.locator(f"{notebook} .widget-html", has_text="남은 시간").first
        header.wait_for(timeout=30_000)
        assert "답한 문항 0/3" in header.inner_text()
        # the countdown ticks in the browser (the kernel is free between ticks)
        page.wait_for_function("el => !el.innerText.includes('25:00')", arg=header.element_handle(),
                               timeout=20_000)
        button("^① ").click()
        button("^확실$").click()
        page.wait_for_function("el => el.innerText.includes('답한 문항 1/3')", arg=header.element_handle(),
                               timeout=20_000)
        button("^다음 ▶$").click()
        page.locator(f"{notebook} .widget-html", has_text=re.compile(r"^2/3\.")).first.wait_for(timeout=20_000)
        button("^② ").click()
        button("^애매$").click()
        page.wait_for_function("el => el.innerText.includes('답한 문항 2/3')", arg=header.element_handle(),
                               timeout=20_000)
        button("^1$").click()  # back to question 1 by its number
        page.locator(f"{notebook} .widget-html", has_text=re.compile(r"^1/3\.")).first.wait_for(timeout=20_000)
        button("^③ ").click()  # change the answer
        page.wait_for_function(
            "() => [...document.querySelectorAll('.widget-button')].some(b => b.innerText.startsWith('③ ')"
            " && b.classList.contains('mod-info'))", timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "mock-final-question.png"))
        button("^제출$").click()
        button("^정말 제출$").click()  # question 3 is blank: asked once more
        review = page.locator(f"{notebook} .mock-review").first
        review.wait_for(timeout=30_000)
        text = review.inner_text()
        assert re.search(r"점수: 3문항 중 [0-3]문항 정답", text), text
        assert "답하지 않은 문항 1개" in text
        items = page.locator(f"{notebook} .mock-review-item")
        assert items.count() == 3
        first, second, third = (items.nth(n).inner_text() for n in range(3))
        assert "내 답 ③ (확실)" in first, first  # the changed answer is the one counted
        assert "내 답 ② (애매)" in second and "(답 없음)" in third
        assert all("풀이:" in t and "다시 볼 곳:" in t for t in (first, second, third))
        links = page.locator(f"{notebook} .mock-review-item a")
        assert links.count() == 3
        assert all(re.search(r"0[04]_[a-z]+\.ipynb", links.nth(n).get_attribute("href")) for n in range(3))
        _assert_korean_font(page, items.first, "the mock final's review")
        review.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "mock-final-review.png"))
        assert not page_errors, f"JavaScript errors in JupyterLab: {page_errors}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "mock-final-failure.png"))
        (ARTIFACTS / "mock-final-console.log").write_text("\n".join(page_errors) + "\n\n" + lab.log(),
                                                          encoding="utf-8")
        raise
    finally:
        page.close()
        lab.shut_down_kernels()


def test_tracked_notebooks_progress_and_network_untouched(lab):
    """Runs after the notebooks: the originals are byte-identical, no progress was recorded, and
    neither JupyterLab nor a kernel tried to reach the network."""
    for source, digest in lab.digests.items():
        assert _digest(source) == digest, f"{source} was modified by the browser test"
    assert not lab.progress_file.exists(), "the browser test recorded learner progress"
    attempts = lab.network_log.read_text(encoding="utf-8") if lab.network_log.exists() else ""
    assert attempts == "", "JupyterLab or a kernel tried to use the network:\n" + attempts


# ---------------------------------------------------------------- chapter 11 in a learner's day (issue 21)


def _page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def _failure(page, name, lab):
    page.screenshot(path=str(ARTIFACTS / f"{name}-failure.png"))
    (ARTIFACTS / f"{name}-console.log").write_text("\n".join(page.errors) + "\n\n" + lab.log(), encoding="utf-8")


def test_review_chapter_run_all_starts_no_exam(lab, browser):
    """Run All on chapter 11 draws the mock final's start button; no exam starts and no clock runs."""
    copy = lab.copies[REVIEW_CHAPTER]
    nb = notebooks.read(copy)
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())
    page, notebook = _page(browser), labsession.NOTEBOOK
    try:
        labsession.open_notebook(page, lab, copy.relative_to(LAB_ROOT).as_posix())
        state = labsession.run_all_and_wait(page, code_cells, RUN_ALL_TIMEOUT)
        assert state["done"] >= code_cells and not state["errors"], state
        start = page.locator(f"{notebook} .widget-button", has_text=re.compile("^모의 기말 시작")).first
        start.wait_for(timeout=60_000)
        page.wait_for_timeout(3_000)  # a running clock would have ticked (and drawn itself) by now
        shown = "\n".join(page.locator(f"{notebook} .jp-OutputArea").all_inner_texts())
        assert "남은 시간" not in shown and page.locator(f"{notebook} .mock-clock").count() == 0
        prose = "\n".join(page.locator(f"{notebook} .jp-MarkdownOutput").all_inner_texts())
        assert "**" not in prose, "raw Markdown bold in chapter 11"
        start.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "review-run-all-start-button.png"))
        assert not page.errors, page.errors
    except Exception:
        _failure(page, "review-run-all", lab)
        raise
    finally:
        page.close()
        lab.shut_down_kernels()


EXPORT_DAY_CELLS = [
    """import os
os.environ.update(COURSE_PROGRESS="on", COURSE_PROGRESS_FILE={progress!r}, COURSE_EXPORTS_DIR={exports!r})
from lib import quiz
from lib.course import progress
from lib.ui import exports
from lib.ui.explorers import review as dashboard

items = quiz.load_items()
for chapter in ("00", "04"):
    progress.record_chapter_opened(chapter)
first = [item for item in items if item.chapter == "00"][0]
progress.record_quiz_answer(first.id, False, choice=(first.answer + 1) % 4)  # one earlier mistake
record = dashboard.Record(items)
print(exports.summary(items, record.data, record.label))""",
    "panel = exports.show_exports(items, record)\npanel",
    "review_view = dashboard.show_review(items, record.data, record.today, size=3, label=record.label)\nreview_view",
    'exam = dashboard.show_mock_final(chapters=["00", "04"], size=3, items=items, label=record.label)\nexam',
]


def test_export_after_a_review_and_a_mock_final_is_current_and_opens_in_jupyterlab(lab, browser, monkeypatch):
    """The walk's day: Run All, a review in the widget, a mock final started with its button, an answer
    from another kernel, then 오답노트 만들기. The export counts what the progress file holds now
    (not what it held at Run All), and its link opens the file in a JupyterLab tab."""
    import json

    import nbformat

    from lib.course import export, quiz

    learner_file = lab.scratch / "learner-progress.json"  # not lab.progress_file: that one must stay absent
    exports_dir = LAB_ROOT / "exports"
    folder = LAB_ROOT / "day"
    folder.mkdir(parents=True, exist_ok=True)
    cells = [EXPORT_DAY_CELLS[0].format(progress=str(learner_file), exports=str(exports_dir))] + EXPORT_DAY_CELLS[1:]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, str(folder / "day.ipynb"))
    page, notebook = _page(browser), labsession.NOTEBOOK

    def button(text):
        return page.locator(f"{notebook} .widget-button:not([disabled])", has_text=re.compile(text)).first

    try:
        labsession.open_notebook(page, lab, "day/day.ipynb")
        state = labsession.run_all_and_wait(page, len(cells), RUN_ALL_TIMEOUT)
        assert state["done"] == len(cells) and not state["errors"], state
        labsession.wait_for_outputs(page, 3, timeout_s=60)
        at_run_all = page.locator(f"{notebook} .jp-OutputArea-output", has_text="틀린 적 있는 문항").first.inner_text()
        assert "틀린 적 있는 문항 1개" in at_run_all

        # the review: answer every item of the session (① each time), moving on after each answer
        for _ in range(3):
            button("^① ").click()
            button("^(다음|요약 보기) ▶$").click()
        page.locator(f"{notebook} .widget-html", has_text="오늘의 복습 끝").first.wait_for(timeout=30_000)

        # another kernel (e.g. chapter 04's quiz) records a wrong answer meanwhile
        monkeypatch.setenv("COURSE_PROGRESS", "on")
        monkeypatch.setenv("COURSE_PROGRESS_FILE", str(learner_file))
        from lib.course import progress

        other = [item for item in quiz.load_items() if item.chapter == "04"][-1]
        progress.record_quiz_answer(other.id, False, choice=(other.answer + 1) % 4)

        # the mock final starts at its button only; one answer, then submit
        button("^모의 기말 시작").click()
        page.locator(f"{notebook} .widget-html", has_text="남은 시간").first.wait_for(timeout=30_000)
        button("^① ").click()
        button("^제출$").click()
        button("^정말 제출$").click()
        page.locator(f"{notebook} .mock-review").first.wait_for(timeout=30_000)

        button("^오답노트 만들기$").click()
        line = page.locator(f"{notebook} .widget-output", has_text="틀린 적 있는 문항").first
        line.wait_for(timeout=30_000)
        shown = int(re.search(r"틀린 적 있는 문항 (\d+)개", line.inner_text()).group(1))
        data = json.loads(learner_file.read_text(encoding="utf-8"))
        expected = len(export.missed_items(quiz.load_items(), data))
        assert shown == expected >= 2, (shown, expected, line.inner_text())  # the current file, not the Run-All copy
        assert data["mock_exams"][0]["submitted"] and len(data["quiz"]) >= 3  # review and mock were recorded
        written = sorted(exports_dir.glob("odapnote-*.html"))
        assert len(written) == 1 and f"틀린 적 있는 문항 {expected}개" in written[0].read_text(encoding="utf-8")
        page.screenshot(path=str(ARTIFACTS / "export-after-day.png"))

        # the link opens the file inside JupyterLab (its HTML viewer), not as a download
        line.locator("a", has_text="odapnote").first.click()
        viewer = page.locator(".jp-HTMLViewer:not(.lm-mod-hidden)").first
        viewer.wait_for(timeout=30_000)
        frame = page.frame_locator(".jp-HTMLViewer:not(.lm-mod-hidden) iframe").first
        frame.locator("h1", has_text="오답노트").wait_for(timeout=30_000)
        assert f"틀린 적 있는 문항 {expected}개" in frame.locator("body").inner_text()
        assert page.locator(".lm-TabBar-tab", has_text=written[0].name).count() >= 1
        page.screenshot(path=str(ARTIFACTS / "export-open-in-jupyterlab.png"))
        assert not page.errors, page.errors
    except Exception:
        _failure(page, "export-day", lab)
        raise
    finally:
        page.close()
        lab.shut_down_kernels()


def _later_cell_needing_an_earlier_one(nb) -> int:
    """Index of the first code cell (after the first) that uses a name an earlier code cell defines."""
    defined = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        used = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", cell.source))
        if defined and used & defined:
            return index
        defined |= notebooks.defined_names(cell.source)
    raise AssertionError("no cell uses an earlier cell's name")


def test_restart_then_a_later_cell_gives_the_korean_hint(lab, browser):
    """After a kernel restart, the first cell run is a later one: the NameError comes with the Korean
    hint, with no other cell run before it (the kernel loads the hint at start-up)."""
    source = NOTEBOOKS[0]
    copy = lab.copies[source]
    index = _later_cell_needing_an_earlier_one(notebooks.read(copy))
    page, notebook = _page(browser), labsession.NOTEBOOK
    try:
        labsession.open_notebook(page, lab, copy.relative_to(LAB_ROOT).as_posix())
        lab.restart_kernels()
        page.wait_for_timeout(2_000)
        # Open the page again on the restarted kernel: a restart through the REST API can race with the
        # page's own websocket (seen here: the status bar stayed at "Starting"); the kernel keeps no state.
        labsession.open_notebook(page, lab, copy.relative_to(LAB_ROOT).as_posix())
        page.wait_for_function(labsession.KERNEL_IDLE_JS, timeout=120_000)
        cell = page.locator(f"{notebook} .jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").first.click()
        page.keyboard.press("Shift+Enter")
        output = cell.locator(".jp-OutputArea-output", has_text="💡").first
        output.wait_for(timeout=60_000)
        text = cell.locator(".jp-OutputArea").inner_text()
        assert "NameError" in text and "💡" in text, text
        cell.screenshot(path=str(ARTIFACTS / "restart-later-cell-hint.png"))
    except Exception:
        _failure(page, "restart-hint", lab)
        raise
    finally:
        page.close()
        lab.shut_down_kernels()
