"""A real JupyterLab in a real (headless) Chromium, for tests/test_browser.py.

Nothing here downloads a browser: Playwright's Python package drives Debian's ``chromium``.
The server listens on 127.0.0.1 with token authentication on; its settings, workspaces and runtime
files live in a temporary folder, so a learner's own JupyterLab configuration is never read or changed.
"""

import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

# What the browser test needs from the system: Chromium, a Korean font, an emoji font (the checks say
# ✅ ❌ ⏳). .ci/run installs exactly these (tests/test_readme_ci.py checks it).
APT_PACKAGES = ("chromium", "fonts-nanum", "fonts-noto-color-emoji")
ENABLE_HINT = (
    "install Debian's Chromium and Korean and emoji fonts (as root: `apt-get update && apt-get install -y "
    + " ".join(APT_PACKAGES)
    + "`) and `pip install -r requirements.txt` (Playwright's Python package; never `playwright install`),"
    " or point COURSE_CHROMIUM at a Chromium executable"
)
# Talks to the local server directly, whatever http_proxy says.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Well-known Korean font families, used when fontconfig's fc-list is not available.
KOREAN_FONT_HINTS = ("nanum", "noto sans cjk", "noto serif cjk", "noto sans kr", "un dotum", "baekmuk")


def find_chromium() -> str | None:
    """Path of a Chromium executable: $COURSE_CHROMIUM, else Debian's binary, else `chromium` on PATH."""
    override = os.environ.get("COURSE_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else None
    debian = "/usr/lib/chromium/chromium"  # the binary behind Debian's /usr/bin/chromium wrapper script
    if os.access(debian, os.X_OK):
        return debian
    return shutil.which("chromium") or shutil.which("chromium-browser")


def requirements_or_skip() -> None:
    """Skip a browser test when Chromium or Playwright's Python package is missing, with the command that
    enables it; fail instead under CI (CI=true, set by .ci/run, which installs them): CI never skips it."""
    import pytest

    missing = []
    if find_chromium() is None:
        missing.append("Chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright's Python package")
    if missing:
        message = f"browser test: {' and '.join(missing)} not found; to run it, {ENABLE_HINT}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI must run this test, not skip it)")
        pytest.skip(message)


def korean_font_families() -> set | None:
    """Lower-cased families of installed fonts that cover Korean (None: fontconfig not available)."""
    if not shutil.which("fc-list"):
        return None
    out = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, timeout=30).stdout
    return {name.strip().lower() for line in out.splitlines() for name in line.split(",") if name.strip()}


def is_korean_font(family: str, known: set | None) -> bool:
    family = family.lower()
    if known is not None:
        return family in known
    return any(hint in family for hint in KOREAN_FONT_HINTS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """``jupyter lab`` serving ``root`` on 127.0.0.1 with a random token, until ``stop()``."""

    def __init__(self, root: pathlib.Path, scratch: pathlib.Path, env: dict | None = None, python: str | None = None):
        self.root, self.scratch = pathlib.Path(root), pathlib.Path(scratch)
        self.python = str(python or sys.executable)  # the server's Python; its kernels run with it too
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.scratch / "jupyterlab.log"
        self.env = env or {}
        self.process = None

    def start(self, timeout: float = 120.0) -> "JupyterLab":
        env = dict(os.environ)
        # A learner's kernel draws plots inline: no MPLBACKEND (e.g. Agg) inherited from the test session.
        env.pop("MPLBACKEND", None)
        for name in ("runtime", "settings", "workspaces", "config", "data"):
            (self.scratch / name).mkdir(parents=True, exist_ok=True)
        # No "get Jupyter news?" toast over the notebook, no update check.
        notification = self.scratch / "settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True, exist_ok=True)
        notification.write_text('{"fetchNews": "false", "checkForUpdates": false}', encoding="utf-8")
        env.update({
            "JUPYTER_RUNTIME_DIR": str(self.scratch / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(self.scratch / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.scratch / "workspaces"),
            "JUPYTER_CONFIG_DIR": str(self.scratch / "config"),
            "JUPYTER_DATA_DIR": str(self.scratch / "data"),
        })
        if self.python != sys.executable:  # another environment's Python: keep this one's JupyterLab extensions
            shared = str(pathlib.Path(sys.prefix) / "share" / "jupyter")
            env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [env.get("JUPYTER_PATH"), shared]))
        env.update(self.env)
        command = [
            self.python, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            # No news and no update check: nothing goes to the internet, no toast over the notebook.
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI containers run as root
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n{self.log()}")
            if self.status(with_token=True) == 200:
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{self.log()}")

    def status(self, path: str = "/api/status", with_token: bool = True) -> int | None:
        """HTTP status of a GET (None if nothing answers)."""
        headers = {"Authorization": f"token {self.token}"} if with_token else {}
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            with DIRECT.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def url(self, relative_path: str, workspace: str) -> str:
        """The notebook in a workspace of its own (no tabs restored from another test)."""
        return f"{self.base}/lab/workspaces/{workspace}/tree/{relative_path}?token={self.token}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(self.base + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with DIRECT.open(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def restart_kernels(self) -> None:
        """Restart every running kernel (what Kernel > Restart Kernel does), through the REST API."""
        for kernel in self.api("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}/restart", method="POST")

    def shut_down_kernels(self) -> None:
        for session in self.api("/api/sessions"):
            self.api(f"/api/sessions/{session['id']}", method="DELETE")

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-5000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # the server shuts its kernels down on SIGTERM
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()


def course_environment(folder: pathlib.Path) -> pathlib.Path:
    """A virtual environment that sees this interpreter's packages (lib included) and holds the course's
    kernel config in its ``etc/ipython`` -- what ``pip install -r requirements.txt`` sets up through
    tools/kernel_setup. Kernels started with its Python read that config, as a learner's do.
    Returns its python. The running environment is never changed."""
    import venv

    folder = pathlib.Path(folder)
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    here = [p for p in sys.path if p.endswith("site-packages")]
    pathlib.Path(site_packages, "course_parent_environment.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in here), encoding="utf-8")
    setup = pathlib.Path(__file__).resolve().parents[1] / "tools" / "kernel_setup" / "ipython_kernel_config.py"
    (folder / "etc" / "ipython").mkdir(parents=True, exist_ok=True)
    shutil.copy(setup, folder / "etc" / "ipython")
    return python


# ------------------------------------------------------------------ the notebook page

# The notebook on screen (other panels, if any, are hidden).
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"

# Counts code cells by their prompt: "[3]:" executed, "[*]:" running or queued, "[ ]:" not run.
PROMPTS_JS = """() => {
  const notebook = document.querySelector('%s');
  const prompts = [...notebook.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  const errors = [...notebook.querySelectorAll('.jp-OutputArea-output')]
    .filter(o => o.textContent.includes('Traceback (most recent call last)')).length;
  const dialog = document.querySelector('.jp-Dialog');
  return {cells: prompts.length, done: prompts.filter(t => /\\[\\d+\\]/.test(t)).length,
          running: prompts.filter(t => t.includes('*')).length, errors: errors,
          dialog: dialog ? dialog.innerText : null};
}""" % NOTEBOOK


# Outputs of the cells themselves (not those nested inside an Output widget): how many show a rendered
# widget, and how many an image.
TOP_LEVEL_OUTPUTS_JS = """() => {
  const notebook = document.querySelector('%s');
  const top = [...notebook.querySelectorAll('.jp-OutputArea-output')].filter(o =>
    o.parentElement.closest('.jp-OutputArea') === o.closest('.jp-Cell').querySelector('.jp-OutputArea'));
  return {widgets: top.filter(o => o.querySelector('.jupyter-widgets')).length,
          images: top.filter(o => o.getAttribute('data-mime-type') === 'image/png' && o.querySelector('img')).length};
}""" % NOTEBOOK



def wait_for_outputs(page, widgets: int, timeout_s: float) -> dict:
    """Top-level output counts once ``widgets`` widgets have rendered (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    while True:
        shown = page.evaluate(TOP_LEVEL_OUTPUTS_JS)
        if shown["widgets"] >= widgets or time.monotonic() > deadline:
            return shown
        time.sleep(0.5)


# The status bar reads "Python 3 (ipykernel) | Idle" once the kernel runs ("No Kernel | ..." before).
KERNEL_IDLE_JS = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
  .some(e => /\\| Idle$/.test(e.textContent.trim()) && !e.textContent.startsWith('No Kernel'))"""


def open_notebook(page, lab: JupyterLab, relative_path: str, timeout_ms: int = 120_000) -> None:
    """Open a notebook (in a workspace of its own) and wait until its kernel is idle."""
    workspace = re.sub(r"[^A-Za-z0-9]+", "-", relative_path)
    page.goto(lab.url(relative_path, workspace), timeout=timeout_ms)
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=timeout_ms)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=timeout_ms)


def click_menu(page, menu: str, item: str) -> None:
    """Click a main-menu entry by its labels, the way a learner does: Run > Run All Cells."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    label = page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$"))
    page.locator(".lm-Menu .lm-Menu-item:not(.lm-mod-disabled)", has=label).first.click()


def run_all_and_wait(page, code_cells: int, timeout_s: float) -> dict:
    """Run > Run All Cells, then wait until every code cell ran (or a cell failed and the rest stopped).

    Stored outputs (a solution's) are cleared first, so every prompt number seen is from this run.
    """
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("() => (%s)().done === 0" % PROMPTS_JS, timeout=30_000)
    click_menu(page, "Run", "Run All Cells")
    deadline = time.monotonic() + timeout_s
    state = {}
    while time.monotonic() < deadline:
        state = page.evaluate(PROMPTS_JS)
        if state["dialog"]:
            raise RuntimeError(f"JupyterLab asks: {state['dialog']}")
        finished = state["done"] >= code_cells or (state["errors"] and not state["running"])
        if finished and not state["running"]:
            page.wait_for_function(KERNEL_IDLE_JS, timeout=60_000)
            return page.evaluate(PROMPTS_JS)
        time.sleep(1.0)
    raise TimeoutError(f"Run All did not finish in {timeout_s:.0f} s: {state}")


def save(page) -> None:
    click_menu(page, "File", "Save Notebook")
    page.wait_for_function(
        "() => !document.querySelector('.jp-NotebookPanel.jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty')",
        timeout=60_000)


def platform_fonts(page, element) -> list:
    """The fonts Chromium actually drew an element's text with (its descendants' text included).

    [{familyName, glyphCount, ...}], one entry per font, from the DevTools protocol.
    """
    element.scroll_into_view_if_needed()  # off-screen cells are not laid out (content-visibility)
    page.wait_for_timeout(200)
    cdp = page.context.new_cdp_session(page)
    mark = "e => [e, ...e.querySelectorAll('*')].forEach(x => x.toggleAttribute('data-font-probe'))"
    element.evaluate(mark)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-font-probe]"})["nodeIds"]
        used = {}
        for node in nodes:
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
                seen = used.setdefault(font["familyName"], dict(font, glyphCount=0))
                seen["glyphCount"] += font["glyphCount"]
        return list(used.values())
    finally:
        element.evaluate(mark)
        cdp.detach()
