"""What a learner types: ``from lib.checks import check, EXERCISES``. The engine lives in lib/course/checks."""

from lib.course.checks import EXERCISES, check

__all__ = ["check", "EXERCISES"]
