"""IPython extension: the Korean NameError hint from a kernel's first cell, whichever cell runs first.

IPython loads it when a kernel starts, through ``<environment>/etc/ipython/ipython_kernel_config.py``
(``c.InteractiveShellApp.extensions``), which ``pip install -r requirements.txt`` installs from
``tools/kernel_setup``. It acts only for a kernel whose notebook is inside this course folder (the
kernel's working directory, or the notebook path JupyterLab gives it); any other kernel of the same
environment is left as it is. ``COURSE_NOTEBOOK_ROOTS`` (folders, os.pathsep-separated) adds folders
that count as the course (the browser test serves copies of the chapters from a temporary folder).
Importing this module changes nothing.
"""

import os
import pathlib

COURSE_ROOT = pathlib.Path(__file__).resolve().parents[2]


def in_course(folder=None, session=None) -> bool:
    """Whether a kernel working in ``folder`` (default: the current one) for the notebook ``session``
    (default: ``JPY_SESSION_NAME``) belongs to this course."""
    candidates = [pathlib.Path(folder) if folder is not None else pathlib.Path.cwd()]
    session = os.environ.get("JPY_SESSION_NAME", "") if session is None else session
    if session and pathlib.Path(session).is_absolute():
        candidates.append(pathlib.Path(session))
    roots = [COURSE_ROOT] + [pathlib.Path(p) for p in os.environ.get("COURSE_NOTEBOOK_ROOTS", "").split(os.pathsep) if p]
    for path in candidates:
        for root in roots:
            try:
                path.resolve().relative_to(root.resolve())
                return True
            except (OSError, ValueError):
                continue
    return False


def load_ipython_extension(shell) -> None:
    """Called by IPython at kernel start (or ``%load_ext lib.course.kernel_hint``)."""
    if not in_course():
        return
    from lib.course.notebooks import install_name_error_hint

    install_name_error_hint(shell)
