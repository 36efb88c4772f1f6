"""How a probe is written: the registry (``@probe(id)``), what a probe sees (``ProbeContext``) and the
small tools the ``probes_*`` modules share (``close``, ``search``, ...). See ``probes.py`` for what
the probes are for.

    ctx = ProbeContext(exercise, obj, case, got, expected)
    ctx.run(x, dim=0)          # the learner's output on new inputs (None when it raised or timed out)
    ctx.ref(x, dim=0)          # the reference's

``search(ctx, factors, build, inputs)`` is the common tool for formulas with several parts: each
factor is one part of the computation with its correct form first and the ways it can differ after;
variants that change at most two parts are built, run on the probe inputs, and the first whose
outputs equal the learner's names what differs, part by part.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch

from lib.course.checks.exercise import Case
from lib.course.checks.isolation import call_with_time_limit, capture_output

PROBES: dict = {}  # exercise id -> [probe(ctx) -> str | None]


def probe(*exercise_ids):
    """Register a probe function for the given exercises (in the order written)."""

    def register(function):
        for exercise_id in exercise_ids:
            PROBES.setdefault(exercise_id, []).append(function)
        return function

    return register


@dataclass
class ProbeContext:
    exercise: object
    obj: object
    case: Case
    got: object
    expected: object

    def run(self, *args, **kwargs):
        """The learner's output on these inputs (fresh copies); None when it raised or timed out."""
        args, kwargs = _copy(args), _copy(kwargs)
        with capture_output():
            outcome = call_with_time_limit(lambda: self.exercise.call_on(self.obj, Case(args, kwargs)),
                                           min(self.exercise.time_limit, 5.0))
        if outcome.timed_out or outcome.error is not None:
            return None
        return outcome.value

    def ref(self, *args, **kwargs):
        with torch.no_grad():
            return self.exercise.call_on(self.exercise.reference, Case(_copy(args), _copy(kwargs)))


def _copy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().clone()
    if isinstance(x, (list, tuple)):
        return type(x)(_copy(v) for v in x)
    if isinstance(x, dict):
        return {k: _copy(v) for k, v in x.items()}
    return x


# ---------------------------------------------------------------- small tools shared by the probes


def tensor(x):
    """x as a float64 tensor, or None (numbers become 0-dim tensors)."""
    if isinstance(x, torch.Tensor):
        return x.detach().double() if x.dtype != torch.bool else x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return torch.tensor(float(x), dtype=torch.float64)
    return None


def close(a, b, atol=1e-4, rtol=1e-3) -> bool:
    """Same shape and (nearly) the same values; tuples element by element; NaN equals NaN."""
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(close(x, y, atol, rtol) for x, y in zip(a, b))
    a, b = tensor(a), tensor(b)
    if a is None or b is None:
        return False
    if a.dtype == torch.bool or b.dtype == torch.bool:
        return a.dtype == b.dtype and a.shape == b.shape and bool(torch.equal(a, b))
    if a.shape != b.shape:
        a = a.reshape(-1) if a.numel() == 1 else a
        b = b.reshape(-1) if b.numel() == 1 else b
        if a.shape != b.shape:
            return False
    return bool(torch.allclose(a, b, atol=atol, rtol=rtol, equal_nan=True))


def first_tensor(x):
    if isinstance(x, (tuple, list)):
        return x[0] if x else None
    return x


def search(ctx: ProbeContext, factors: list, build, inputs: list, max_changes: int = 2):
    """Labels of the parts that differ, for the first variant (<= max_changes parts changed) whose
    outputs equal the learner's on every input; None when no variant matches or the learner's
    answer matches the unchanged formula (then the difference is elsewhere).

    factors: [(name, [option0 (correct), option1, ...])], each option (value, Korean label);
    build(**{name: value}) -> a function called like the exercise (``ctx.exercise.call_on``).
    """
    learner = [_outcome(lambda i=i: ctx.run(*i.args, **i.kwargs)) for i in inputs]
    if all(out is None for out in learner):
        return None
    names = [name for name, _ in factors]
    defaults = {name: options[0][0] for name, options in factors}
    for changes in range(0, max_changes + 1):
        for chosen in itertools.combinations(range(len(factors)), changes):
            choice_lists = [factors[i][1][1:] for i in chosen]
            for picks in itertools.product(*choice_lists):
                values = dict(defaults)
                labels = []
                for i, (value, label) in zip(chosen, picks):
                    values[names[i]] = value
                    labels.append(label)
                try:
                    function = build(**values)
                except Exception:  # noqa: BLE001 - an impossible combination
                    continue
                if _matches(ctx, function, inputs, learner):
                    return labels if changes else None
    return None


def _outcome(run):
    try:
        return run()
    except Exception:  # noqa: BLE001
        return None


def _matches(ctx, function, inputs, learner) -> bool:
    for case, mine in zip(inputs, learner):
        try:
            theirs = ctx.exercise.call_on(function, Case(_copy(case.args), _copy(case.kwargs)))
        except Exception:  # noqa: BLE001 - the variant cannot run on this input
            theirs = None
        if (mine is None) != (theirs is None):
            return False
        if mine is not None and not close(mine, theirs):
            return False
    return True


def joined(labels) -> str | None:
    """'A; 또 B' from the labels of ``search`` (None for no labels)."""
    if not labels:
        return None
    return "; 또 ".join(labels)
