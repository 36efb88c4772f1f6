"""A learner asks for a hint in a real JupyterLab (issue 23): chapter 00 as a learner gets it, with one
cell added after the first exercise's check: ``hint("attention.weighted_average")``. Run All shows the
first level; running that cell again shows the second; the learner's (temporary) progress file then
holds the highest level shown. The chapter in the repository is never touched.

Same requirements as tests/test_browser.py (Debian's chromium, Korean and emoji fonts, Playwright's
Python package); skipped with the command that enables them when they are missing, failing under CI.
"""

import json
import os
import re
import shutil

import pytest

import labsession
from lib.course import notebooks

CHAPTER = "00_start.ipynb"
EXERCISE = "attention.weighted_average"
HINT_CELL = f'hint("{EXERCISE}")'
RUN_ALL_TIMEOUT = 300
OFFLINE_GUARD = notebooks.ROOT / "tests" / "offline"


def _chapter_with_hint_cell():
    """Chapter 00 as generated from its solution, with a hint cell right after the first check cell."""
    import nbformat

    nb = notebooks.make_chapter(notebooks.read(notebooks.SOLUTIONS / CHAPTER))
    position = next(i for i, cell in enumerate(nb.cells)
                    if cell.cell_type == "code" and f'check("{EXERCISE}"' in cell.source)
    cell = nbformat.v4.new_code_cell("from lib.checks import hint\n" + HINT_CELL)
    nb.cells.insert(position + 1, cell)
    return nb, sum(1 for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    labsession.requirements_or_skip()
    root = tmp_path_factory.mktemp("hintlab")
    nb, code_cells = _chapter_with_hint_cell()
    path = root / "chapters" / CHAPTER  # a chapter's kernel runs in a folder called chapters/
    path.parent.mkdir(parents=True)
    path.write_text(notebooks.render(nb), encoding="utf-8")
    scratch = tmp_path_factory.mktemp("hintlab-server")
    progress = scratch / "progress.json"
    guard = os.pathsep.join(filter(None, [str(OFFLINE_GUARD), os.environ.get("PYTHONPATH")]))
    python = labsession.course_environment(scratch / "env")
    server = labsession.JupyterLab(root, scratch, python=python, env={
        "COURSE_PROGRESS": "on", "COURSE_PROGRESS_FILE": str(progress), "PYTHONPATH": guard,
        "COURSE_OFFLINE_LOG": str(scratch / "network.log"), "COURSE_NOTEBOOK_ROOTS": str(root)})
    server.progress_file, server.code_cells, server.root = progress, code_cells, root
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _hint_output(page, wanted: str = "힌트"):
    """The hint cell (scrolled into view: off-screen cells are not laid out) and its output text."""
    cell = page.locator(f"{labsession.NOTEBOOK} .jp-CodeCell", has_text=HINT_CELL).first
    cell.scroll_into_view_if_needed()
    output = cell.locator(".jp-OutputArea")
    for _ in range(60):
        text = output.inner_text()
        if wanted in text:
            break
        page.wait_for_timeout(500)
    return cell, text


def test_hint_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=labsession.find_chromium(),
                                             args=["--disable-dev-shm-usage", "--no-proxy-server"])
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        try:
            labsession.open_notebook(page, lab, f"chapters/{CHAPTER}")
            state = labsession.run_all_and_wait(page, lab.code_cells, RUN_ALL_TIMEOUT)
            assert not state["errors"], state
            cell, text = _hint_output(page)
            assert re.search(r"💡 힌트 1/\d — " + re.escape(EXERCISE), text), text
            assert "한 번 더 실행" in text

            cell.locator(".jp-InputArea").click()  # the learner runs the same cell again
            page.keyboard.press("Shift+Enter")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-CodeCell')].some(c => c.innerText.includes('힌트 2/'))",
                timeout=60_000)
            _, text = _hint_output(page, "힌트 2/")
            assert "힌트 2/" in text and "힌트 1/" not in text
            assert "(B, T)" not in text  # the exercise's own hint, not another's

            page.wait_for_timeout(500)
            data = json.loads(lab.progress_file.read_text(encoding="utf-8"))
            assert data["hints"][EXERCISE]["level"] == 2
            assert EXERCISE not in data.get("exercises", {})  # the stub was not a pass
        except BaseException:
            page.screenshot(path=str(lab.scratch / "hint-failure.png"))
            raise
        finally:
            browser.close()
