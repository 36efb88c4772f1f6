"""노트 다시 보기 in a real browser (headless Debian Chromium, driven by Playwright as in test_browser.py).

Both files (lib.course.study_pack.write_all, written into a temporary folder) are opened from disk
with the network cut off:
- at 390 px (a phone): no horizontal scroll, every figure within the width;
- in print emulation at A4 width: no horizontal overflow, and 핵심 정리 prints one chapter per page;
- Hangul is drawn with the embedded NanumGothic (a web font, loaded) at a non-zero width.
Skipped without Chromium/Playwright (failed instead under CI, as test_browser.py).
"""

import os
import re

import pytest

import labsession
from lib.course import study_pack

PHONE = {"width": 390, "height": 844}
A4 = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 px per inch


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("study_pack_browser")
    old = {k: os.environ.get(k) for k in ("COURSE_EXPORTS_DIR", "COURSE_PROGRESS_FILE")}
    os.environ["COURSE_EXPORTS_DIR"] = str(tmp / "exports")
    os.environ["COURSE_PROGRESS_FILE"] = str(tmp / "progress.json")
    try:
        return study_pack.write_all()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def browser():
    labsession.requirements_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=labsession.find_chromium(),
                                              args=["--disable-dev-shm-usage", "--no-proxy-server"])
        yield chromium
        chromium.close()


def _open(browser, path, viewport, media="screen"):
    context = browser.new_context(viewport=viewport, offline=True)
    requests = []
    context.route(re.compile(r"^(?!file:|data:)"), lambda route: (requests.append(route.request.url), route.abort()))
    page = context.new_page()
    page.emulate_media(media=media)
    page.goto(path.as_uri())
    page.evaluate("document.fonts.ready.then(() => true)")
    return context, page, requests


def _overflow(page) -> dict:
    return page.evaluate("""() => ({
        scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
        wide: [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.formula, pre') && e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className),
    })""")


@pytest.mark.parametrize("which", [0, 1], ids=["annotated-notes", "key-summary"])
def test_readable_on_a_phone(browser, files, which):
    context, page, requests = _open(browser, files[which], PHONE)
    try:
        result = _overflow(page)
        assert result["scrollWidth"] <= result["innerWidth"], result
        assert result["wide"] == [], result
        images = page.evaluate("[...document.images].map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
        assert images and all(natural > 0 and 0 < shown <= PHONE["width"] for natural, shown in images), images
        assert requests == []
    finally:
        context.close()


@pytest.mark.parametrize("which", [0, 1], ids=["annotated-notes", "key-summary"])
def test_printable_on_a4(browser, files, which):
    context, page, _ = _open(browser, files[which], A4, media="print")
    try:
        result = _overflow(page)
        assert result["scrollWidth"] <= result["innerWidth"], result
        pdf = page.pdf(format="A4", print_background=False)
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        if which == 1:  # one chapter per page at least: 00-10
            assert pages >= len(study_pack.SUMMARY_CHAPTERS), pages
            breaks = page.evaluate("[...document.querySelectorAll('section.chapter')]"
                                   ".map(s => getComputedStyle(s).breakBefore)")
            assert breaks[0] == "auto" and set(breaks[1:]) == {"page"}, breaks
        else:
            assert pages >= 2
    finally:
        context.close()


@pytest.mark.parametrize("which", [0, 1], ids=["annotated-notes", "key-summary"])
def test_hangul_is_drawn_with_the_embedded_font(browser, files, which):
    if study_pack.font_path() is None:
        pytest.skip("koreanize-matplotlib (NanumGothic) not installed: nothing to embed")
    context, page, _ = _open(browser, files[which], PHONE)
    try:
        fonts = page.evaluate("[...document.fonts].map(f => [f.family.replace(/[\"']/g, ''), f.status])")
        assert [study_pack.FONT_FAMILY, "loaded"] in fonts, fonts
        assert page.evaluate(f"document.fonts.check('16px {study_pack.FONT_FAMILY}', '노트 다시 보기 핵심 정리')")
        heading = page.query_selector("h1")
        width = page.evaluate("""h => { const r = document.createRange(); r.selectNodeContents(h);
                                        return r.getBoundingClientRect().width; }""", heading)
        assert width > 0
        used = labsession.platform_fonts(page, heading)
        embedded = [f for f in used if f.get("isCustomFont") and f["glyphCount"] > 0]
        assert embedded and all("nanum" in f["familyName"].lower() for f in embedded), used
    finally:
        context.close()


def test_the_checks_can_fail(browser, tmp_path):
    """The same measurements on pages built wrong: a figure without max-width overflows the phone,
    and a page without the embedded font has no such web font loaded."""
    png = study_pack.figure_png("07", study_pack.load_data()["chapters"]["07"]["figure"])
    wrong = tmp_path / "wrong.html"
    wrong.write_text("<!DOCTYPE html><html lang='ko'><head><meta charset='utf-8'>"
                     "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
                     f"<body><h1>핵심 정리</h1><img src='data:image/png;base64,{png}'></body></html>", encoding="utf-8")
    context, page, _ = _open(browser, wrong, PHONE)
    try:
        result = _overflow(page)
        assert result["scrollWidth"] > result["innerWidth"] and result["wide"], result
        fonts = page.evaluate("[...document.fonts].map(f => f.family)")
        assert study_pack.FONT_FAMILY not in str(fonts)
    finally:
        context.close()
