"""Running the learner's code in isolation: a time limit without signals (a worker thread the engine
joins with a timeout), what it prints captured, and the global random state left as found."""

from __future__ import annotations

import contextlib
import ctypes
import io
import random
import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch


class TimeLimitExceeded(BaseException):
    """Raised inside the learner's thread when its time is up.

    A BaseException (like KeyboardInterrupt), so ``except Exception:`` in learner code does not
    swallow it.
    """


# ---------------------------------------------------------------- time limit (no signals)


def _async_raise(thread: threading.Thread, exc_type) -> bool:
    """Ask CPython to raise ``exc_type`` in ``thread`` at its next bytecode (works on every OS)."""
    if thread.ident is None or not thread.is_alive():
        return False
    try:
        done = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exc_type))
    except (AttributeError, TypeError, ValueError):  # not CPython
        return False
    return done == 1


@dataclass
class Outcome:
    """What one guarded call produced: a value, an exception, or a time-out."""

    value: object = None
    error: BaseException | None = None
    timed_out: bool = False
    still_running: bool = False  # time-out and the thread did not stop (it is left behind, daemon)


def call_with_time_limit(function: Callable, seconds: float, grace: float = 1.0, grad: bool = False) -> Outcome:
    """Run ``function()`` in a worker thread under ``torch.no_grad()`` (``grad=True``: with autograd
    on), at most ``seconds`` long.

    Works without SIGALRM (Windows, non-main threads). Never raises, except KeyboardInterrupt when
    the learner stops the cell (the worker is then asked to stop too).
    """
    outcome = Outcome()

    def target():
        try:
            with torch.enable_grad() if grad else torch.no_grad():
                outcome.value = function()
        except BaseException as exc:  # noqa: BLE001 - everything is reported, nothing escapes
            outcome.error = exc

    worker = threading.Thread(target=target, name="course-check", daemon=True)
    worker.start()
    try:
        worker.join(seconds if seconds and seconds > 0 else None)
    except KeyboardInterrupt:
        _async_raise(worker, TimeLimitExceeded)
        raise
    if not worker.is_alive():
        if isinstance(outcome.error, TimeLimitExceeded):
            outcome.timed_out, outcome.error = True, None
        return outcome
    outcome.timed_out = True
    # Ask the thread to stop; learner code that catches BaseException gets asked again.
    deadline_steps = max(1, int(grace / 0.05))
    for _ in range(deadline_steps):
        _async_raise(worker, TimeLimitExceeded)
        worker.join(0.05)
        if not worker.is_alive():
            break
    outcome.still_running = worker.is_alive()
    outcome.error = None
    outcome.value = None
    return outcome


# ---------------------------------------------------------------- print capture and random state


class _Captured(io.TextIOBase):
    """A bounded stand-in for stdout/stderr: keeps the first ``limit`` characters, counts lines."""

    def __init__(self, limit: int = 4000):
        self.limit, self.text, self.total = limit, "", 0

    def writable(self):
        return True

    def write(self, s):
        s = str(s)
        self.total += len(s)
        if len(self.text) < self.limit:
            self.text += s[: self.limit - len(self.text)]
        return len(s)

    @property
    def lines(self) -> list:
        return [line for line in self.text.splitlines() if line.strip()]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.text)

    @property
    def line_count(self) -> str:
        """'12줄', or '12줄 이상' when the buffer was full."""
        count = self.text.count("\n") + (0 if self.text.endswith("\n") or not self.text else 1)
        return f"{count}줄 이상" if self.truncated else f"{count}줄"


@contextlib.contextmanager
def capture_output():
    buffer = _Captured()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        yield buffer


def printed_summary(buffer: _Captured, failed: bool, shown: int = 5) -> str:
    """A short Korean note about what the learner printed during the check ('' if nothing)."""
    if not buffer.total:
        return ""
    lines = buffer.lines
    if not failed:
        return f"\n  (검사하는 동안 print한 내용 {buffer.line_count}은 감췄습니다. 디버깅용 print는 지워도 됩니다.)"
    more = f" (처음 {shown}줄만)" if len(lines) > shown or buffer.truncated else ""
    body = "\n".join(f"    | {line[:160]}" for line in lines[:shown])
    return f"\n  🖨 이 케이스를 실행하는 동안 출력한 내용{more}:\n{body}"


@contextlib.contextmanager
def preserved_random_state():
    """Leave torch's CPU generator, python's ``random`` and numpy's global generator as found."""
    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
