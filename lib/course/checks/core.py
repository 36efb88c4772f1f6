"""The exercise-check engine.

An exercise is one `Exercise` entry: the lib reference, deterministic test cases, an optional
independent torch oracle, and a few typical mistakes (each a small wrong implementation). The
engine runs the learner's object on every case and compares with the reference; when the answer
is wrong it names the first failing case and, if the wrong output equals a known mistake's output
on that case, names the mistake. Nothing the learner wrote can make it raise.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import signal
import threading
import traceback
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

STUB_MESSAGE = (
    "아직 구현하지 않았습니다. `# 여기에 코드를 작성하세요` 아래의 "
    "`raise NotImplementedError()`를 지우고 코드를 채운 뒤, 정의 셀을 다시 실행하세요."
)


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

    def call(self, obj, case: Case):
        case = clone_case(case)
        if self.run is not None:
            return self.run(obj, case)
        return obj(*case.args, **case.kwargs)


@dataclass
class CheckResult:
    passed: bool
    message: str

    def __bool__(self):
        return self.passed

    def _ipython_display_(self):
        """The message is already printed by check(); show nothing more in a notebook."""

    def __repr__(self):
        return f"CheckResult(passed={self.passed})"


class _TimeLimit(Exception):
    pass


def clone_case(case: Case) -> Case:
    """A copy whose tensors are fresh, so in-place changes by one run cannot leak into another."""

    def clone(x):
        if isinstance(x, torch.Tensor):
            return x.detach().clone()
        if isinstance(x, (list, tuple)):
            return type(x)(clone(v) for v in x)
        if isinstance(x, dict):
            return {k: clone(v) for k, v in x.items()}
        return x  # modules, ints, callables: shared

    return Case(clone(case.args), clone(case.kwargs), case.label)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt the block after ``seconds`` (SIGALRM, main thread on Unix); else no limit."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and seconds > 0
    )
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise _TimeLimit()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- class exercises


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


def load_like_reference(module: torch.nn.Module, state: dict, reference_name: str) -> torch.nn.Module:
    """Load the reference's weights into the learner's module (eval mode), or explain in Korean which
    parameter names differ (the exercise gives ``__init__``; only ``forward`` is the learner's)."""
    missing, unexpected = module.load_state_dict(state, strict=False)
    if missing or unexpected:
        def names(keys):
            return ", ".join(keys[:4]) + (" ..." if len(keys) > 4 else "") if keys else "-"

        raise RuntimeError(
            f"파라미터 이름이 lib의 {reference_name}와 다릅니다. 주어진 __init__을 그대로 두세요 "
            f"(내 클래스에만 있는 이름: {names(missing)}; 내 클래스에 없는 이름: {names(unexpected)})"
        )
    return module.eval()


# ---------------------------------------------------------------- describing values


def shape_of(x) -> str:
    if isinstance(x, (torch.Tensor, np.ndarray)):
        return str(tuple(x.shape))
    return type(x).__name__


def describe_case(exercise: Exercise, case: Case) -> str:
    """'x: (2, 3), h: (2, 4)' from the reference's parameter names."""
    try:
        names = list(inspect.signature(exercise.reference).parameters)
    except (TypeError, ValueError):
        names = []
    if exercise.is_class:
        names = []
    parts = []
    for i, value in enumerate(case.args):
        name = names[i] if i < len(names) else f"인자{i + 1}"
        parts.append(f"{name}: {_short(value)}")
    for name, value in case.kwargs.items():
        parts.append(f"{name}={_short(value)}")
    text = ", ".join(parts)
    return f"{case.label} — {text}" if case.label else text


def _short(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"{tuple(value.shape)}" if value.dim() else f"{value.item():.4g}"
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, torch.Tensor) for v in value):
        return "(" + ", ".join(str(tuple(v.shape)) for v in value) + ")"
    if isinstance(value, torch.nn.Module):
        return type(value).__name__
    if isinstance(value, dict):
        return "{" + ", ".join(value) + "}"
    return repr(value)


def _preview(t: torch.Tensor, n: int = 6) -> str:
    flat = t.detach().reshape(-1)[:n].tolist()
    body = ", ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in flat)
    more = ", ..." if t.numel() > n else ""
    return f"[{body}{more}]"


# ---------------------------------------------------------------- comparing outputs


def compare(got, expected, atol: float, rtol: float, where: str = "결과", names: tuple = ()) -> str | None:
    """None when ``got`` matches ``expected``; otherwise a Korean description of the first difference.

    ``names`` labels the elements of a tuple output ("outputs", "h_last").
    """
    if isinstance(expected, (tuple, list)):
        if got is None:
            return f"{where}가 None입니다. return 문을 빠뜨리지 않았나요?"
        if not isinstance(got, (tuple, list)):
            return (
                f"{where}는 {len(expected)}개 값의 튜플이어야 하는데 "
                f"{type(got).__name__} 하나를 돌려주었습니다."
            )
        if len(got) != len(expected):
            return f"{where}는 {len(expected)}개 값이어야 하는데 {len(got)}개입니다."
        for i, (g, e) in enumerate(zip(got, expected)):
            label = f"{where}[{i}] ({names[i]})" if i < len(names) else f"{where}[{i}]"
            problem = compare(g, e, atol, rtol, label)
            if problem:
                return problem
        return None
    if isinstance(expected, torch.Tensor):
        return _compare_tensor(got, expected, atol, rtol, where)
    if isinstance(expected, (int, float)):
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if not isinstance(got, (int, float)):
            return f"{where}는 숫자여야 하는데 {type(got).__name__}입니다."
        if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            return f"{where} 값이 다릅니다: 기대 {expected:.4f}, 실제 {got:.4f}."
        return None
    if got != expected:
        return f"{where}가 다릅니다: 기대 {expected!r}, 실제 {got!r}."
    return None


def _compare_tensor(got, expected: torch.Tensor, atol, rtol, where) -> str | None:
    if got is None:
        return f"{where}가 None입니다. return 문을 빠뜨리지 않았나요?"
    if isinstance(got, np.ndarray):
        return (
            f"{where}가 numpy 배열(np.ndarray)입니다. torch.Tensor를 돌려주세요 "
            "(np.exp 대신 torch.exp처럼 torch 함수로 계산하세요)."
        )
    if not isinstance(got, torch.Tensor):
        return f"{where}는 torch.Tensor여야 하는데 {type(got).__name__}입니다."
    if tuple(got.shape) != tuple(expected.shape):
        return f"{where}의 모양(shape)이 다릅니다: 기대 {tuple(expected.shape)}, 실제 {tuple(got.shape)}."
    if expected.dtype == torch.bool or got.dtype == torch.bool:
        if got.dtype != expected.dtype:
            return f"{where}의 dtype이 다릅니다: 기대 {expected.dtype}, 실제 {got.dtype}."
        wrong = (got != expected).nonzero()
        if len(wrong):
            idx = tuple(wrong[0].tolist())
            return (
                f"{where}의 {len(wrong)}개 위치가 다릅니다. 첫 위치 {idx}: "
                f"기대 {expected[idx].item()}, 실제 {got[idx].item()}."
            )
        return None
    if not expected.is_floating_point():
        if got.is_floating_point():
            return f"{where}는 정수 텐서({expected.dtype})여야 하는데 {got.dtype}입니다."
        wrong = (got.long() != expected.long()).nonzero()
        if len(wrong):
            idx = tuple(wrong[0].tolist())
            return (
                f"{where}의 {len(wrong)}개 위치가 다릅니다. 첫 위치 {idx}: "
                f"기대 {expected[idx].item()}, 실제 {got[idx].item()}.\n"
                f"  기대 {_preview(expected)}\n  실제 {_preview(got)}"
            )
        return None
    if not got.is_floating_point():
        return f"{where}는 실수 텐서(float32)여야 하는데 {got.dtype}입니다."
    if got.dtype != expected.dtype:
        return (
            f"{where}의 dtype이 {got.dtype}입니다. {expected.dtype}여야 합니다 "
            "(numpy를 거치거나 float64 상수를 섞지 않았나요?)."
        )
    got_d, exp_d = got.detach().double(), expected.detach().double()
    bad = ~torch.isfinite(got_d) & torch.isfinite(exp_d)
    if bad.any():
        idx = tuple(bad.nonzero()[0].tolist())
        return (
            f"{where}에 NaN 또는 inf가 있습니다 (첫 위치 {idx}). "
            "큰 값에 exp를 바로 적용하거나 0으로 나누지 않았는지 보세요."
        )
    close = torch.isclose(got_d, exp_d, rtol=rtol, atol=atol, equal_nan=True)
    if not bool(close.all()):
        err = (got_d - exp_d).abs().nan_to_num(0.0)
        idx = tuple(torch.nonzero(err == err.max())[0].tolist())
        return (
            f"{where}의 값이 다릅니다: 최대 오차 {err.max().item():.3g} (위치 {idx}: "
            f"기대 {exp_d[idx].item():.4f}, 실제 {got_d[idx].item():.4f}).\n"
            f"  기대 {_preview(expected)}\n  실제 {_preview(got)}"
        )
    return None


# ---------------------------------------------------------------- running learner code


def _learner_frame(exc: BaseException) -> str:
    """'줄 3: return x @ w' for the innermost frame outside lib/torch, if any."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if "/lib/course/checks/" not in f.filename and "/torch/" not in f.filename]
    if not mine:
        return ""
    f = mine[-1]
    return f" (줄 {f.lineno}: {f.line})" if f.line else f" (줄 {f.lineno})"


def _exception_hint(exc: BaseException) -> str:
    text = str(exc)
    if "shapes cannot be multiplied" in text or "size mismatch" in text:
        return " 행렬 곱의 모양이 맞지 않습니다. 가중치를 전치(.T)해야 하는지, 어느 축끼리 곱하는지 확인하세요."
    if "must match the size" in text:
        return (" 원소별 연산(+, *)의 두 텐서 모양이 맞지 않습니다. 각 텐서의 .shape를 출력해 보고, "
                "필요하면 unsqueeze나 [:, None]으로 축을 맞추세요.")
    if "Expected all tensors to be on the same device" in text:
        return " 텐서가 서로 다른 장치에 있습니다."
    if isinstance(exc, TypeError) and "numpy" in text:
        return " numpy와 torch를 섞어 쓰지 않았는지 보세요."
    return ""


def _run_guarded(exercise: Exercise, obj, case: Case):
    """(output, None) or (None, Korean problem text). Never raises (except KeyboardInterrupt)."""
    try:
        with time_limit(exercise.time_limit), torch.no_grad():
            return exercise.call(obj, case), None
    except KeyboardInterrupt:
        raise
    except _TimeLimit:
        return None, (
            f"{exercise.time_limit:g}초 안에 끝나지 않았습니다. 끝나지 않는 반복문이 있거나, "
            "벡터화하지 않은 계산이 너무 느린지 확인하세요."
        )
    except NotImplementedError:
        return None, STUB_MESSAGE
    except BaseException as exc:  # noqa: BLE001 - nothing the learner wrote may escape
        name = type(exc).__name__
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return None, f"실행 중 오류가 났습니다: {name}: {message}{_learner_frame(exc)}.{_exception_hint(exc)}"


def _matching_mistake(exercise: Exercise, case: Case, got) -> Mistake | None:
    for mistake in exercise.mistakes:
        try:
            with torch.no_grad():
                wrong = exercise.call(mistake.implementation, case)
        except Exception:  # noqa: BLE001 - a mistake that cannot run on this case tells nothing
            continue
        if compare(got, wrong, exercise.atol, exercise.rtol) is None:
            return mistake
    return None


def _check_object_kind(exercise: Exercise, obj) -> str | None:
    if obj is None:
        return "None을 넘겼습니다. 정의한 함수(또는 클래스)의 이름을 넘기세요."
    if exercise.is_class:
        if not isinstance(obj, type):
            return f"클래스를 넘겨야 하는데 {type(obj).__name__}을(를) 넘겼습니다. 괄호 없이 클래스 이름만 넘기세요."
        return None
    if isinstance(obj, type) and not issubclass(obj, torch.nn.Module):
        return f"함수를 넘겨야 하는데 클래스 {obj.__name__}을(를) 넘겼습니다."
    if not callable(obj):
        return (
            f"함수를 넘겨야 하는데 {type(obj).__name__} 값을 넘겼습니다. "
            "함수를 호출한 결과가 아니라 함수 자체(괄호 없이 이름만)를 넘기세요."
        )
    return None


def run_check(exercise: Exercise, obj) -> CheckResult:
    """Check ``obj`` against ``exercise``. Returns a CheckResult; never raises for learner code."""
    problem = _check_object_kind(exercise, obj)
    if problem:
        return CheckResult(False, f"❌ {exercise.id}: {problem}")
    cases = exercise.cases()
    for number, case in enumerate(cases, start=1):
        expected = exercise.call(exercise.reference, case)
        if exercise.oracle is not None:
            oracle_out = exercise.call(exercise.oracle, case)
            if compare(oracle_out, expected, exercise.atol, exercise.rtol) is not None:
                return CheckResult(
                    False,
                    f"⚠️ {exercise.id}: 참조 구현과 {exercise.oracle_name}의 결과가 다릅니다. "
                    "학습자의 잘못이 아니라 코스의 버그입니다. 알려 주세요.",
                )
        got, problem = _run_guarded(exercise, obj, case)
        if problem == STUB_MESSAGE:
            return CheckResult(False, f"⏳ {exercise.id}: {STUB_MESSAGE}")
        where = f"케이스 {number}/{len(cases)} ({describe_case(exercise, case)})"
        if problem is None:
            problem = compare(got, expected, exercise.atol, exercise.rtol, names=exercise.output_names)
        if problem is not None:
            message = f"❌ {exercise.id}: {where}에서 틀렸습니다.\n  {problem}"
            if got is not None:
                mistake = _matching_mistake(exercise, case, got)
                if mistake is not None:
                    message += f"\n  💡 흔한 실수: {mistake.name}. {mistake.hint}"
            return CheckResult(False, message)
    against = "lib 참조 구현"
    if exercise.oracle is not None:
        against += f"과 torch의 {exercise.oracle_name}"
    return CheckResult(True, f"✅ {exercise.id}: 통과! {len(cases)}개 케이스 모두 {against} 결과와 같습니다.")

