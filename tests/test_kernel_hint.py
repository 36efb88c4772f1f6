"""The Korean NameError hint from a kernel's first cell (issue 21): ``tools/kernel_setup`` installs
``ipython_kernel_config.py`` into ``<environment>/etc/ipython/``, which IPython kernels read at start-up;
it loads ``lib.course.kernel_hint``, which acts only for notebooks inside the course folder."""

import os
import pathlib
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SETUP = ROOT / "tools" / "kernel_setup"


class FakeShell:
    def __init__(self):
        self.custom_exceptions = ()
        self.handled = None

    def set_custom_exc(self, exceptions, handler):
        self.custom_exceptions, self.handled = exceptions, handler


def test_extension_acts_only_inside_the_course(tmp_path, monkeypatch):
    from lib.course import kernel_hint

    assert kernel_hint.in_course(ROOT / "chapters", session="")
    assert kernel_hint.in_course(ROOT / "solutions", session="")
    assert not kernel_hint.in_course(tmp_path, session="")
    assert kernel_hint.in_course(tmp_path, session=str(ROOT / "chapters" / "04_attention.ipynb"))
    monkeypatch.setenv("COURSE_NOTEBOOK_ROOTS", str(tmp_path))
    assert kernel_hint.in_course(tmp_path / "chapters", session="")
    monkeypatch.delenv("COURSE_NOTEBOOK_ROOTS")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)  # another project's kernel in the same environment: left alone
    outside = FakeShell()
    kernel_hint.load_ipython_extension(outside)
    assert outside.handled is None
    monkeypatch.chdir(ROOT / "chapters")
    inside = FakeShell()
    kernel_hint.load_ipython_extension(inside)
    assert inside.custom_exceptions == (NameError,) and inside.handled is not None


def test_importing_the_extension_changes_nothing():
    code = ("import sys; import lib.course.kernel_hint; import IPython.core.interactiveshell as s; "
            "print(s.InteractiveShell.initialized(), sys.excepthook is sys.__excepthook__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "chapters", capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split() == ["False", "True"], done.stderr[-2000:]


def test_kernel_setup_installs_the_config_into_etc_ipython():
    project = tomllib.loads((SETUP / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["tool"]["setuptools"]["data-files"] == {"etc/ipython": ["ipython_kernel_config.py"]}
    config = (SETUP / "ipython_kernel_config.py").read_text(encoding="utf-8")
    assert 'c.InteractiveShellApp.extensions.append("lib.course.kernel_hint")' in config  # appended, not set


def test_requirements_install_the_kernel_setup():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    if "./tools/kernel_setup" not in lines:
        pytest.skip("requirements.txt has no ./tools/kernel_setup line yet (issue 21: the coordinator adds it)")
    assert "-e ./tools/kernel_setup" not in lines  # editable installs leave data files out


def _environment_with_the_config(folder: pathlib.Path) -> pathlib.Path:
    import labsession

    return labsession.course_environment(folder)


def run_in_kernel(python, cwd, code: str, session: str = "") -> str:
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec

    manager = KernelManager()
    manager._kernel_spec = KernelSpec(argv=[str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                      display_name="course test", language="python")
    env = dict(os.environ, JPY_SESSION_NAME=session, COURSE_PROGRESS="off")
    manager.start_kernel(cwd=str(cwd), env=env)
    client = manager.client()
    out = []
    try:
        client.start_channels()
        client.wait_for_ready(timeout=120)
        client.execute_interactive(code, timeout=120, output_hook=lambda msg: out.append(
            msg["content"].get("text") or "\n".join(msg["content"].get("traceback", []))))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return "\n".join(out)


def test_a_fresh_kernel_gives_the_hint_at_its_first_cell(tmp_path):
    """A new kernel in chapters/ whose first cell uses a name an earlier cell defines: the hint is
    there with nothing run before it. The same environment outside the course: no hint."""
    python = _environment_with_the_config(tmp_path / "env")
    notebook = ROOT / "chapters" / "04_attention.ipynb"
    first = run_in_kernel(python, ROOT / "chapters", "decoding.greedy_decode", session=str(notebook))
    assert "NameError" in first and "💡 decoding —" in first and "번째 코드 셀" in first
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    plain = run_in_kernel(python, elsewhere, "decoding")
    assert "NameError" in plain and "💡" not in plain
