"""Diagnosis by properties: what a wrong answer does, found from its behaviour, in the learner's terms.

When an answer fails, the engine asks the exercise's probes (``PROBES[id]``, registered by the
``probes_*`` modules, one per concern) to look at it. A probe runs the learner's function on inputs
built to isolate one property (which axis sums to 1, which scale the scores carry, which positions a
mask blocks, which gate term changes, which frequency a column has, ...) and returns a Korean
finding ``"<name>. <what to do>"``, or None when the property is as it should be. A probe never
guesses: when nothing localises the difference the engine says so plainly and points to ``hint``.

This module imports every ``probes_*`` module (each registers its probes on import, in this order)
and runs them: ``run_probes``. How a probe is written: ``probe_tools.py``.
"""

from __future__ import annotations

import torch

from lib.course.checks import probes_norm, probes_rnn, probes_seq, probes_transformer  # noqa: F401 - they register
from lib.course.checks.isolation import capture_output
from lib.course.checks.probe_tools import PROBES, ProbeContext

def run_probes(exercise, obj, case, got, expected) -> str | None:
    """The first finding of the exercise's probes, or None. Never raises for learner code."""
    ctx = ProbeContext(exercise, obj, case, got, expected)
    for function in PROBES.get(exercise.id, []):
        try:
            with torch.no_grad(), capture_output():
                finding = function(ctx)
        except KeyboardInterrupt:
            raise
        except Exception:  # noqa: BLE001 - a probe that cannot look tells nothing
            finding = None
        if finding:
            return finding
    return None


def load_all() -> None:
    """Nothing left to do: every probe module was imported (and registered its probes) with this one."""
