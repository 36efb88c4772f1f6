"""Test-wide settings: nothing the tests run records learner progress."""

import os

# Inherited by nbval's kernels too: executing solutions never marks an exercise as done.
# (Do not set MPLBACKEND here: the kernels inherit it, and a non-inline backend makes
# plt.show() produce no output, which nbval reports as missing outputs.)
os.environ["COURSE_PROGRESS"] = "off"
