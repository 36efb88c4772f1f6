"""Test-wide settings: nothing the tests run records learner progress."""

import os

# Inherited by nbval's kernels too: executing solutions never marks an exercise as done.
os.environ["COURSE_PROGRESS"] = "off"
os.environ.setdefault("MPLBACKEND", "Agg")
