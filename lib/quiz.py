"""What a learner types: ``from lib.quiz import show_quiz`` or ``from lib import quiz; quiz.answer("03-1", 2)``
(2 = the choice shown as ②). The quiz engine lives in lib/course/quiz.py."""

from lib.course.quiz import answer, display_order, load_items, print_quiz, show_quiz

__all__ = ["show_quiz", "print_quiz", "answer", "load_items", "display_order"]
