"""The exercise-check engine.

An exercise is one `Exercise` entry: the lib reference, deterministic test cases, an optional
independent torch oracle, and a few typical mistakes (each a small wrong implementation). The
engine runs the learner's object on every case and compares with the reference; when the answer
is wrong it names the first failing case and, if the wrong output equals a known mistake's output
on that case, names the mistake.

What the engine guarantees, on Linux, macOS and Windows alike:

- Nothing the learner wrote makes ``run_check`` raise (except the learner's own Ctrl-C / ■ stop).
- A time limit without signals: the learner's call runs in a worker thread that the engine joins
  with a timeout. When time is up, ``TimeLimitExceeded`` (a ``BaseException``, so
  ``except Exception:`` in learner code cannot swallow it) is raised inside that thread; if the
  thread still does not stop (one long C++ op, ``except BaseException:``), the check reports the
  time limit anyway and moves on, so a hung loop never hangs the kernel.
- A check leaves the global random state (torch CPU, python ``random``, numpy) as it found it.
- What the learner prints during a check is captured; a few lines are shown with the verdict.
- In-place changes to the inputs are reported (each call gets fresh copies, so nothing leaks).
- Outputs on another device, in another dtype or with ``requires_grad`` get a message of their own.
- Error messages point at the learner's line, also when the error is raised inside lib's parts or
  torch, and also with Windows paths.
- Class exercises with ``check_gradients`` are also checked backwards: once a case's output matches,
  the same random upstream gradient is backpropagated through the learner's module and the reference
  (same weights, eval mode), and every parameter's gradient (and the float inputs') must match, so a
  forward that detaches part of the graph (``.detach()``, ``torch.no_grad()``) with an equal output
  fails with a message naming the parameters that would not learn.
- A wrong answer is named when its output (or its error) equals a typical mistake's on the failing
  case and on every other case; else the exercise's property probes (``probes*.py``: which axis sums
  to 1, which scale the scores carry, which positions a mask blocks, which gate term differs, ...)
  name what its behaviour shows; class exercises may also ``diagnose`` how the learner's forward used
  its parts (the calls of its submodules, recorded with ``record_calls``). When nothing localises the
  difference the message says so plainly and points to ``hint(id)``; no name is guessed.
- A class exercise that passes in eval mode is also run in train mode: dropout left out or moved gets
  a ⚠️ note (``probes_transformer.train_mode_note``).
"""

from __future__ import annotations

import copy
import difflib
import inspect
import math
import os
import traceback
from dataclasses import dataclass, field

import numpy as np
import torch

from lib.course.checks.class_exercises import record_calls  # noqa: F401 - callers know it as core.record_calls
from lib.course.checks.class_exercises import recording_built_modules
from lib.course.checks.exercise import Case, Exercise, Mistake, clone_case
from lib.course.checks.isolation import (_Captured, call_with_time_limit, capture_output, preserved_random_state,
                                         printed_summary)
from lib.course.checks.probes import run_probes
from lib.course.checks.probes_transformer import train_mode_note

STUB_MESSAGE = (
    "아직 구현하지 않았습니다. `# 여기에 코드를 작성하세요` 아래의 "
    "`raise NotImplementedError()`를 지우고 코드를 채운 뒤, 정의 셀을 다시 실행하세요."
)


@dataclass
class CheckResult:
    passed: bool
    message: str
    mistake: str | None = None  # the typical mistake the message names, if any (recorded for the 오답노트)

    def __bool__(self):
        return self.passed

    def _ipython_display_(self):
        """The message is already printed by check(); show nothing more in a notebook."""

    def __repr__(self):
        return f"CheckResult(passed={self.passed})"


# ---------------------------------------------------------------- class exercises


def _own_methods(cls) -> dict:
    """Functions defined by ``cls`` and its bases below nn.Module / object."""
    found = {}
    for klass in reversed(cls.__mro__):
        if klass in (object, torch.nn.Module):
            continue
        for name, value in vars(klass).items():
            if callable(value) or isinstance(value, (staticmethod, classmethod)):
                found[name] = value
    return found


def missing_forward_problem(cls) -> str | None:
    """A Korean explanation when a module class has no ``forward`` (Keras ``call``, a typo, indentation)."""
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        return None
    if getattr(cls, "forward", None) is not torch.nn.Module.forward:
        return None
    methods = [name for name in _own_methods(cls) if not name.startswith("__")]
    if "call" in methods:
        return (
            "클래스에 forward가 없고 call이 있습니다. call은 Keras의 이름입니다(노트의 TensorFlow 코드). "
            "PyTorch의 nn.Module은 forward를 부릅니다: `def call(self, ...)`을 `def forward(self, ...)`로 바꾸세요."
        )
    close = difflib.get_close_matches("forward", [m.lower() for m in methods], n=1, cutoff=0.6)
    if close:
        original = next(m for m in methods if m.lower() == close[0])
        return (
            f"클래스에 forward가 없고 {original}가 있습니다. 철자를 확인하세요: 메서드 이름은 정확히 "
            f"`forward`여야 nn.Module이 model(...)을 부를 때 실행합니다."
        )
    return (
        "클래스에 forward 메서드가 없습니다. `def forward(self, ...)`가 클래스 안쪽으로 들여쓰기 되어 "
        "있는지(__init__과 같은 깊이), 이름이 정확히 forward인지 확인하세요."
    )



# ---------------------------------------------------------------- describing values


def shape_of(x) -> str:
    if isinstance(x, (torch.Tensor, np.ndarray)):
        return str(tuple(x.shape))
    return type(x).__name__


def input_names(exercise: Exercise, case: Case) -> list:
    """Names of the case's positional inputs, from the reference's signature ('' when unknown)."""
    if exercise.is_class:
        return [""] * len(case.args)
    try:
        names = list(inspect.signature(exercise.reference).parameters)
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"인자{i + 1}" for i in range(len(case.args))]


def describe_case(exercise: Exercise, case: Case) -> str:
    """'x: (2, 3), h: (2, 4)' from the reference's parameter names."""
    parts = []
    for i, (name, value) in enumerate(zip(input_names(exercise, case), case.args)):
        parts.append(f"{name or f'인자{i + 1}'}: {_short(value)}")
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
    flat = t.detach().cpu().reshape(-1)[:n].tolist()
    body = ", ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in flat)
    more = ", ..." if t.numel() > n else ""
    return f"[{body}{more}]"


def _tensors_with_names(value, name: str):
    """(name, tensor) for every tensor inside ``value`` (nested tuples/lists/dicts)."""
    if isinstance(value, torch.Tensor):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _tensors_with_names(v, f"{name}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _tensors_with_names(v, f"{name}[{k!r}]" if name else str(k))


def changed_inputs(exercise: Exercise, original: Case, used: Case) -> list:
    """Names of the input tensors the learner's call changed in place."""
    changed = []
    names = input_names(exercise, original)
    pairs = list(zip(names, original.args, used.args)) + [(k, original.kwargs[k], used.kwargs.get(k))
                                                          for k in original.kwargs]
    for i, (name, before, after) in enumerate(pairs):
        label = name or f"인자{i + 1}"
        before_t = dict(_tensors_with_names(before, label))
        for tname, tensor in _tensors_with_names(after, label):
            old = before_t.get(tname)
            if old is None or old.shape != tensor.shape or old.dtype != tensor.dtype:
                continue
            if not torch.equal(old.detach(), tensor.detach()) and not (
                    old.is_floating_point() and bool(torch.isnan(old).any())):
                changed.append(tname)
    return changed


def _has_bool_input(case: Case) -> bool:
    tensors = list(_tensors_with_names(case.args, "")) + list(_tensors_with_names(case.kwargs, ""))
    return any(t.dtype == torch.bool for _, t in tensors)


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
            got = got.detach().cpu().item()
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return f"{where}는 숫자여야 하는데 {type(got).__name__}입니다."
        if math.isnan(got) and not math.isnan(expected):
            return f"{where}가 NaN입니다 (기대 {expected:.4f}). 0으로 나누거나 NaN이 섞인 값을 쓰지 않았는지 보세요."
        if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            return f"{where} 값이 다릅니다: 기대 {expected:.4f}, 실제 {got:.4f}."
        return None
    if got != expected:
        return f"{where}가 다릅니다: 기대 {expected!r}, 실제 {got!r}."
    return None


def _compare_tensor(got, expected: torch.Tensor, atol, rtol, where) -> str | None:
    """Type, then device, then shape, then dtype, then values: the first problem found, in Korean.

    dtype rule (explicit): the output's dtype must equal the reference's, for floats (float32) and
    integers (int64 = torch.long) alike; bool masks must be bool.
    """
    if got is None:
        return f"{where}가 None입니다. return 문을 빠뜨리지 않았나요?"
    if isinstance(got, np.ndarray):
        return (
            f"{where}가 numpy 배열(np.ndarray)입니다. torch.Tensor를 돌려주세요 "
            "(np.exp 대신 torch.exp처럼 torch 함수로 계산하세요)."
        )
    if not isinstance(got, torch.Tensor):
        return f"{where}는 torch.Tensor여야 하는데 {type(got).__name__}입니다."
    if got.device != expected.device:
        return (
            f"{where}가 {got.device} 장치에 있습니다. 입력과 같은 장치({expected.device})에 두세요: "
            "함수 안에서 .cuda()나 .to('cuda'), device=... 로 옮기지 말고, 새 텐서는 "
            "device=x.device(또는 torch.zeros_like(x))로 만드세요."
        )
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
        if got.dtype != expected.dtype:
            return (
                f"{where}의 dtype이 {got.dtype}입니다. {expected.dtype}여야 합니다 "
                "(토큰 id는 torch.long: dtype=torch.long으로 만들거나 .long()을 붙이세요)."
            )
        wrong = (got != expected).nonzero()
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


NAN_WITH_MASK_HINT = (
    " 마스크를 쓰는 계산이라면: 한 행의 키가 모두 가려지면(-inf만 남으면) softmax가 NaN이 됩니다. "
    "마스크의 True/False를 뒤집지 않았는지(이 코스는 True = 볼 수 있음: masked_fill(~mask, -inf)) 확인하세요."
)


def _requires_grad_note(got) -> str:
    tensors = [t for _, t in _tensors_with_names(got, "")] if not isinstance(got, torch.Tensor) else [got]
    if any(t.requires_grad for t in tensors):
        return (
            "\n  ⚠️ 결과 텐서에 requires_grad=True가 붙어 있습니다. 함수 안에서 새 텐서를 "
            "requires_grad=True(또는 nn.Parameter)로 만들지 마세요: 기울기는 학습할 파라미터에만 필요합니다."
        )
    return ""


# ---------------------------------------------------------------- running learner code


def _normalise(path: str) -> str:
    """A path in one form for comparisons: forward slashes, lower case (Windows is case-insensitive)."""
    return str(path).replace("\\", "/").rstrip("/").lower() + "/"


LIB_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # .../lib
TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))
_STDLIB_MARKERS = ("/threading.py", "/contextlib.py")


def _is_internal(filename: str, internal_dirs=None) -> bool:
    """True for frames of lib (the course's own code, reference parts included), torch and the stdlib
    plumbing of the worker thread; False for the learner's code (a notebook cell, a test file)."""
    dirs = internal_dirs if internal_dirs is not None else (LIB_DIR, TORCH_DIR)
    name = _normalise(filename)[:-1]
    if any(name.startswith(_normalise(d)) for d in dirs):
        return True
    return name.endswith(_STDLIB_MARKERS)


def _lib_part(filename: str) -> str:
    """'lib/attention.py' for a frame inside lib (any OS), else ''."""
    name = _normalise(filename)[:-1]
    lib = _normalise(LIB_DIR)
    if name.startswith(lib):
        return "lib/" + name[len(lib):]
    return ""


def _learner_frame(exc: BaseException) -> str:
    """' (줄 3: return x @ w)' for the innermost frame outside lib/torch; when the error was raised
    inside lib's parts or torch, say so and still point at the learner's line that called them."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if not _is_internal(f.filename)]
    if not mine:
        return ""
    f = mine[-1]
    line = f" (줄 {f.lineno}: {f.line})" if f.line else f" (줄 {f.lineno})"
    after = frames[frames.index(f) + 1:] if f in frames else []
    parts = [p for p in (_lib_part(a.filename) for a in after) if p and "/course/" not in p]
    if parts:
        return f"{line} — 오류는 {parts[-1]} 안에서 났지만, 원인은 그 부분을 부른 내 코드의 이 줄입니다"
    return line


def _exception_hint(exc: BaseException) -> str:
    text = str(exc)
    if "shapes cannot be multiplied" in text or "size mismatch" in text:
        return " 행렬 곱의 모양이 맞지 않습니다. 가중치를 전치(.T)해야 하는지, 어느 축끼리 곱하는지 확인하세요."
    if "must match the size" in text:
        return (" 원소별 연산(+, *)의 두 텐서 모양이 맞지 않습니다. 각 텐서의 .shape를 출력해 보고, "
                "필요하면 unsqueeze나 [:, None]으로 축을 맞추세요.")
    if "Expected all tensors to be on the same device" in text or "CUDA" in text:
        return " 텐서가 서로 다른 장치에 있습니다. 함수 안에서 .cuda()/.to(...)로 옮기지 마세요."
    if isinstance(exc, TypeError) and "unsupported operand" in text and "tuple" in text:
        return (" 튜플과 텐서를 더했습니다. MultiHeadAttention은 (출력, 가중치) 두 값을 돌려줍니다: "
                "attended, weights = self.self_attention(...)처럼 나눠 받거나 [0]을 붙이세요.")
    if ("Long" in text or "long int" in text) and ("Float" in text or "float" in text):
        return (" 정수 토큰 id 텐서를 실수 벡터가 올 자리에 넘긴 것 같습니다. 토큰은 임베딩(또는 "
                "self.encoder(...)의 결과)을 거친 뒤에 어텐션에 들어갑니다.")
    if isinstance(exc, TypeError) and "numpy" in text:
        return " numpy와 torch를 섞어 쓰지 않았는지 보세요."
    if isinstance(exc, TypeError) and "positional argument" in text:
        return " 함수(또는 forward)의 인자 목록을 문제에 주어진 그대로 두세요."
    if isinstance(exc, NameError):
        return " 이 이름을 정의하는 앞쪽 셀(가져오기 셀 포함)을 먼저 실행했는지 확인하세요."
    return ""


def _time_limit_message(exercise: Exercise, still_running: bool) -> str:
    text = (
        f"{exercise.time_limit:g}초 안에 끝나지 않았습니다. 끝나지 않는 반복문이 있거나, "
        "벡터화하지 않은 계산이 너무 느린지 확인하세요."
    )
    if still_running:
        text += (" (코드가 멈추라는 신호도 무시하고 아직 뒤에서 돌고 있습니다: except BaseException이나 "
                 "긴 계산 하나가 있는지 보세요. 느려지면 커널을 재시작하세요.)")
    return text


def _run_guarded(exercise: Exercise, obj, case: Case):
    """(output, None, used_case) or (None, Korean problem text, used_case). Never raises, except
    KeyboardInterrupt. ``used_case`` is the copy the learner's code received."""
    used = clone_case(case)
    outcome = call_with_time_limit(lambda: exercise.call_on(obj, used), exercise.time_limit)
    if outcome.timed_out:
        return None, _time_limit_message(exercise, outcome.still_running), used
    exc = outcome.error
    if exc is None:
        return outcome.value, None, used
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    if isinstance(exc, NotImplementedError) and not _is_missing_forward(exc):
        return None, STUB_MESSAGE, used
    name = type(exc).__name__
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    problem = f"실행 중 오류가 났습니다: {name}: {message}{_learner_frame(exc)}.{_exception_hint(exc)}"
    if isinstance(exc, Exception):
        # the exercise's own look at the calls comes first: an error (a shape clash) is shared by
        # many different mistakes, the recorded calls are not
        note = _diagnose(exercise, obj, case) if exercise.diagnose is not None else None
        if note:
            problem += f"\n  💡 흔한 실수: {note}"
        else:
            mistake = _mistake_failing_the_same_way(exercise, case, exc)
            if mistake is not None:
                problem += f"\n  💡 흔한 실수: {mistake.name}. {mistake.hint}"
            else:
                finding = _error_name(exc) or _probe(exercise, obj, case, None, None)
                if finding:
                    problem += f"\n  💡 흔한 실수: {finding}"
    return None, problem, used


ERROR_NAMES = [  # (a piece of torch's error text, what it means in the learner's terms)
    ("view size is not compatible with input tensor's size and stride",
     "transpose/permute 뒤에 .view()를 씀: 전치한 텐서는 메모리가 연속(contiguous)이 아니라 view로 모양을 바꿀 수 없습니다. "
     ".reshape(...)를 쓰거나 .contiguous().view(...)로 바꾸세요"),
    ("The size of tensor a", None),
]


def _error_name(exc: BaseException) -> str | None:
    text = str(exc)
    for piece, name in ERROR_NAMES:
        if piece in text and name:
            return name
    return None


def _is_missing_forward(exc: BaseException) -> bool:
    return 'missing the required "forward" function' in str(exc)


def _matching_mistake(exercise: Exercise, case: Case, got, obj=None) -> Mistake | None:
    """The listed mistake whose output equals the learner's on the failing case and, when ``obj`` is
    given, on every other case of the exercise too (a name that fits one case only is not given)."""
    learner_outputs = {}
    for mistake in exercise.mistakes:
        try:
            with torch.no_grad(), capture_output():
                wrong = exercise.call(mistake.implementation, case)
            if compare(got, wrong, exercise.atol, exercise.rtol) is None and (
                    obj is None or _same_on_every_case(exercise, obj, mistake, learner_outputs)):
                return mistake
        except Exception:  # noqa: BLE001 - a mistake that cannot run on this case tells nothing
            continue
    return None


def _same_on_every_case(exercise: Exercise, obj, mistake: Mistake, learner_outputs: dict) -> bool:
    """True when the learner's answer and the mistake agree (same output, or both fail) on every case."""
    if exercise.is_class:
        return True  # class answers are built per case with weights; one case is evidence enough here
    for index, case in enumerate(exercise.cases()):
        if index not in learner_outputs:
            with capture_output():
                got, problem, _ = _run_guarded_plain(exercise, obj, case)
            learner_outputs[index] = (got, problem)
        got, problem = learner_outputs[index]
        try:
            with torch.no_grad(), capture_output():
                wrong = exercise.call(mistake.implementation, case)
        except Exception:  # noqa: BLE001
            wrong = None
            if problem is not None:
                continue
            return False
        if problem is not None or compare(got, wrong, exercise.atol, exercise.rtol) is not None:
            return False
    return True


def _run_guarded_plain(exercise: Exercise, obj, case: Case):
    """(output, None, case) or (None, 'error', case): the learner's call without any naming."""
    used = clone_case(case)
    outcome = call_with_time_limit(lambda: exercise.call_on(obj, used), exercise.time_limit)
    if outcome.timed_out or outcome.error is not None:
        if isinstance(outcome.error, KeyboardInterrupt):
            raise outcome.error
        return None, "error", used
    return outcome.value, None, used


def _error_signature(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _mistake_failing_the_same_way(exercise: Exercise, case: Case, error: BaseException) -> Mistake | None:
    """A typical mistake that raises exactly the same error on this case (e.g. the query and the
    keys swapped in cross-attention: a shape error, not a wrong number)."""
    signature = _error_signature(error)
    for mistake in exercise.mistakes:
        try:
            with torch.no_grad(), capture_output():
                exercise.call(mistake.implementation, case)
        except Exception as exc:  # noqa: BLE001 - the mistake's own error is what we compare
            if _error_signature(exc) == signature:
                return mistake
    return None


def _diagnose(exercise: Exercise, obj, case: Case) -> str | None:
    """The exercise's own look at how the learner's code used its parts (None if nothing found)."""
    used = clone_case(case)
    with capture_output():
        outcome = call_with_time_limit(lambda: exercise.diagnose(obj, used), exercise.time_limit)
    if outcome.timed_out or outcome.error is not None:
        return None
    return outcome.value if isinstance(outcome.value, str) and outcome.value else None


def unsure_note(exercise_id: str, problem: str = "기대") -> str:
    """Said plainly when no probe localised the difference: no guessed name.

    Only a problem that printed expected and actual values ("기대 ..., 실제 ...") is pointed to;
    a problem that names its own cause (None, a numpy array, a wrong type) gets just the hint line."""
    more = f"막히면 hint(\"{exercise_id}\")를 실행하세요 (실행할 때마다 점점 더 구체적인 힌트가 나옵니다)."
    if "기대" not in problem:
        return f"\n  {more}"
    return f"\n  🔎 자동 진단으로는 어느 부분이 다른지 특정하지 못했습니다: 위의 기대값과 실제값을 비교해 보세요. {more}"


def _probe(exercise: Exercise, obj, case: Case, got, expected) -> str | None:
    """The first finding of the exercise's property probes (lib/course/checks/probes*.py), or None."""
    return run_probes(exercise, obj, case, got, expected)


def _train_mode_note(exercise: Exercise, obj) -> str | None:
    try:
        return train_mode_note(exercise, obj)
    except Exception:  # noqa: BLE001 - a note must never turn a pass into a crash
        return None


def _check_object_kind(exercise: Exercise, obj) -> str | None:
    if obj is None:
        return "None을 넘겼습니다. 정의한 함수(또는 클래스)의 이름을 넘기세요."
    if exercise.is_class:
        if not isinstance(obj, type):
            return f"클래스를 넘겨야 하는데 {type(obj).__name__}을(를) 넘겼습니다. 괄호 없이 클래스 이름만 넘기세요."
        return missing_forward_problem(obj)
    if isinstance(obj, type) and not issubclass(obj, torch.nn.Module):
        return f"함수를 넘겨야 하는데 클래스 {obj.__name__}을(를) 넘겼습니다."
    if not callable(obj):
        return (
            f"함수를 넘겨야 하는데 {type(obj).__name__} 값을 넘겼습니다. "
            "함수를 호출한 결과가 아니라 함수 자체(괄호 없이 이름만)를 넘기세요."
        )
    return None


# ---------------------------------------------------------------- gradients (class exercises)

GRADIENT_SEED = 2024
GRADIENT_MISTAKE = "출력은 같지만 기울기가 다름 (계산 그래프를 끊음: detach/no_grad)"


@dataclass
class Gradients:
    """What one backward pass gave: parameter gradients of the built module and of the float inputs
    (name -> tensor, or None when none arrived). ``connected`` is False when no output required grad."""

    params: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    connected: bool = True
    has_float_output: bool = True


def _case_with_grad_inputs(exercise: Exercise, case: Case):
    """A fresh copy of ``case`` whose float tensors hang off leaves that require grad (the call gets
    non-leaf copies, as a layer inside a model does, so in-place changes stay legal), and the leaves."""
    leaves = []

    def convert(x, name):
        if isinstance(x, torch.Tensor):
            if x.is_floating_point():
                leaf = x.detach().clone().requires_grad_(True)
                leaves.append((name, leaf))
                return leaf.clone()
            return x.detach().clone()
        if isinstance(x, torch.nn.Module):
            return copy.deepcopy(x)
        if isinstance(x, (list, tuple)):
            return type(x)(convert(v, f"{name}[{i}]") for i, v in enumerate(x))
        if isinstance(x, dict):
            return {k: convert(v, f"{name}[{k!r}]") for k, v in x.items()}
        return x

    names = input_names(exercise, case)
    args = tuple(convert(v, names[i] or f"인자{i + 1}") for i, v in enumerate(case.args))
    kwargs = {k: convert(v, k) for k, v in case.kwargs.items()}
    return Case(args, kwargs, case.label), leaves


def backward_gradients(exercise: Exercise, obj, case: Case, seed: int = GRADIENT_SEED) -> Gradients:
    """Run ``obj`` on ``case`` with autograd on, backpropagate ``sum(out * g)`` (g: random, fixed by
    ``seed``, one per float output tensor) and collect the gradients. One forward, one backward."""
    used, leaves = _case_with_grad_inputs(exercise, case)
    with torch.enable_grad(), recording_built_modules() as built:
        output = exercise.call_on(obj, used)
        tensors = [t for _, t in _tensors_with_names(output, "") if t.is_floating_point()]
        if not tensors:
            return Gradients(has_float_output=False)
        generator = torch.Generator().manual_seed(seed)
        upstream = [torch.randn(tuple(t.shape), generator=generator, dtype=t.dtype).to(t.device) for t in tensors]
        live = [(t, g) for t, g in zip(tensors, upstream) if t.requires_grad]
        if not live:
            return Gradients(connected=False)
        sum((t * g).sum() for t, g in live).backward()
    module = built[-1] if built else None
    params = {}
    if module is not None:
        for name, p in module.named_parameters():
            params[name] = None if p.grad is None else p.grad.detach().clone()
    inputs = {name: None if leaf.grad is None else leaf.grad.detach().clone() for name, leaf in leaves}
    return Gradients(params, inputs)


def _grouped_names(names: list, all_names: list, idle=()) -> list:
    """['encoder.*', 'final_layer.bias']: a name's shortest prefix whose every name is in ``names``
    or in ``idle`` (parameters the reference gives no gradient either, such as a key bias)."""
    chosen, wanted = [], set(names) | set(idle)
    for name in names:
        parts = name.split(".")
        label = name
        for k in range(1, len(parts)):
            prefix = ".".join(parts[:k]) + "."
            if all(n in wanted for n in all_names if n.startswith(prefix)):
                label = prefix + "*"
                break
        if label not in chosen:
            chosen.append(label)
    return chosen


def _name_list(labels: list, shown: int = 6) -> str:
    text = ", ".join(labels[:shown])
    return text + (f" 외 {len(labels) - shown}개" if len(labels) > shown else "")


def _gradient_tolerance(exercise: Exercise, reference: torch.Tensor) -> float:
    """The output's absolute tolerance, scaled by the size of the reference gradient (a gradient is a
    sum over many positions: float32 rounding grows with it)."""
    scale = float(reference.detach().abs().max()) if reference.numel() else 0.0
    return exercise.atol * max(1.0, scale)


def gradient_problem(exercise: Exercise, got: Gradients, expected: Gradients) -> str | None:
    """A Korean explanation when the learner's gradients differ from the reference's, else None."""
    if not expected.has_float_output or not expected.connected:
        return None
    if not got.has_float_output:
        return None  # the outputs matched, so the reference has none either; nothing to compare
    if not got.connected:
        return (
            "출력은 같지만 출력 텐서가 계산 그래프에 연결되어 있지 않습니다 (requires_grad=False): "
            "forward 전체를 torch.no_grad() 안에서 계산했거나 .detach()/.item()/.numpy()를 거쳤는지 "
            "확인하세요 (.data도 그래프를 끊습니다). 이대로는 어떤 파라미터도 학습되지 않습니다."
        )
    silent, different, idle, worst = [], [], [], 0.0
    for kind, mine, theirs in (("param", got.params, expected.params), ("input", got.inputs, expected.inputs)):
        for name, ref in theirs.items():
            if name not in mine:
                continue
            grad = mine[name]
            if ref is None and grad is None:
                continue
            ref_t = ref if ref is not None else torch.zeros_like(grad)
            grad_t = grad if grad is not None else torch.zeros_like(ref_t)
            if grad_t.shape != ref_t.shape:
                different.append((kind, name))
                continue
            tol = _gradient_tolerance(exercise, ref_t)
            r, g = ref_t.detach().double(), grad_t.detach().double()
            if bool(torch.isclose(g, r, rtol=exercise.rtol, atol=tol, equal_nan=True).all()):
                if kind == "param" and not bool(r.abs().gt(tol).any()):
                    idle.append(name)
                continue
            if grad is None or not bool(grad_t.ne(0).any()):
                silent.append((kind, name))
            else:
                different.append((kind, name))
                worst = max(worst, float((g - r).abs().nan_to_num(float("inf")).max()))
    if not silent and not different:
        return None
    parts = []
    if silent:
        params = [n for k, n in silent if k == "param"]
        inputs = [n for k, n in silent if k == "input"]
        labels = _grouped_names(params, list(expected.params), idle) + [f"입력 {n}" for n in inputs]
        what = "파라미터" if params and not inputs else ("입력" if inputs and not params else "파라미터·입력")
        parts.append(
            f"출력은 같지만 {_name_list(labels)} {what}에 기울기가 흐르지 않습니다: detach()나 "
            "torch.no_grad()로 계산 그래프를 끊지 않았는지 확인하세요 (학습이 되지 않습니다)."
        )
    if different:
        labels = (_grouped_names([n for k, n in different if k == "param"], list(expected.params), idle)
                  + [f"입력 {n}" for k, n in different if k == "input"])
        lead = "출력은 같지만 " if not silent else "또, "
        parts.append(
            f"{lead}{_name_list(labels)}의 기울기가 lib 참조 구현과 다릅니다 (최대 오차 {worst:.3g}). "
            "forward 어딘가에서 값은 그대로 두고 기울기만 바꾸는 코드(.detach(), .data, torch.no_grad() 안의 "
            "계산)를 썼는지 확인하세요: 이대로는 참조 구현과 다르게 학습됩니다."
        )
    return "\n  ".join(parts)


def _gradient_run_hint(exc: BaseException) -> str:
    text = str(exc)
    if "inplace operation" in text or "in-place operation" in text:
        return (" 제자리(in-place) 연산(x += ..., .masked_fill_(...) 등)이 역전파에 필요한 값을 덮어썼습니다: "
                "x = x + ...처럼 새 텐서를 만드세요.")
    if "numpy()" in text and "requires grad" in text:
        return (" forward 안에서 .numpy()로 torch 밖에 나갔다 오면 계산 그래프가 끊깁니다: torch 연산만 쓰세요.")
    return _exception_hint(exc)


def _check_gradients(exercise: Exercise, obj, case: Case) -> str | None:
    """After a case's output matched: backpropagate through the reference and the learner's module
    and compare. A Korean problem text, or None. Never raises for learner code (except Ctrl-C)."""
    with capture_output():
        try:
            expected = backward_gradients(exercise, exercise.reference, case)
        except Exception:  # noqa: BLE001 - the course's own reference; nothing to hold against the learner
            return None
        outcome = call_with_time_limit(lambda: backward_gradients(exercise, obj, case), exercise.time_limit,
                                       grad=True)
    if outcome.timed_out:
        return _time_limit_message(exercise, outcome.still_running)
    exc = outcome.error
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    if exc is not None:
        name = type(exc).__name__
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        message = message.split(" Hint:")[0].rstrip(".")  # torch's anomaly-detection hint is not for learners
        return (
            f"출력은 같지만, 기울기를 계산하려고(autograd를 켜고 역전파) 다시 실행하니 오류가 났습니다: "
            f"{name}: {message}{_learner_frame(exc)}.{_gradient_run_hint(exc)}"
        )
    try:
        return gradient_problem(exercise, outcome.value, expected)
    except Exception as exc:  # noqa: BLE001 - odd gradients must not crash the check
        return f"기울기를 비교할 수 없습니다 ({type(exc).__name__}: {exc})."


def run_check(exercise: Exercise, obj) -> CheckResult:
    """Check ``obj`` against ``exercise``. Returns a CheckResult; never raises for learner code.

    The global random state (torch CPU, python, numpy) is the same before and after.
    """
    with preserved_random_state():
        return _run_check(exercise, obj)


def named_mistake(message: str) -> str | None:
    """The name of the typical mistake a failure message names ("💡 흔한 실수: <name>. <hint>"), or None."""
    marker = "💡 흔한 실수: "
    if marker not in message:
        return None
    return message.split(marker, 1)[1].split("\n", 1)[0].split(". ", 1)[0].strip() or None


def _run_check(exercise: Exercise, obj) -> CheckResult:
    problem = _check_object_kind(exercise, obj)
    if problem:
        return CheckResult(False, f"❌ {exercise.id}: {problem}")
    cases = exercise.cases()
    notes, printed = [], _Captured()
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
        with capture_output() as buffer:
            got, problem, used = _run_guarded(exercise, obj, case)
        if problem == STUB_MESSAGE:
            return CheckResult(False, f"⏳ {exercise.id}: {STUB_MESSAGE}")
        where = f"케이스 {number}/{len(cases)} ({describe_case(exercise, case)})"
        if problem is None:
            try:
                problem = compare(got, expected, exercise.atol, exercise.rtol, names=exercise.output_names)
            except Exception as exc:  # noqa: BLE001 - an odd output must not crash the check
                problem = f"결과를 비교할 수 없습니다 ({type(exc).__name__}: {exc}). 결과의 종류와 모양을 확인하세요."
            if problem and "NaN 또는 inf" in problem and (_has_bool_input(case) or exercise.is_class):
                problem = problem.split(" 큰 값에 exp")[0] + NAN_WITH_MASK_HINT
        changed = changed_inputs(exercise, case, used)
        if changed and not any("입력 텐서" in n for n in notes):
            notes.append(
                f"\n  ⚠️ 입력 텐서 {', '.join(changed[:3])}을(를) 제자리(in-place)에서 바꿨습니다 "
                "(x += ..., x /= ..., .zero_(), x[...] = ... 등). 함수를 부른 쪽의 텐서가 바뀌니, "
                "새 텐서를 만들어 쓰세요 (x = x + ...)."
            )
        if problem is not None:
            message = f"❌ {exercise.id}: {where}에서 틀렸습니다.\n  {problem}"
            if got is not None:
                mistake = _matching_mistake(exercise, case, got, obj)
                if mistake is not None:
                    message += f"\n  💡 흔한 실수: {mistake.name}. {mistake.hint}"
            if "💡" not in message and "의 dtype이 torch.float64입니다" in problem:
                message += ("\n  💡 흔한 실수: 결과가 float64입니다: numpy로 계산했거나(torch.from_numpy는 float64를 그대로 둠) "
                            "float64 텐서·상수를 섞었습니다. torch 함수로 계산하거나 마지막에 .float()로 float32로 바꾸세요")
            if "💡" not in message and got is not None and "초 안에 끝나지" not in problem:
                finding = _probe(exercise, obj, case, got, expected)
                if finding:
                    message += f"\n  💡 흔한 실수: {finding}"
            if "💡" not in message and exercise.diagnose is not None and "초 안에 끝나지" not in problem:
                note = _diagnose(exercise, obj, case)
                if note:
                    message += f"\n  💡 흔한 실수: {note}"
            if "💡" in message:
                message = message.replace(NAN_WITH_MASK_HINT, "")  # the named cause comes first, not a guess
            elif "초 안에 끝나지" not in problem:
                message += unsure_note(exercise.id, problem)
            message += "".join(notes) + printed_summary(buffer, failed=True)
            return CheckResult(False, message, named_mistake(message))
        if exercise.check_gradients:
            grad_problem = _check_gradients(exercise, obj, case)
            if grad_problem is not None:
                message = (f"❌ {exercise.id}: {where}에서 틀렸습니다.\n  {grad_problem}"
                           + "".join(notes) + printed_summary(buffer, failed=True))
                gradients_differ = grad_problem.startswith("출력은 같지만") and "오류가 났습니다" not in grad_problem
                return CheckResult(False, message, GRADIENT_MISTAKE if gradients_differ else None)
        grad_note = _requires_grad_note(got)
        if grad_note and grad_note not in notes:
            notes.append(grad_note)
        printed.write(buffer.text)
        printed.total += buffer.total - len(buffer.text)
    if exercise.is_class:
        note = _train_mode_note(exercise, obj)
        if note:
            notes.append(f"\n  {note}")
    against = "lib 참조 구현"
    if exercise.oracle is not None:
        name = exercise.oracle_name  # "torch.einsum" names torch already: not "torch의 torch.einsum"
        against += f"과 {name}" if name.startswith("torch") else f"과 torch의 {name}"
    message = f"✅ {exercise.id}: 통과! {len(cases)}개 케이스 모두 {against} 결과와 같습니다."
    return CheckResult(True, message + "".join(notes) + printed_summary(printed, failed=False))
