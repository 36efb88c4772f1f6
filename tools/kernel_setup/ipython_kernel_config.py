# Read by every IPython kernel of this environment at start-up (<environment>/etc/ipython/, installed by
# `pip install -r requirements.txt` from the course's tools/kernel_setup). It loads one extension, which does
# something only for notebooks inside the course folder: the Korean NameError hint from the first cell.
# The extension is added only when the `lib` package this kernel would import is the course's own (looked up
# without importing anything), so a kernel of another project that has its own `lib` package gets no warning.
import importlib.util
import pathlib

c = get_config()  # noqa: F821 - provided by IPython when it reads this file
_spec = importlib.util.find_spec("lib")
if _spec is not None and any((pathlib.Path(folder) / "course" / "kernel_hint.py").is_file()
                             for folder in (_spec.submodule_search_locations or [])):
    c.InteractiveShellApp.extensions.append("lib.course.kernel_hint")
