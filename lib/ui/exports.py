"""Chapter 11's export panel: buttons that write what the learner rereads away from the notebooks
(오답노트, the study pack: annotated notes and 핵심 정리) into ``exports/`` (spec §13), and links that
open those files inside JupyterLab.

Every button press reads the progress file again (``record.data``), so an export made after a review
or a mock final has today's counts. The links are relative to the notebook's folder (the kernel's
working directory), e.g. ``../exports/odapnote-2026-12-04.html``: JupyterLab's link handler opens a
relative link of a rendered output with its document manager, so an ``.html`` file opens in
JupyterLab's HTML viewer tab, not as a download. For the example learner (solutions/, tests) the
files go to a temporary folder and nothing is written into the course.
"""

import contextlib
import html
import os
import pathlib
import tempfile

from lib.course import export


def relative_link(path, start=None) -> str:
    """``path`` relative to ``start`` (default: the kernel's working directory = the notebook's
    folder), with forward slashes; a file URI when there is no relative path (another drive)."""
    path = pathlib.Path(path).resolve()
    start = pathlib.Path(start or pathlib.Path.cwd()).resolve()
    try:
        return os.path.relpath(path, start).replace(os.sep, "/")
    except ValueError:
        return path.as_uri()


def link_html(path, text: str | None = None, start=None) -> str:
    """An HTML anchor to ``path`` that JupyterLab opens in a tab (see the module docstring)."""
    href = html.escape(relative_link(path, start), quote=True)
    return f"<a href='{href}'>{html.escape(text or pathlib.Path(path).name)}</a>"


def study_pack_module():
    """``lib.course.study_pack`` when it exists (engineer F's module), else None."""
    try:
        from lib.course import study_pack
    except ImportError:
        return None
    return study_pack if callable(getattr(study_pack, "write_all", None)) else None


@contextlib.contextmanager
def _exports_into(folder):
    """While inside, ``export.exports_dir()`` is ``folder`` (None: unchanged)."""
    if folder is None:
        yield
        return
    old = os.environ.get("COURSE_EXPORTS_DIR")
    os.environ["COURSE_EXPORTS_DIR"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COURSE_EXPORTS_DIR", None)
        else:
            os.environ["COURSE_EXPORTS_DIR"] = old


class ExportPanel:
    """Two buttons and what they wrote: 오답노트 (``wrong_notes()``) and 공부 자료 (``study_pack()``).

    ``record`` is chapter 11's ``Record``: ``record.data`` is read again at every press. For the
    example learner the files go to a temporary folder (``folder``), never into the course.
    """

    def __init__(self, items, record, folder=None):
        import ipywidgets as widgets

        self.items, self.record = items, record
        self.folder = folder if folder is not None else (tempfile.mkdtemp(prefix="course-example-exports-")
                                                         if record.is_example else None)
        self.notes_button = widgets.Button(description="오답노트 만들기", icon="file-text",
                                           button_style="primary", layout=widgets.Layout(width="auto"))
        self.notes_button.on_click(lambda _b: self.wrong_notes())
        self.pack_button = widgets.Button(description="공부 자료 만들기 (주석 단 노트 · 핵심 정리)", icon="book",
                                          layout=widgets.Layout(width="auto"))
        self.pack_button.on_click(lambda _b: self.study_pack())
        self.output = widgets.Output()
        where = ("예시 데이터라 임시 폴더에 씁니다 (링크는 열리지 않습니다)" if record.is_example
                 else f"파일은 코스 폴더의 <code>exports/</code>에 생깁니다")
        self.widget = widgets.VBox([widgets.HTML(f"누를 때마다 진도 파일을 새로 읽어 만듭니다. {where}."),
                                    widgets.HBox([self.notes_button, self.pack_button]), self.output])
        self.paths = []

    def _show(self, html_text: str) -> None:
        from IPython.display import HTML, display

        with self.output:
            display(HTML(html_text))

    def _links(self, paths) -> str:
        if self.record.is_example:
            return ", ".join(html.escape(pathlib.Path(p).name) for p in paths)
        return ", ".join(link_html(p) for p in paths)

    def wrong_notes(self) -> pathlib.Path | None:
        """Write the 오답노트 from the record as it is now; show its counts and a link. Returns the path."""
        data, day, label = self.record.data, self.record.today, self.record.label
        try:
            with _exports_into(self.folder):
                path = export.write_wrong_notes(items=self.items, data=data, day=day, label=label)
        except OSError as error:
            self._show(f"<span style='color:#cf222e'>⚠️ 오답노트를 쓰지 못했습니다: {html.escape(str(error))}</span>")
            return None
        self.paths.append(path)
        self._show(f"<div>📄 {html.escape(summary(self.items, data, label))} — 열기: {self._links([path])}</div>")
        return path

    def study_pack(self) -> list:
        """Write the study pack (``lib.course.study_pack.write_all()``) and show links; a Korean
        message when that module is not there yet. Returns the paths written."""
        module = study_pack_module()
        if module is None:
            self._show("<span style='color:#9a6700'>공부 자료(주석 단 노트 · 핵심 정리) 만들기는 아직 준비 중입니다 "
                       "(<code>lib.course.study_pack</code>이 아직 없습니다). 오답노트는 지금 만들 수 있습니다.</span>")
            return []
        try:
            with _exports_into(self.folder):
                paths = [pathlib.Path(p) for p in module.write_all(progress_data=self.record.data)]
        except Exception as error:  # noqa: BLE001 - a broken export must not break the chapter
            self._show(f"<span style='color:#cf222e'>⚠️ 공부 자료를 만들지 못했습니다: {html.escape(repr(error))}</span>")
            return []
        self.paths += paths
        self._show(f"<div>📚 공부 자료 {len(paths)}개 — 열기: {self._links(paths)}</div>")
        return paths

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def summary(items, data, label: str = "") -> str:
    """"[내 진도 파일] 오답노트: 틀린 적 있는 문항 5개 (아직 틀린 상태 3개), 약한 주장 2개"."""
    missed = export.missed_items(items, data)
    still = sum(state.last_correct is False for _i, state, _e in missed)
    head = f"[{label}] " if label else ""
    return (f"{head}오답노트: 틀린 적 있는 문항 {len(missed)}개 (아직 틀린 상태 {still}개), "
            f"약한 주장 {len(export.weak_claims(items, data))}개")


def show_exports(items, record, folder=None) -> ExportPanel:
    """Chapter 11's export panel (see ``ExportPanel``)."""
    return ExportPanel(items, record, folder)
