"""tools/nbexec.py notices a kernel that stopped answering, and only such a kernel (spec section 8).

A stuck kernel is simulated inside a real ipykernel: a cell swaps the kernel's ``execute_request``
handler for one that drops the *next* request without replying. The kernel then looks exactly like
the stalls seen under load: alive, ``idle`` (or never ``busy``), no ``execute_reply``. The watchdog
must notice within seconds and re-run the notebook once on a fresh kernel; a second stall fails; a
cell that is legitimately busy for much longer than the watchdog's limit (sleeping: no CPU at all)
must not trip it.
"""

import sys
import warnings
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import nbexec  # noqa: E402

STALL_AFTER = 5.0        # the watchdog's limit in the tests where no stall may be reported
STALL_AFTER_STUCK = 3.0  # ... and where one is simulated (an early false alarm there would still be a stall)

SWALLOW_NEXT = """\
import pathlib
marker = pathlib.Path({marker!r})
if {every_run} or not marker.exists():
    marker.write_text("stalled once")
    kernel = get_ipython().kernel
    original, publish = kernel.shell_handlers["execute_request"], kernel._publish_status
    this_cell = kernel.get_parent("shell")["header"]["msg_id"]

    def swallow(stream, ident, parent):          # the next request: no reply at all
        kernel.shell_handlers["execute_request"] = original

    def muted(status, channel, parent=None):     # ... and no status for any later request
        parent = parent or kernel.get_parent(channel)
        if parent and parent["header"]["msg_id"] == this_cell:
            publish(status, channel, parent)

    kernel.shell_handlers["execute_request"] = swallow
    if {never_busy}:
        kernel._publish_status = muted
"""


def notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def stuck_notebook(tmp_path, every_run=False, never_busy=False):
    marker = tmp_path / "stalled.txt"
    return notebook(SWALLOW_NEXT.format(marker=str(marker), every_run=every_run, never_busy=never_busy),
                    "print('after the stall', 6 * 7)")


def test_a_kernel_idle_without_reply_is_rerun_once_on_a_fresh_kernel(tmp_path, capsys):
    nb = stuck_notebook(tmp_path)
    with pytest.warns(nbexec.NotebookRetried, match="stopped answering"):
        run = nbexec.execute(nb, cwd=tmp_path, timeout=120, stall_after=STALL_AFTER_STUCK, name="stuck")
    assert run.retried and len(run.stalls) == 1 and "'idle'" in run.stalls[0]
    assert "after the stall 42" in nb.cells[1].outputs[0]["text"]   # the re-run finished the notebook
    assert "re-running the notebook once on a fresh kernel" in capsys.readouterr().err


def test_a_kernel_that_never_starts_the_request_is_noticed_too(tmp_path):
    nb = stuck_notebook(tmp_path, never_busy=True)
    with pytest.warns(nbexec.NotebookRetried):
        run = nbexec.execute(nb, cwd=tmp_path, timeout=120, stall_after=STALL_AFTER_STUCK, name="never busy")
    assert run.retried and "no 'busy'" in run.stalls[0]


def test_a_second_stall_fails_instead_of_looping(tmp_path):
    nb = stuck_notebook(tmp_path, every_run=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nbexec.NotebookRetried)
        with pytest.raises(nbexec.KernelStalled, match="stopped answering twice"):
            nbexec.execute(nb, cwd=tmp_path, timeout=120, stall_after=STALL_AFTER_STUCK, name="stuck twice")


def test_a_long_busy_cell_is_not_a_stall(tmp_path):
    nb = notebook("import time\ntime.sleep(%s)\nprint('slept')" % (2 * STALL_AFTER))  # twice the limit
    with warnings.catch_warnings():
        warnings.simplefilter("error", nbexec.NotebookRetried)
        run = nbexec.execute(nb, cwd=tmp_path, timeout=120, stall_after=STALL_AFTER, name="sleeper")
    assert not run.retried and run.stalls == []
    assert nb.cells[0].outputs[0]["text"] == "slept\n"


def test_errors_and_timeouts_are_reported_not_retried(tmp_path):
    from nbclient.exceptions import CellExecutionError
    with pytest.raises(CellExecutionError):
        nbexec.execute(notebook("1 / 0"), cwd=tmp_path, timeout=60, stall_after=STALL_AFTER)
    nb = notebook("1 / 0", "print('still runs')")
    run = nbexec.execute(nb, cwd=tmp_path, timeout=60, allow_errors=True, stall_after=STALL_AFTER)
    assert not run.retried and nb.cells[1].outputs[0]["text"] == "still runs\n"
    with pytest.raises(nbexec.ExecutionFailed, match="timeout"):
        nbexec.execute(notebook("import time\ntime.sleep(30)"), cwd=tmp_path, timeout=2, stall_after=STALL_AFTER)


def test_the_kernel_gets_the_environment_and_folder(tmp_path):
    nb = notebook("import os\nprint(os.environ['NBEXEC_PROBE'], os.getcwd())")
    nbexec.execute(nb, cwd=tmp_path, timeout=60, env={"NBEXEC_PROBE": "probe-value"})
    assert nb.cells[0].outputs[0]["text"].split() == ["probe-value", str(tmp_path)]


def test_nbval_kernel_replays_the_notebook_on_a_fresh_kernel_after_a_stall(tmp_path):
    """The kernel nbval drives (conftest.py installs the same watchdog into nbval)."""
    kernel = nbexec.watched_nbval_kernel_class(stall_after=STALL_AFTER_STUCK)("python3", cwd=str(tmp_path))

    def run(source):
        msg_id = kernel.execute_cell_input(source, allow_stdin=False)
        kernel.await_reply(msg_id, timeout=120)
        texts = []
        while True:   # what nbval then reads: this request's IOPub messages, up to its 'idle'
            msg = kernel.get_message("iopub", timeout=10)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                texts.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(texts)

    try:
        assert run("x = 41\nprint('set')") == "set\n"
        run(SWALLOW_NEXT.format(marker=str(tmp_path / "stalled.txt"), every_run=False, never_busy=False))
        with pytest.warns(nbexec.NotebookRetried, match="fresh kernel"):
            assert run("print(x + 1)") == "42\n"   # x came back from re-running the earlier cells
        assert kernel.retried
        assert run("print(x + 2)") == "43\n"       # and the fresh kernel carries on
    finally:
        kernel.stop()


def test_conftest_installs_the_nbval_watchdog():
    import nbval.plugin
    assert getattr(nbval.plugin.RunningKernel, "_nbexec", False)
