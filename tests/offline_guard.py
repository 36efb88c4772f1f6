"""The offline guard's helpers, shared by the tests that run code under it.

tests/offline/sitecustomize.py is the guard: Python loads it at start-up when its folder is on PYTHONPATH,
and it refuses (and logs to ``COURSE_OFFLINE_LOG``) every connection, datagram or name lookup aimed at
another machine, while loopback stays allowed (a Jupyter kernel talks to its client over 127.0.0.1).
"""

import os
import pathlib

GUARD_DIR = pathlib.Path(__file__).resolve().parent / "offline"

# Appended to a notebook run under the guard: proves that this kernel really runs guarded (its one
# refused attempt is the only line the log may hold afterwards).
GUARD_CELL = """\
import socket
assert getattr(socket.socket.connect, "offline_guard", False), "the offline guard is not active in this kernel"
try:
    socket.create_connection(("10.255.255.1", 80), timeout=2)
    raise AssertionError("the guard let a connection through")
except OSError as error:
    assert "offline guard" in str(error), error
"""
GUARD_CELL_TARGET = "10.255.255.1"


def guarded_env(log: pathlib.Path, base: dict | None = None) -> dict:
    """``base`` (default: this process's environment) with the guard on PYTHONPATH, logging to ``log``."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD_DIR), env.get("PYTHONPATH")]))
    env["COURSE_OFFLINE_LOG"] = str(log)
    return env


def logged(log: pathlib.Path) -> str:
    return log.read_text(encoding="utf-8") if log.exists() else ""


def attempts(log: pathlib.Path) -> list[str]:
    """Every network attempt the guard refused, one line each."""
    return [line for line in logged(log).splitlines() if line.startswith("offline guard:")]
