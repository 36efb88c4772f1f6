"""Exercise checks: ``check(id, obj)`` and the ``EXERCISES`` registry.

Each chapter's exercises are data in ``lib/course/checks/chNN.py`` (a list named ``EXERCISES_HERE``);
this package collects them all. Adding an exercise = adding one ``Exercise`` entry there.

    from lib.course.checks import check, EXERCISES
    check("attention.weighted_average", weighted_average)
"""

import difflib
import importlib
import pkgutil

from lib.course.checks.core import Case, CheckResult, Exercise, Mistake, run_check
from lib.course.progress import record_exercise_passed

__all__ = ["check", "EXERCISES", "Exercise", "Case", "Mistake", "CheckResult"]


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


def check(exercise_id: str, obj) -> CheckResult:
    """Run the exercise's cases on ``obj``, print Korean feedback, return a CheckResult."""
    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        close = difflib.get_close_matches(str(exercise_id), EXERCISES, n=3)
        hint = f" 혹시 {', '.join(close)} 인가요?" if close else ""
        result = CheckResult(False, f"❌ '{exercise_id}'라는 연습문제가 없습니다.{hint}")
    else:
        try:
            result = run_check(exercise, obj)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - a check must never crash on the learner
            result = CheckResult(
                False, f"❌ {exercise_id}: 검사 중 예상하지 못한 오류가 났습니다 ({type(exc).__name__}: {exc})."
            )
        if result.passed:
            try:
                record_exercise_passed(exercise_id)
            except OSError:
                result.message += "\n  (진도 파일에 기록하지 못했습니다.)"
    print(result.message)
    return result
