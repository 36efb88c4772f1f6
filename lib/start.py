"""The first line of every chapter notebook: ``start_chapter("04")``.

What it does, and nothing happens on import:
- records that the learner opened chapter 04 (only in chapters/, never in solutions/ or tests), so
  chapter 11's review draws from the chapters the learner has started;
- pins torch to one CPU thread: the course's models are tiny, so a second thread only adds contention
  on a busy laptop, and one thread makes float sums independent of the core count;
- makes matplotlib draw Hangul (lib.ui.fonts);
- in Jupyter, adds a Korean hint to a NameError for a name an earlier cell defines (cells run out of order).
  A kernel of the course's environment already has it from its first cell, whichever cell that is
  (``lib.course.kernel_hint``, loaded at kernel start through tools/kernel_setup's IPython config);
  installing it again here is harmless, and keeps the hint where that config is missing.
"""

import torch

from lib.course.notebooks import install_name_error_hint
from lib.course.progress import record_chapter_opened
from lib.ui.fonts import use_korean_font


def single_thread() -> None:
    """torch on one CPU thread (see the module docstring)."""
    torch.set_num_threads(1)


def start_chapter(chapter: str) -> None:
    """Set up a chapter notebook: progress, one thread, Hangul plots, the NameError hint."""
    record_chapter_opened(chapter)
    single_thread()
    use_korean_font()
    install_name_error_hint()
