"""The hint ladder: ``hint("attention.attend")`` shows the next level of that exercise's hints.

Each exercise holds its ladder in ``Exercise.hints`` (at least three levels: what to compute in
words -> the formula and the shapes -> a skeleton with blanks ``___``, never the whole answer).
Each call shows the next level; after the last one the last level is shown again with a note.
``hint(id, level)`` shows one level directly. Levels shown are counted per kernel; the highest
level shown is saved in the progress file (``record_hint``) only for a learner.

    from lib.checks import hint
    hint("attention.attend")        # 💡 힌트 1/3 ...
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from lib.course import progress

_SHOWN: dict = {}  # exercise id -> highest level shown in this kernel

LEVEL_TITLES = {1: "무엇을 계산하나", 2: "수식과 모양", 3: "빈칸을 채울 뼈대"}


@dataclass
class HintResult:
    """What ``hint`` showed: the exercise id, the level (1-based, 0 = none), how many levels, the text."""

    exercise_id: str
    level: int
    levels: int
    message: str

    def _ipython_display_(self):
        """The message is already printed; show nothing more in a notebook."""

    def __repr__(self):
        return f"HintResult({self.exercise_id!r}, level={self.level}/{self.levels})"


def resolve_id(exercise_id, exercises: dict) -> tuple:
    """(id, None) for a known id (or a function/class whose name ends one id), else (None, Korean message)."""
    if isinstance(exercise_id, str) and exercise_id in exercises:
        return exercise_id, None
    name = getattr(exercise_id, "__name__", None) if not isinstance(exercise_id, str) else exercise_id
    if isinstance(name, str):
        ending = [k for k in exercises if k.rsplit(".", 1)[-1] == name]
        if len(ending) == 1:
            return ending[0], None
    text = str(name if name is not None else exercise_id)
    close = difflib.get_close_matches(text, list(exercises), n=3, cutoff=0.5)
    close += [k for k in exercises if text and text.lower() in k.lower() and k not in close][: 3 - len(close)]
    if close:
        listed = ", ".join(f'"{k}"' for k in close)
        more = f" 비슷한 아이디: {listed}."
    else:
        more = " 아이디는 연습문제 아래 check(...) 셀의 첫 인자와 같습니다 (예: \"attention.attend\")."
    return None, f"❓ 아이디가 '{text}'인 연습문제는 없습니다.{more}"


def _indented(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _format(exercise_id: str, level: int, levels: int, text: str, repeated: bool) -> str:
    title = LEVEL_TITLES.get(level, "힌트") if level < levels else "빈칸을 채울 뼈대"
    head = f"💡 힌트 {level}/{levels} — {exercise_id} ({title})"
    body = _indented(text) if level == levels else "  " + text
    if repeated:
        tail = ("  (마지막 힌트입니다. 더 자세한 힌트는 없습니다: 답 전체는 보여 주지 않습니다. "
                "___ 자리를 채운 뒤 check(...)를 실행하고, ❌ 메시지가 가리키는 곳을 보세요.)")
    elif level < levels:
        tail = f"  (더 구체적인 힌트: hint(\"{exercise_id}\")를 한 번 더 실행하세요. {level + 1}/{levels}번째 힌트)"
    else:
        tail = "  (마지막 힌트입니다. ___ 자리를 채우세요. 답 전체는 보여 주지 않습니다.)"
    return f"{head}\n{body}\n{tail}"


def show_hint(exercise_id, exercises: dict, level: int | None = None) -> HintResult:
    """Print the next (or the given) hint level of an exercise and return it. Never raises."""
    found, problem = resolve_id(exercise_id, exercises)
    if found is None:
        print(problem)
        return HintResult(str(exercise_id), 0, 0, problem)
    ladder = list(exercises[found].hints or [])
    if not ladder:
        message = f"ℹ️ {found}: 이 연습문제에는 아직 힌트가 없습니다. 노트의 설명과 check(...)의 메시지를 보세요."
        print(message)
        return HintResult(found, 0, 0, message)
    shown = _SHOWN.get(found, 0)
    if level is None:
        wanted, repeated = min(shown + 1, len(ladder)), shown >= len(ladder)
    else:
        try:
            wanted = min(max(int(level), 1), len(ladder))
        except (TypeError, ValueError):
            wanted = min(shown + 1, len(ladder))
        repeated = False
    _SHOWN[found] = max(shown, wanted)
    message = _format(found, wanted, len(ladder), ladder[wanted - 1], repeated)
    _record(found, _SHOWN[found])
    print(message)
    return HintResult(found, wanted, len(ladder), message)


def _record(exercise_id: str, level: int) -> None:
    """Save the highest level shown, for a learner only; a progress problem never hides the hint."""
    if not progress.recording_enabled():
        return
    try:
        progress.record_hint(exercise_id, level)
    except Exception:  # noqa: BLE001 - the hint matters more than its record
        pass


def hints_used(exercise_id: str) -> int:
    """The highest hint level recorded for an exercise (0 when none), from the progress file."""
    try:
        data = progress.load_progress()
    except Exception:  # noqa: BLE001
        return _SHOWN.get(exercise_id, 0)
    entry = data.get("hints", {}) if isinstance(data.get("hints"), dict) else {}
    level = entry.get(exercise_id, {}).get("level", 0) if isinstance(entry.get(exercise_id), dict) else 0
    level = level if isinstance(level, int) and not isinstance(level, bool) else 0
    return max(level, _SHOWN.get(exercise_id, 0))


def forget_shown() -> None:
    """Start every ladder again at level 1 (tests)."""
    _SHOWN.clear()
