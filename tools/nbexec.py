"""Execute a notebook so that a kernel that stops answering never stalls a run (spec section 8).

Every tool and test here that executes notebooks goes through ``execute`` (run_solutions, seed_sweep,
benchmark, tests/test_chapters_run.py; nbval through ``install_nbval_watchdog``, from conftest.py). The browser
tests are the exception: they run notebooks inside a real JupyterLab (tests/labsession.py) and only wait with a deadline.

    from nbexec import execute          # tools/ is on sys.path for the tools and (via conftest.py) tests
    run = execute(nb, cwd=path.parent, timeout=600, env={"COURSE_PROGRESS": "off"})
    run.seconds, run.retried

What goes wrong without it (evidence: ../shared/reviews/kernel-stall.md; tools/stall_repro.py is the
reproduction harness): nbclient 0.11 waits for a cell's ``execute_reply`` with ONE
``shell_channel.get_msg(timeout=600)``, i.e. one zmq.asyncio ``socket.poll``. zmq.asyncio learns that a
message arrived from ZeroMQ's edge-triggered notification descriptor. In the stalls seen here both
processes sat idle in epoll until that 600 s timer fired, and then the notebook finished *clean*. On
the timer pyzmq's poller does one plain ``zmq_poll(..., 0)``: it found the reply. Had the reply not
been in the client's socket, nbclient would have raised CellTimeoutError instead (it does not
interrupt by default). So the reply had arrived and its wake-up was lost on the client side
(the same family as zeromq/pyzmq#2173: reading ``zmq.EVENTS`` consumes the edge) -- which fits its
recurring with ipykernel 6.31 as well as 7. Not reproduced on demand yet: on a machine at load
average 10-12, stall_repro.py saw no stall with stock nbclient in 12 004 tiny cells nor in repeated runs
of 04 and 06 (2026-12-04). Two defences, both here:

1. *Sliced waits* (the fix for that cause): the client waits for shell and IOPub messages in slices of
   ``SLICE`` seconds. Each slice ends with the same level-triggered ``zmq_poll(0)`` check, so a reply
   whose wake-up was lost is picked up within a second instead of at the cell timeout.
2. *A watchdog* (the bound, whatever the cause): for the pending execute request the client tracks the
   kernel's IOPub status for that request. A kernel that is alive and either reported ``idle`` for
   the request, or never reported ``busy`` for it, for ``stall_after`` seconds, without replying, has
   stopped answering: the run stops, says so on stderr (and as a ``NotebookRetried`` warning, which
   pytest lists in its summary), and the notebook re-runs once from the start on a fresh kernel. A
   second stall fails with ``KernelStalled``. A cell that is legitimately busy (status ``busy``, no
   matter how long or how little CPU it uses) never trips it; only the cell timeout applies there.
"""

from __future__ import annotations

import asyncio
import copy
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from nbclient import NotebookClient
from nbclient.client import timestamp
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async

SLICE = 1.0  # seconds: the longest a message whose wake-up was lost can wait unnoticed
STALL_AFTER = float(os.environ.get("COURSE_NB_STALL_AFTER", "15"))  # seconds idle (or never busy) without a reply


class NotebookRetried(UserWarning):
    """A notebook's kernel stopped answering; the notebook was re-run on a fresh kernel."""


class ExecutionFailed(RuntimeError):
    """A notebook could not be executed to the end (timeout, dead kernel, a kernel that stalled twice)."""

    def __init__(self, message: str, cell_id: str = ""):
        super().__init__(message)
        self.cell_id = cell_id


class KernelStalled(ExecutionFailed):
    """The kernel is alive but stopped answering the pending execute request."""


@dataclass
class Run:
    seconds: float
    retried: bool = False
    stalls: list = field(default_factory=list)   # one message per stall that was noticed
    late_replies: int = 0                         # replies a single long poll would have missed (sliced waits caught them)


class WatchedClient(NotebookClient):
    """nbclient's NotebookClient with sliced socket waits and a stall watchdog (see the module doc)."""

    def __init__(self, *args, stall_after: float = STALL_AFTER, **kwargs):
        super().__init__(*args, **kwargs)
        self.stall_after = stall_after
        self.status = {}          # msg_id -> (execution_state, time.monotonic() when it arrived)
        self.late_replies = 0

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=SLICE))
            except Empty:
                continue
            parent = msg["parent_header"].get("msg_id")
            if msg["msg_type"] == "status" and parent:
                self.status[parent] = (msg["content"]["execution_state"], time.monotonic())
            if parent == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return

    def stalled(self, msg_id: str, sent: float, now: float) -> str:
        """Why the kernel looks like it stopped answering ``msg_id`` ('' while it does not)."""
        state, since = self.status.get(msg_id, (None, sent))
        if state is None and now - sent > self.stall_after:
            return f"no 'busy' for the request after {now - sent:.0f} s"
        if state == "idle" and now - since > self.stall_after:
            return f"'idle' for {now - since:.0f} s without a reply"
        return ""

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        assert self.kc is not None
        sent = time.monotonic()
        deadline = sent + timeout if timeout is not None else None
        reply = None
        try:
            while True:
                now = time.monotonic()
                wait = SLICE if deadline is None else max(0.0, min(SLICE, deadline - now))
                try:
                    started = time.monotonic()
                    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=wait))
                except Empty:
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        task_poll_kernel_alive.cancel()
                        await self._async_check_alive()
                        reply = await self._async_handle_timeout(timeout, cell)
                        if reply is None:
                            continue
                        msg = reply
                        msg["parent_header"] = {"msg_id": msg_id}
                    else:
                        why = self.stalled(msg_id, sent, now)
                        if why and await ensure_async(self.km.is_alive()):
                            raise _Stalled(why, cell.get("id", ""))
                        continue
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if time.monotonic() - started >= 0.95 * SLICE and wait >= SLICE:
                    self.late_replies += 1   # found by the level-triggered check at the end of a slice
                if self.record_timing and reply is None:
                    cell["metadata"]["execution"]["shell.execute_reply"] = timestamp(msg)
                try:
                    await asyncio.wait_for(task_poll_output_msg, self.iopub_timeout)
                except (asyncio.TimeoutError, Empty):
                    if self.raise_on_iopub_timeout:
                        raise CellTimeoutError.error_from_timeout_and_cell(
                            "Timeout waiting for IOPub output", self.iopub_timeout, cell) from None
                    self.log.warning("Timeout waiting for IOPub output")
                return msg
        except BaseException:
            task_poll_output_msg.cancel()
            raise
        finally:
            task_poll_kernel_alive.cancel()


class _Stalled(Exception):
    def __init__(self, why: str, cell_id: str):
        super().__init__(why)
        self.why, self.cell_id = why, cell_id


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
    warnings.warn(NotebookRetried(message), stacklevel=3)


def execute(nb, cwd: Path | str, timeout: int | None = 600, allow_errors: bool = False, env: dict | None = None,
            name: str = "", stall_after: float | None = None, retries: int = 1, **client_options) -> Run:
    """Execute ``nb`` (a NotebookNode, filled in place) with its kernel in ``cwd``.

    ``env`` is added to this process's environment for the kernel. Errors in cells raise nbclient's
    CellExecutionError unless ``allow_errors``; a timeout or a dead kernel raises ExecutionFailed; a
    kernel that stops answering is noticed within ``stall_after`` s (+ 1 s) and the notebook re-runs
    from the start on a fresh kernel, up to ``retries`` times, then KernelStalled.
    """
    name = name or str(nb.metadata.get("name", "")) or "notebook"
    pristine = copy.deepcopy(nb.cells)
    kernel_env = {**os.environ, **(env or {})}
    started = time.perf_counter()
    stalls = []
    late = 0
    for attempt in range(retries + 1):
        if attempt:
            nb.cells = copy.deepcopy(pristine)
        client = WatchedClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                               stall_after=STALL_AFTER if stall_after is None else stall_after,
                               resources={"metadata": {"path": str(cwd)}}, **client_options)
        try:
            client.execute(env=kernel_env)
            late += client.late_replies
            return Run(round(time.perf_counter() - started, 1), bool(stalls), stalls, late)
        except _Stalled as stall:
            late += client.late_replies
            stalls.append(f"cell {stall.cell_id or '?'}: {stall.why}")
            if attempt == retries:
                raise KernelStalled(f"{name}: the kernel stopped answering twice ({'; '.join(stalls)})",
                                    stall.cell_id) from None
            _say(f"nbexec: {name}: the kernel stopped answering at cell {stall.cell_id or '?'} ({stall.why}); "
                 f"re-running the notebook once on a fresh kernel")
        except CellTimeoutError as error:
            raise ExecutionFailed(f"{name}: timeout ({timeout} s per cell)", _cell_id(error)) from error
        except DeadKernelError as error:
            raise ExecutionFailed(f"{name}: the kernel died", "") from error
    raise AssertionError("unreachable")


def _cell_id(error) -> str:
    cell = getattr(error, "cell", None)
    return cell.get("id", "") if cell is not None else ""


# ---------------------------------------------------------------------------------------------------
# nbval: the same watchdog for the kernel nbval drives cell by cell (installed by conftest.py).
#
# nbval's client is jupyter_client's *blocking* client: it waits with a plain, level-triggered
# zmq_poll, so the lost wake-up above cannot happen on its side. What remains is a kernel that stops
# answering (alive, idle or never busy, no reply). nbval would wait --nbval-cell-timeout (300 s) and
# fail the cell; here the wait is sliced, the request's IOPub status is watched (messages read early
# are handed to nbval unchanged, in order), and a stalled kernel is replaced by a fresh one on which
# the notebook's earlier cells are re-run silently before the pending cell is sent again -- once.

def watched_nbval_kernel_class(stall_after: float | None = None):
    """A subclass of nbval's RunningKernel with the stall watchdog (see above)."""
    import collections

    from nbval.kernel import RunningKernel, start_new_kernel

    limit = STALL_AFTER if stall_after is None else stall_after

    class WatchedRunningKernel(RunningKernel):
        def __init__(self, kernel_name, cwd=None, startup_timeout=60):
            self._start_args = dict(kernel_name=kernel_name, cwd=cwd, startup_timeout=startup_timeout)
            self._early = collections.deque()   # IOPub messages read while watching, not yet given to nbval
            self._sources = []                  # cells executed on this kernel, in order
            self._pending = {}                  # execute msg_id -> source
            self._alias = {}                    # msg_id on the fresh kernel -> the id nbval waits for
            self._status = {}
            self.retried = False
            super().__init__(kernel_name, cwd=cwd, startup_timeout=startup_timeout)

        def execute_cell_input(self, cell_input, allow_stdin=None):
            msg_id = super().execute_cell_input(cell_input, allow_stdin=allow_stdin)
            self._pending[msg_id] = cell_input
            return msg_id

        def get_message(self, stream, timeout=None):
            if stream == "iopub" and self._early:
                msg = self._early.popleft()
            else:
                msg = super().get_message(stream, timeout=timeout)
            parent = msg["parent_header"].get("msg_id")
            if parent in self._alias:
                msg["parent_header"]["msg_id"] = self._alias[parent]
            return msg

        def _drain_iopub(self):
            while True:
                try:
                    msg = self.kc.get_iopub_msg(timeout=0)
                except Empty:
                    return
                self._early.append(msg)
                parent = msg["parent_header"].get("msg_id")
                if msg["msg_type"] == "status" and parent:
                    self._status[parent] = (msg["content"]["execution_state"], time.monotonic())

        def await_reply(self, msg_id, timeout=None):
            if msg_id not in self._pending:      # kernel_info at start-up: nbval's own wait
                return super().await_reply(msg_id, timeout=timeout)
            reply = self._await_watched(msg_id, timeout)
            if reply is None:                    # stalled: a fresh kernel, earlier cells again, this cell again
                source = self._pending[msg_id]
                self._restart_and_replay(msg_id)
                new_id = super().execute_cell_input(source, allow_stdin=False)
                self._alias[new_id] = msg_id
                self._pending[new_id] = source
                reply = self._await_watched(new_id, timeout, give_up=True)
            self._sources.append(self._pending.pop(msg_id))
            if reply["content"]["status"] == "aborted":
                raise RuntimeError("Kernel aborted execution request")

        def _await_watched(self, msg_id, timeout, give_up=False):
            sent = time.monotonic()
            deadline = None if timeout is None else sent + float(timeout)
            while True:
                wait = SLICE if deadline is None else max(0.0, min(SLICE, deadline - time.monotonic()))
                try:
                    msg = self.kc.get_shell_msg(timeout=wait)
                except Empty:
                    self._drain_iopub()
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        raise
                    state, since = self._status.get(msg_id, (None, sent))
                    why = ""
                    if state is None and now - sent > limit:
                        why = f"no 'busy' for the request after {now - sent:.0f} s"
                    elif state == "idle" and now - since > limit:
                        why = f"'idle' for {now - since:.0f} s without a reply"
                    if why and self.is_alive():
                        if give_up or self.retried:
                            raise KernelStalled(f"{self._start_args['cwd']}: the kernel stopped answering twice ({why})")
                        _say(f"nbexec (nbval): the kernel stopped answering ({why}); re-running the notebook's "
                             f"{len(self._sources)} earlier cell(s) once on a fresh kernel")
                        return None
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    return msg

        def _restart_and_replay(self, stalled_id):
            self.retried = True
            try:
                self.stop()
            except Exception:  # noqa: BLE001 (the stuck kernel may not answer a shutdown request)
                pass
            self._early.clear()
            self.km, self.kc = start_new_kernel(stderr=open(os.devnull, "w"), **self._start_args)  # noqa: SIM115
            self._ensure_iopub_up()
            for source in self._sources:
                replay_id = super().execute_cell_input(source, allow_stdin=False)
                self._await_watched(replay_id, None, give_up=True)
                self.await_idle(replay_id, 60)    # its outputs are not nbval's to compare: dropped
            self._early.clear()

    return WatchedRunningKernel


def install_nbval_watchdog(stall_after: float | None = None) -> None:
    """Make nbval (``--nbval``) drive its kernels through ``watched_nbval_kernel_class``."""
    try:
        import nbval.plugin
    except ImportError:
        return
    if not getattr(nbval.plugin.RunningKernel, "_nbexec", False):
        nbval.plugin.RunningKernel = watched_nbval_kernel_class(stall_after)
        nbval.plugin.RunningKernel._nbexec = True
