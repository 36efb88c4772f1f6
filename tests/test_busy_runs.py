"""tools/busy_runs.py calls a run clean only with exit code 0 and no stall notice from tools/nbexec.py."""

import pathlib
import re
import sys

import busy_runs  # tools/busy_runs.py (tools/ is on sys.path via conftest.py)
import nbexec


def command(*lines):
    return [sys.executable, "-c", "import sys\n" + "\n".join(lines)]


def test_a_stall_notice_or_a_failure_makes_the_run_not_clean(tmp_path, capsys):
    notice = "nbexec: 04_attention: the kernel stopped answering at cell cell-009 ('idle' for 16 s without a reply)"
    stalled = command(f"print({notice!r}, file=sys.stderr)", "print('==== 12 passed in 3.0s ====')")
    assert busy_runs.main(["--runs", "1", "--busy", "0", "--log-dir", str(tmp_path / "a"), "--", *stalled]) == 1
    assert "stall notices: 1" in capsys.readouterr().out
    failed = command("print('==== 1 failed, 11 passed in 3.0s ===='); sys.exit(1)")
    assert busy_runs.main(["--runs", "1", "--busy", "0", "--log-dir", str(tmp_path / "b"), "--", *failed]) == 1
    clean = command("print('==== 12 passed, 1 skipped in 3.0s ====')")
    assert busy_runs.main(["--runs", "2", "--busy", "0", "--log-dir", str(tmp_path / "c"), "--", *clean]) == 0
    out = capsys.readouterr().out
    assert "12 passed, 1 skipped" in out and "2 of 2 run(s) clean" in out


def test_the_notice_pattern_matches_what_nbexec_says():
    """Every message nbexec's ``_say`` prints (execute() and the nbval kernel) is recognised, and so is
    the warning class pytest lists in its summary."""
    source = pathlib.Path(nbexec.__file__).read_text(encoding="utf-8")
    said = re.findall(r'_say\(f?"([^"]+)"', source)
    assert len(said) >= 2, said
    for text in said + [nbexec.NotebookRetried.__name__]:
        assert busy_runs.STALL_NOTICE.search(text), text
    assert not busy_runs.STALL_NOTICE.search("==== 1731 passed, 5 skipped in 353.0s ====")
