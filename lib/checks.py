"""What a learner types: ``from lib.checks import check, hint, EXERCISES``. The engine lives in lib/course/checks.

``check(id, obj)`` grades an answer (``record=False`` for a demonstration that must not count as the
learner's attempt); ``hint(id)`` shows the next level of the exercise's hint ladder.
``mine_or_reference(mine, reference, *args)`` runs the learner's function and falls back to lib's
reference, saying whose code produced the numbers (cells after an exercise work either way).
"""

from lib.course.checks import EXERCISES, check, hint, mine_or_reference

__all__ = ["check", "hint", "EXERCISES", "mine_or_reference"]
