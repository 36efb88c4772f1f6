"""Helper library for the seq2seq / attention / Transformer study course.

One concept per module:

- ``lib.rnn``, ``lib.seq2seq``, ``lib.attention``, ``lib.masks``, ``lib.losses``,
  ``lib.transformer``: reference implementations (the exercise answers).
- ``lib.data``, ``lib.corpus``: toy tasks and the Korean->English toy corpus, generated on the fly.
- ``lib.train``, ``lib.ui.plots``, ``lib.ui.explorers``: training loops, plots, ipywidgets explorers.
- ``lib.checks``, ``lib.course.quiz``, ``lib.course.scheduler``, ``lib.course.progress``: exercise checks, quizzes, spaced
  repetition, the learner's progress.
- ``lib.course.notebooks``: solutions/ -> chapters/ generation and "start over" copies.

Notebooks import lib; lib never imports notebooks.
"""

__version__ = "0.1.0"
