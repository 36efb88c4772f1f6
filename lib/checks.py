"""What a learner types: ``from lib.checks import check, EXERCISES``. The engine lives in lib/course/checks.

``mine_or_reference(mine, reference, *args)`` runs the learner's function and falls back to lib's
reference, saying whose code produced the numbers (cells after an exercise work either way).
"""

from lib.course.checks import EXERCISES, check, mine_or_reference

__all__ = ["check", "EXERCISES", "mine_or_reference"]
