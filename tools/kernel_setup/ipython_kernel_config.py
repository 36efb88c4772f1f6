# Read by every IPython kernel of this environment at start-up (<environment>/etc/ipython/, installed by
# `pip install -r requirements.txt` from the course's tools/kernel_setup). It loads one extension, which does
# something only for notebooks inside the course folder: the Korean NameError hint from the first cell.
c = get_config()  # noqa: F821 - provided by IPython when it reads this file
c.InteractiveShellApp.extensions.append("lib.course.kernel_hint")
