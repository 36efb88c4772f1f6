"""Exercise checks: ``check(id, obj)`` and the ``EXERCISES`` registry.

Each chapter's exercises are data in ``lib/course/checks/chNN.py`` (a list named ``EXERCISES_HERE``);
this package collects them all. Adding an exercise = adding one ``Exercise`` entry there.

    from lib.course.checks import check, EXERCISES
    check("attention.weighted_average", weighted_average)

Also here, for the notebooks: ``mine_or_reference`` (a cell after an exercise uses the learner's
function when it runs, else lib's reference, and says whose code produced the numbers), and the
Korean NameError hint installed in IPython on import (which earlier cell defines the missing name).
"""

import difflib
import importlib
import pkgutil

from lib.course import progress
from lib.course.checks.core import CheckResult, named_mistake, run_check
from lib.course.checks.exercise import Case, Exercise, Mistake
from lib.course.checks.hints import HintResult, show_hint
from lib.course.notebooks import install_name_error_hint
from lib.course.progress import record_check_failure, record_exercise_passed

__all__ = ["check", "hint", "EXERCISES", "Exercise", "Case", "Mistake", "CheckResult", "HintResult",
           "install_name_error_hint", "mine_or_reference"]


def _collect() -> dict:
    registry = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("ch"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for exercise in module.EXERCISES_HERE:
            if exercise.id in registry:
                raise ValueError(f"duplicate exercise id {exercise.id!r} in {info.name}")
            registry[exercise.id] = exercise
    return registry


EXERCISES = _collect()



def check(exercise_id: str, obj, record: bool = True) -> CheckResult:
    """Run the exercise's cases on ``obj``, print Korean feedback, return a CheckResult.

    ``record=False``: a demonstration (e.g. a wrong answer shown on purpose) — nothing is saved in
    the progress file, neither a pass nor a failure.
    """
    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        close = difflib.get_close_matches(str(exercise_id), EXERCISES, n=3)
        hint_text = f" 비슷한 아이디: {', '.join(close)}." if close else ""
        result = CheckResult(False, f"❌ 아이디가 '{exercise_id}'인 연습문제는 없습니다.{hint_text}")
    else:
        try:
            result = run_check(exercise, obj)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - a check must never crash on the learner
            result = CheckResult(
                False, f"❌ {exercise_id}: 검사 중 예상하지 못한 오류가 났습니다 ({type(exc).__name__}: {exc})."
            )
        if record:
            _record(exercise_id, result)
    print(result.message)
    return result


def _record(exercise_id: str, result: CheckResult) -> None:
    """Save a pass (with the hint level used so far) or a failed attempt; stubs are not attempts."""
    if result.passed:
        try:
            if record_exercise_passed(exercise_id):
                progress.update_progress(lambda data: _note_hints_used(data, exercise_id))
        except OSError:
            result.message += "\n  (진도 파일에 기록하지 못했습니다.)"
    elif not result.message.startswith("⏳"):  # a stub is not a failed attempt
        mistake = result.mistake or named_mistake(result.message)
        record_check_failure(exercise_id, mistake)


def _note_hints_used(data: dict, exercise_id: str) -> None:
    """exercises[id]["hints_used"] = the highest hint level recorded for it (0 when none)."""
    hints = data.get("hints") if isinstance(data.get("hints"), dict) else {}
    entry = hints.get(exercise_id) if isinstance(hints.get(exercise_id), dict) else {}
    level = entry.get("level", 0)
    record = data.get("exercises", {}).get(exercise_id)
    if isinstance(record, dict):
        record["hints_used"] = level if isinstance(level, int) and not isinstance(level, bool) else 0


def hint(exercise_id, level: int | None = None) -> HintResult:
    """Show the next hint of an exercise: words → formula and shapes → a skeleton with blanks.

        hint("attention.attend")      # run again for the next, more concrete level
        hint("attention.attend", 2)   # one level directly
    """
    try:
        return show_hint(exercise_id, EXERCISES, level)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - a hint must never crash on the learner
        message = f"⚠️ 힌트를 보여 주지 못했습니다 ({type(exc).__name__}: {exc}). 코스의 버그이니 알려 주세요."
        print(message)
        return HintResult(str(exercise_id), 0, 0, message)


_REPORTED: set = set()  # (function name, note) already printed during the current cell


def _forget_reports_at_each_cell() -> None:
    """In IPython, empty _REPORTED before every cell runs, so each cell says once whose code it used."""
    try:
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_course_reports_hook", False):
        return
    shell.events.register("pre_run_cell", lambda *args: _REPORTED.clear())
    shell._course_reports_hook = True


def mine_or_reference(mine, reference, *args, **kwargs):
    """The learner's function's result if it runs, else lib's reference's — and a line saying whose
    code produced the numbers (once per cell and function, so a loop does not repeat it).

        scores = mine_or_reference(dot_product_scores, attention.dot_product_scores, query, keys)
    """
    name = getattr(mine, "__name__", "함수")
    ref_name = f"{getattr(reference, '__module__', 'lib').replace('lib.', '')}.{getattr(reference, '__name__', '')}"
    try:
        result, note = mine(*args, **kwargs), f"ℹ️ 사용한 구현: 내 {name}"
    except Exception as exc:  # noqa: BLE001 - any failure of the learner's code falls back
        result = reference(*args, **kwargs)
        reason = "아직 구현하지 않음" if isinstance(exc, NotImplementedError) else f"오류 {type(exc).__name__}"
        note = f"ℹ️ 사용한 구현: lib의 참조 구현 {ref_name} (내 {name}: {reason})"
    _forget_reports_at_each_cell()
    key = (name, note)
    if key not in _REPORTED:
        _REPORTED.add(key)
        print(note)
    return result
