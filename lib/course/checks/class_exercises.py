"""Tools for class exercises (nn.Module): random weights, loading them into the learner's module like
the reference (or saying which parameter names differ), recording the calls of its submodules, and
comparing two tensors."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

import torch


def random_state(module: torch.nn.Module, seed: int) -> dict:
    """A state_dict for ``module`` with every parameter random, layer norms around weight 1 / bias 0,
    so no part of a learner's forward can be skipped without changing the output."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for name, tensor in module.state_dict().items():
        is_norm = "." in name and name.split(".")[-2].startswith("norm")
        base = 1.0 if is_norm and name.endswith("weight") else 0.0
        scale = 0.5 if is_norm else tensor.size(-1) ** -0.5
        state[name] = base + scale * torch.randn(tensor.shape, generator=g)
    return state


_BUILT = threading.local()  # .modules: the modules load_like_reference loaded in this thread (gradient checks)


@contextlib.contextmanager
def recording_built_modules():
    """Collect, in this thread, every module ``load_like_reference`` loads while the block runs."""
    previous = getattr(_BUILT, "modules", None)
    _BUILT.modules = []
    try:
        yield _BUILT.modules
    finally:
        _BUILT.modules = previous


def load_like_reference(module: torch.nn.Module, state: dict, reference_name: str) -> torch.nn.Module:
    """Load the reference's weights into the learner's module (eval mode), or explain in Korean which
    parameter names differ (the exercise gives ``__init__``; only ``forward`` is the learner's)."""
    missing, unexpected = module.load_state_dict(state, strict=False)
    built = getattr(_BUILT, "modules", None)
    if built is not None:  # a gradient check is running in this thread: it reads this module's gradients
        built.append(module)
    if missing or unexpected:
        def names(keys):
            return ", ".join(keys[:4]) + (" ..." if len(keys) > 4 else "") if keys else "-"

        raise RuntimeError(
            f"파라미터 이름이 lib의 {reference_name}와 다릅니다. 주어진 __init__을 그대로 두세요 "
            f"(내 클래스에만 있는 이름: {names(missing)}; 내 클래스에 없는 이름: {names(unexpected)})"
        )
    return module.eval()


@dataclass
class Call:
    """One call of a submodule, recorded by ``record_calls``."""

    name: str
    args: tuple
    kwargs: dict
    output: object = None
    depth: int = 0  # how many recorded calls were still running when this one started (0 = called by forward)


@contextlib.contextmanager
def record_calls(module: torch.nn.Module, names):
    """Record, in order, every call of the named submodules of ``module`` (inputs and output).

    ``names`` are dotted paths ("cross_attention", "encoder.embedding"); a missing one is skipped.
    Used by the class exercises' ``diagnose`` to see *how* a learner's forward used its parts.
    A call made inside another recorded call (feed_forward.linear1 while feed_forward runs) has
    ``depth`` > 0, so a part the learner called directly can be told from one called for them.
    """
    calls, handles, running = [], [], []
    lookup = dict(module.named_modules())
    for name in names:
        sub = lookup.get(name)
        if sub is None:
            continue

        def before(mod, args, kwargs, name=name):
            calls.append(Call(name, args, dict(kwargs), depth=len(running)))
            running.append(calls[-1])

        def after(mod, args, kwargs, output, name=name):
            for call in reversed(calls):
                if call.name == name and call.output is None:
                    call.output = output
                    running[:] = [c for c in running if c is not call]  # by identity (tensors inside)
                    break

        handles.append(sub.register_forward_pre_hook(before, with_kwargs=True))
        handles.append(sub.register_forward_hook(after, with_kwargs=True))
    try:
        yield calls
    finally:
        for handle in handles:
            handle.remove()


def same_tensor(a, b, atol: float = 1e-5) -> bool:
    """True when ``a`` and ``b`` are tensors of one shape and dtype with (nearly) equal values."""
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
        return False
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype == torch.bool or not a.is_floating_point():
        return bool(torch.equal(a, b))
    return bool(torch.allclose(a.double(), b.double(), atol=atol, rtol=1e-4, equal_nan=True))
