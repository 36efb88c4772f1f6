"""How well ``check`` names mistakes it was not written against (issue 23, "done when").

tests/answers_dev.py and tests/answers_heldout.py were written by a second author who never read the
checks: wrong answers in several styles, each with the keywords a message naming *that* mistake
contains, and correct answers written another way. The dev set is open to the checks' author; the
held-out set is only measured here (its cases are never looked at one by one, and the probes are
never tuned on them). The course's own set is every typical mistake the exercises list.

A wrong answer is REJECTED when the check fails it (or, for an answer marked ``train_mode_only``,
equal to the reference in eval mode, when the passing check adds a ⚠️ note); it is NAMED when it is
rejected and the diagnosis part of the message (the 💡 / ⚠️ lines) contains one of its keywords.
Run with ``-s`` to see the rates:

    pytest -s tests/test_answers_measured.py
"""

import contextlib
import importlib
import io
import threading

import pytest

from lib.checks import EXERCISES, check

MIN_NAMED = {"heldout": 0.80, "dev": 0.90, "course": 0.90}
TIMEOUT_S = 120


def run(exercise_id, answer):
    """check(...) with nothing recorded, stdout captured, in a thread so a hang is reported."""
    box = {}

    def target():
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                box["result"] = check(exercise_id, answer, record=False)
        except BaseException as exc:  # noqa: BLE001 - a raising check is what we report
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(TIMEOUT_S)
    if thread.is_alive():
        return None, "(시간 초과)"
    if "error" in box:
        return None, f"(check raised {type(box['error']).__name__}: {box['error']})"
    return box["result"].passed, box["result"].message


def diagnosis(message: str) -> str:
    """The part of a message that names something: every 💡 and ⚠️ line."""
    return "\n".join(line for line in message.splitlines() if "💡" in line or "⚠️" in line)


def measure(cases):
    """Rates over (exercise_id, answer, label) cases, and the lists of failures."""
    wrong = [c for c in cases if c[2]["kind"] == "wrong" and c[0] in EXERCISES]
    right = [c for c in cases if c[2]["kind"] == "correct" and c[0] in EXERCISES]
    rejected, named, unnamed, accepted_wrong, rejected_right, errors = 0, 0, [], [], [], []
    for exercise_id, answer, label in wrong:
        passed, message = run(exercise_id, answer)
        if passed is None:
            errors.append((exercise_id, label.get("what"), message))
            continue
        noted = passed and label.get("train_mode_only") and "⚠️" in message
        if passed and not noted:
            accepted_wrong.append((exercise_id, label.get("what")))
            continue
        rejected += 1
        text = diagnosis(message).lower()
        if any(str(k).lower() in text for k in label.get("names_any", [])):
            named += 1
        else:
            unnamed.append((exercise_id, label.get("what"), diagnosis(message)[:300]))
    passed_right = 0
    for exercise_id, answer, label in right:
        passed, message = run(exercise_id, answer)
        if passed:
            passed_right += 1
        else:
            rejected_right.append((exercise_id, label.get("what"), message[:400]))
    return dict(wrong=len(wrong), rejected=rejected, named=named, right=len(right), passed_right=passed_right,
                unnamed=unnamed, accepted_wrong=accepted_wrong, rejected_right=rejected_right, errors=errors)


def report(name, r, show_cases: bool):
    def pct(a, b):
        return f"{a}/{b} ({100 * a / b:.0f} %)" if b else "-"

    print(f"\n[{name}] wrong rejected {pct(r['rejected'], r['wrong'])}, named {pct(r['named'], r['wrong'])}, "
          f"correct passed {pct(r['passed_right'], r['right'])}")
    if show_cases:
        for exercise_id, what, text in r["unnamed"]:
            print(f"  unnamed: {exercise_id}: {what}\n    -> {text!r}")
        for item in r["accepted_wrong"] + r["rejected_right"] + r["errors"]:
            print(f"  problem: {item}")


def course_cases():
    """Every typical mistake the exercises list, named by the check's own mistake name."""
    cases = []
    for exercise_id, exercise in EXERCISES.items():
        if exercise.is_class:
            continue  # class mistakes are measured by the blind-set tests
        for mistake in exercise.mistakes:
            cases.append((exercise_id, mistake.implementation,
                          dict(kind="wrong", what=mistake.name, names_any=[mistake.name.split(" (")[0][:12]])))
        for alternative in exercise.alternatives:
            cases.append((exercise_id, alternative, dict(kind="correct", what="alternative")))
    return cases


def _load(module_name):
    module = importlib.import_module(module_name)
    return module.CASES


@pytest.mark.parametrize("name", ["dev", "heldout", "course"])
def test_named_rate(name):
    if name == "course":
        cases = course_cases()
    else:
        try:
            cases = _load(f"answers_{name}")
        except ImportError:
            pytest.skip(f"tests/answers_{name}.py not present")
    r = measure(cases)
    report(name, r, show_cases=name != "heldout")  # held-out cases are never shown one by one
    assert not r["errors"], f"{len(r['errors'])} checks raised or hung"
    assert r["rejected"] == r["wrong"], f"{r['wrong'] - r['rejected']} wrong answers were accepted"
    assert r["passed_right"] == r["right"], f"{r['right'] - r['passed_right']} correct answers were rejected"
    assert r["named"] >= MIN_NAMED[name] * r["wrong"], f"named {r['named']}/{r['wrong']}"
