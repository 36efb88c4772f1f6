"""What an exercise is: its inputs (``Case``), its typical mistakes (``Mistake``) and the entry itself
(``Exercise``), the data each chapter's ``chNN.py`` lists and the engine (``core.run_check``) runs."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable

import torch


@dataclass
class Case:
    """One set of inputs. ``label`` says in Korean what is special about it (optional)."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    label: str = ""


@dataclass
class Mistake:
    """A typical mistake: a wrong implementation that shows it, and how to fix it."""

    name: str
    hint: str
    implementation: Callable


@dataclass
class Exercise:
    """One exercise of the course (see course spec section 3).

    id: the dotted path of the reference under lib/ ("attention.attend").
    run(obj, case) -> output: how an implementation is called (default: obj(*args, **kwargs)).
    output_names: names of the outputs when the function returns a tuple.
    time_limit: seconds per call of the learner's code (wall clock; generous on purpose).
    check_gradients: class exercises only; after a case's output matches, compare the gradients of a
        backward pass too (parameters of the module built by ``load_like_reference``, float inputs).
    """

    id: str
    chapter: str
    reference: Callable
    cases: Callable[[], list]
    oracle: Callable | None = None
    oracle_name: str = ""
    mistakes: list = field(default_factory=list)
    alternatives: list = field(default_factory=list)
    run: Callable | None = None
    output_names: tuple = ()
    atol: float = 1e-5
    rtol: float = 1e-4
    time_limit: float = 10.0
    is_class: bool = False
    diagnose: Callable | None = None  # (obj, case) -> Korean note naming the mistake, or None
    check_gradients: bool = False
    hints: list = field(default_factory=list)  # the hint ladder: words -> formula and shapes -> skeleton
    probes: list = field(default_factory=list)  # property probes (lib/course/checks/probes.py)


    def call(self, obj, case: Case):
        """Run ``obj`` on a fresh copy of the case (in-place changes cannot leak into other runs)."""
        return self.call_on(obj, clone_case(case))

    def call_on(self, obj, case: Case):
        """Run ``obj`` on exactly this case (the caller made the copy)."""
        if self.run is not None:
            return self.run(obj, case)
        return obj(*case.args, **case.kwargs)


def clone_case(case: Case) -> Case:
    """A copy whose tensors and modules are fresh, so in-place changes by one run cannot leak."""

    def clone(x):
        if isinstance(x, torch.Tensor):
            return x.detach().clone()
        if isinstance(x, torch.nn.Module):
            return copy.deepcopy(x)
        if isinstance(x, (list, tuple)):
            return type(x)(clone(v) for v in x)
        if isinstance(x, dict):
            return {k: clone(v) for k, v in x.items()}
        return x  # ints, strings, callables: shared

    return Case(clone(case.args), clone(case.kwargs), case.label)
