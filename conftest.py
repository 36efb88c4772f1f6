"""Test-wide settings: nothing the tests run records learner progress."""

import os

# Inherited by nbval's kernels too: executing solutions never marks an exercise as done.
# (Do not set MPLBACKEND here: the kernels inherit it, and a non-inline backend makes
# plt.show() produce no output, which nbval reports as missing outputs.)
os.environ["COURSE_PROGRESS"] = "off"

# The course's models are tiny: one thread is faster on a busy 2-core machine (as lib.utils.set_seed does).
import torch  # noqa: E402

torch.set_num_threads(1)
