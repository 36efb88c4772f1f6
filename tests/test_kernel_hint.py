"""The Korean NameError hint from a kernel's first cell (issue 21): ``tools/kernel_setup`` installs
``ipython_kernel_config.py`` into ``<environment>/etc/ipython/``, which IPython kernels read at start-up;
it loads ``lib.course.kernel_hint``, which acts only for notebooks inside the course folder."""

import os
import pathlib
import shutil
import subprocess
import sys
import tomllib
import venv

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
    """A virtual environment that sees this interpreter's packages and holds the course's kernel config
    in its etc/ipython (what `pip install ./tools/kernel_setup` puts there). Returns its python."""
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    here = [p for p in sys.path if p.endswith("site-packages")]
    pathlib.Path(site_packages, "course_test_parent.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in here), encoding="utf-8")
    (folder / "etc" / "ipython").mkdir(parents=True)
    shutil.copy(SETUP / "ipython_kernel_config.py", folder / "etc" / "ipython")
    return python


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
    assert "NameError" in first and "💡 `decoding`" in first and "번째 코드 셀" in first
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    plain = run_in_kernel(python, elsewhere, "decoding")
    assert "NameError" in plain and "💡" not in plain
