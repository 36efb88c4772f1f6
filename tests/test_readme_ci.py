"""The README's quick start and CI cannot drift apart.

A fresh machine runs exactly what the README tells a learner: .ci/run makes a fresh virtual environment,
then runs the README quick start's install command and test command, verbatim. The quick start is the
fenced code block under the heading that contains "Quick start" / "빠른 시작".
"""

import importlib.util
import re

import labsession
from lib.course import notebooks

ROOT = notebooks.ROOT
HEADING = re.compile(r"quick start|빠른 시작", re.IGNORECASE)
SHELL_FENCES = {"", "bash", "sh", "shell", "console"}


def quick_start_blocks(readme: str) -> list:
    """Commands of every shell code block under a quick-start heading (comments and prompts dropped)."""
    blocks, under_heading, fence, language, lines = [], False, None, "", []
    for line in readme.splitlines():
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                if under_heading and language in SHELL_FENCES:
                    blocks.append(lines)
                fence = None
            else:
                command = re.sub(r"^\$\s+", "", stripped)
                command = re.sub(r"\s+#.*$", "", command)
                if command and not command.startswith("#"):
                    lines.append(command)
            continue
        opening = re.match(r"^(```+|~~~+)\s*([\w-]*)", stripped)
        if opening:
            fence, language, lines = opening.group(1), opening.group(2).lower(), []
        elif re.match(r"^#{1,6}\s", stripped):
            under_heading = bool(HEADING.search(stripped))
    return blocks


def inline_quick_start(readme: str) -> list:
    """`code` spans of the prose paragraphs that mention the quick start (e.g. the English summary)."""
    prose = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", readme, flags=re.MULTILINE | re.DOTALL)
    spans = []
    for paragraph in re.split(r"\n\s*\n", prose):
        if HEADING.search(paragraph) and not paragraph.lstrip().startswith("#"):
            spans += re.findall(r"`([^`]+)`", paragraph)
    return spans


def ci_commands(script: str) -> list:
    """Lines of .ci/run that are commands (comments and blank lines dropped)."""
    return [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]


def is_install(command: str) -> bool:
    return command.startswith("pip install")


def is_test(command: str) -> bool:
    return command.split()[0] == "pytest"


def drift(readme: str, script: str) -> list:
    """Problems that let the README and .ci/run disagree ([] = none)."""
    blocks = quick_start_blocks(readme)
    if not blocks:
        return ["README has no ```bash block under a 'Quick start' / '빠른 시작' heading"]
    problems = []
    commands = ci_commands(script)
    ci_install = [c for c in commands if is_install(c)]
    ci_test = [c for c in commands if is_test(c)]
    for block in blocks:
        install = [c for c in block if is_install(c)]
        test = [c for c in block if is_test(c)]
        if install != ["pip install -r requirements.txt"] or test != ["pytest"]:
            problems.append(f"quick start should install with `pip install -r requirements.txt` and test with "
                            f"`pytest`: {block}")
        if "jupyter lab" not in block:
            problems.append(f"quick start does not open the course with `jupyter lab`: {block}")
        if install != ci_install:
            problems.append(f"README installs with {install}, .ci/run with {ci_install}")
        if test != ci_test:
            problems.append(f"README tests with {test}, .ci/run with {ci_test}")
    inline = [c for c in inline_quick_start(readme) if is_install(c) or is_test(c)]
    if inline and inline != [c for c in blocks[0] if is_install(c) or is_test(c)]:
        problems.append(f"the quick-start summary says {inline}, the quick-start block {blocks[0]}")
    venv = next((i for i, c in enumerate(commands) if re.search(r"python3? -m venv", c)), None)
    activate = next((i for i, c in enumerate(commands) if re.search(r"(source|\.) .*bin/activate", c)), None)
    first_install = next((i for i, c in enumerate(commands) if is_install(c)), None)
    first_test = next((i for i, c in enumerate(commands) if is_test(c)), None)
    if None in (venv, activate, first_install, first_test) or not venv < activate < first_install < first_test:
        problems.append(".ci/run must make a fresh venv, activate it, install, then test, in that order")
    return problems


def read(name: str) -> str:
    path = ROOT / name
    assert path.exists(), f"{name} is missing: the quick start and CI are defined there"
    return path.read_text(encoding="utf-8")


def test_readme_quick_start_is_what_ci_runs():
    assert drift(read("README.md"), read(".ci/run")) == []


def test_ci_installs_what_the_browser_test_needs():
    script = read(".ci/run")
    listed = re.search(r"^apt_packages=\(([^)]*)\)", script, re.MULTILINE)
    assert listed, ".ci/run lists no apt_packages"
    assert tuple(listed.group(1).split()) == labsession.APT_PACKAGES
    assert '"${missing[@]}"' in script and "apt-get install" in script
    assert " ".join(labsession.APT_PACKAGES) in labsession.ENABLE_HINT  # the skip message says the same
    assert re.search(r"^playwright\b", read("requirements.txt"), re.MULTILINE), "requirements.txt lacks playwright"
    readme_apt = re.findall(r"apt-get install[^\n`]*", read("README.md"))
    for line in readme_apt:  # where the README explains the browser test, it names the same packages
        assert set(labsession.APT_PACKAGES) <= set(line.split()), line


def benchmark_figures(readme: str) -> dict | None:
    """The figures tools/benchmark.py --readme wrote between its markers (None: no such block)."""
    block = re.search(r"<!-- BENCHMARK:BEGIN -->(.*?)<!-- BENCHMARK:END -->", readme, re.DOTALL)
    if not block:
        return None
    text = block.group(1)
    rows = dict(re.findall(r"^\| `(\d\d_\w+)` \| ([\d.]+) \|", text, re.MULTILINE))
    total = re.search(r"^\| \*\*total\*\* \| ([\d.]+) \|", text, re.MULTILINE)
    ratio = re.search(r"([\d.]+) ms / ([\d.]+) ms = \*\*([\d.]+)x\*\*", text)
    tests = re.search(r"^\| `pytest` \(([^)]*)\) \| (\d+) \|", text, re.MULTILINE)
    machine = re.search(r"^측정 환경 \(machine\): (.+)$", text, re.MULTILINE)
    return {"notebooks": {k: float(v) for k, v in rows.items()},
            "total": float(total.group(1)) if total else None,
            "ratio": tuple(map(float, ratio.groups())) if ratio else None,
            "pytest": tests.groups() if tests else None,
            "machine": machine.group(1) if machine else None}


def test_readme_quotes_the_benchmark_for_every_notebook():
    figures = benchmark_figures(read("README.md"))
    assert figures, "README.md has no figures: run `python tools/benchmark.py --pytest --cores 2 --readme`"
    solutions = sorted(p.stem for p in notebooks.SOLUTIONS.glob("*.ipynb"))
    assert sorted(figures["notebooks"]) == solutions, "figures are stale: re-run tools/benchmark.py --readme"
    assert figures["total"] is not None, "no total in the figures"
    assert abs(figures["total"] - sum(figures["notebooks"].values())) < 0.1 * len(solutions)  # rounding only
    assert figures["ratio"] is not None, "no Transformer ratio in the figures"
    lib_ms, nn_ms, ratio = figures["ratio"]
    assert abs(lib_ms / nn_ms - ratio) < 0.01
    assert figures["pytest"] is not None, "no pytest time in the figures (use --pytest)"
    assert figures["machine"] and re.search(r"\b2 cores\b", figures["machine"]), figures["machine"]


def test_benchmark_table_is_what_the_readme_test_reads():
    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "tools" / "benchmark.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    table = benchmark.markdown({
        "machine": "AMD EPYC, 2 cores, 8 GB RAM", "date": "2026-01-01", "all": True, "total": 70.0,
        "notebooks": [("00_start", 10.0), ("01_rnn", 60.0)],
        "ratio": {"lib_ms": 11.0, "nn_ms": 10.0, "ratio": 1.1},
        "pytest": {"seconds": 400.0, "code": 0, "summary": "300 passed"}})
    begin, end = benchmark.readme_block.markers("BENCHMARK")
    figures = benchmark_figures(f"{begin}\n{table}{end}")
    assert figures == {"notebooks": {"00_start": 10.0, "01_rnn": 60.0}, "total": 70.0, "ratio": (11.0, 10.0, 1.1),
                       "pytest": ("300 passed", "400"), "machine": "AMD EPYC, 2 cores, 8 GB RAM; 2026-01-01."}


# ------------------------------------------------------------ the comparison itself can fail

README = """# 코스

## 빠른 시작 (Quick start)

```bash
pip install -r requirements.txt
jupyter lab   # opens the course
pytest
```

## English

**Quick start:** `pip install -r requirements.txt`, then `jupyter lab`,
and `pytest`.
"""

CI = """#!/usr/bin/env bash
# pytest is run below
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
source "$venv/bin/activate"
python -m pip install --quiet --upgrade pip
pip install -r requirements.txt
pytest
"""


def test_matching_readme_and_ci_pass():
    assert quick_start_blocks(README) == [["pip install -r requirements.txt", "jupyter lab", "pytest"]]
    assert drift(README, CI) == []


def test_drift_is_detected():
    assert drift(README, CI.replace("\npytest\n", "\npytest tests\n"))
    assert drift(README, CI.replace("pip install -r requirements.txt", "pip install -e ."))
    assert drift(README.replace("```bash\npip", "```bash\npip install -U pip\npip"), CI)
    assert drift(README.replace("and `pytest`", "and `pytest -x`"), CI)
    assert drift(README.replace("빠른 시작 (Quick start)", "설치"), CI)
    assert drift(README, CI.replace('python3 -m venv "$venv"\n', ""))
    assert drift(README, CI.replace("pytest\n", "") + "pytest\n" + "pip install -r requirements.txt\n")
