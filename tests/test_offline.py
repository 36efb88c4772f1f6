"""The course never uses the network: no notebook and no lib function opens a connection.

tests/offline/sitecustomize.py is a guard that Python loads at start-up when its folder is on
PYTHONPATH: it refuses (and logs) every connection, datagram or name lookup aimed at another machine,
while loopback stays allowed (a Jupyter kernel talks to its client over 127.0.0.1). The tests first
prove the guard blocks, then run lib under it in fresh processes and require an empty log -- an attempt
that the calling code swallowed still fails the test. Every chapter runs under the guard too:
tests/test_chapters_run.py executes each generated chapter in a guarded kernel (one execution serves
both tests), and tests/test_browser.py runs JupyterLab itself guarded.
"""

import json
import pathlib
import subprocess
import sys
import textwrap

import offline_guard  # tests/offline_guard.py

from lib.course import notebooks


def guarded_env(log: pathlib.Path) -> dict:
    env = offline_guard.guarded_env(log)
    env["COURSE_PROGRESS"] = "off"
    env["MPLBACKEND"] = "Agg"
    return env


def run_guarded(code: str, log: pathlib.Path) -> dict:
    """Run ``code`` in a fresh guarded interpreter; it prints one JSON line last, returned here."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=guarded_env(log),
                            capture_output=True, text=True, timeout=300, cwd=notebooks.ROOT)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


logged = offline_guard.logged


def test_guard_blocks_other_hosts_and_keeps_loopback(tmp_path):
    log = tmp_path / "network.log"
    outcome = run_guarded("""
        import json, socket, sitecustomize

        def attempt(action):
            try:
                action()
                return "allowed"
            except sitecustomize.OfflineError:
                return "refused"

        def tcp(address, family=socket.AF_INET):
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(address)

        def tcp_ex(address):
            with socket.socket() as s:
                s.settimeout(2)
                s.connect_ex(address)

        def udp(address):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(b"x", address)

        def loopback():
            with socket.socket() as server:
                server.bind(("127.0.0.1", 0))
                server.listen(1)
                with socket.create_connection(server.getsockname(), timeout=5):
                    conn, _ = server.accept()
                    conn.close()

        def unix():
            a, b = socket.socketpair()
            a.sendall(b"ok"), b.recv(2), a.close(), b.close()

        result = {
            "tcp": attempt(lambda: tcp(("10.255.255.1", 80))),
            "create_connection": attempt(lambda: socket.create_connection(("10.255.255.1", 80), timeout=2)),
            "connect_ex": attempt(lambda: tcp_ex(("10.255.255.1", 80))),
            "udp": attempt(lambda: udp(("10.255.255.1", 53))),
            "dns": attempt(lambda: socket.getaddrinfo("example.com", 443)),
            "by_name": attempt(lambda: tcp(("example.com", 80))),
            "ipv6": attempt(lambda: tcp(("2001:db8::1", 80, 0, 0), socket.AF_INET6)),
            "loopback": attempt(loopback),
            "localhost_lookup": attempt(lambda: socket.getaddrinfo("localhost", 80)),
            "unix": attempt(unix),
        }
        print(json.dumps(result))
    """, log)
    refused = ["tcp", "create_connection", "connect_ex", "udp", "dns", "by_name", "ipv6"]
    assert {k: outcome[k] for k in refused} == dict.fromkeys(refused, "refused")
    assert {k: outcome[k] for k in ("loopback", "localhost_lookup", "unix")} == dict.fromkeys(
        ("loopback", "localhost_lookup", "unix"), "allowed")
    text = logged(log)
    assert text.count("refused (the course must not use the network)") == len(refused)
    assert "'10.255.255.1', 80" in text and "example.com" in text


def test_guard_logs_attempts_that_code_swallows(tmp_path):
    log = tmp_path / "network.log"
    run_guarded("""
        import json, urllib.request
        try:
            urllib.request.urlopen("http://10.255.255.1/data.csv", timeout=2)
        except Exception:
            pass  # a library falling back quietly must not hide the attempt
        print(json.dumps({}))
    """, log)
    assert "10.255.255.1" in logged(log)


def test_lib_uses_no_network(tmp_path):
    """Import every lib module; generate the data; run every exercise's check on its reference
    (which calls most of lib); answer a quiz item; draw a Korean plot; train a model a few steps."""
    log = tmp_path / "network.log"
    outcome = run_guarded("""
        import importlib, importlib.util, io, json, pathlib, socket
        import lib
        assert getattr(socket.socket.connect, "offline_guard", False), "guard not active"
        root = pathlib.Path(lib.__file__).parent
        modules = sorted(("lib." + ".".join(p.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
                         for p in root.rglob("*.py"))
        if importlib.util.find_spec("keras") is None:  # chapter 10's port needs keras (README): skipped without it
            modules = [name for name in modules if not name.startswith("lib.keras_port")]
        for name in modules:
            importlib.import_module(name)

        import torch
        from lib import corpus, data, train, utils
        from lib.course import quiz
        from lib.ui import plots  # noqa: F401
        from lib.course.checks import EXERCISES, check
        from lib.rnn import SequenceModel
        g = utils.set_seed(0)
        tokens, targets = data.recall_first_task(16, 6, generator=g)
        data.copy_task(8, 5, generator=g), data.reverse_task(8, 5, generator=g)
        corpus.make_translation_data(n_train=200, n_test=20, seed=0)
        results = [check(exercise_id, exercise.reference).passed for exercise_id, exercise in EXERCISES.items()]
        items = quiz.load_items()
        if items:
            quiz.QuizView(items[:2], record=False).choose(0, items[0].answer)
        ax = plots.heatmap(torch.rand(3, 4), x_labels=["나는", "학교에", "간다", "."], y_labels=list("abc"))
        ax.figure.savefig(io.BytesIO(), format="png")
        model = SequenceModel(vocab_size=12, num_classes=8, hidden_size=16)
        loss = lambda m, batch: torch.nn.functional.cross_entropy(m(batch[0]), batch[1])
        train.fit(model, lambda step: (tokens, targets), loss, steps=3, progress=False)
        print(json.dumps({"modules": len(modules), "checks": len(results), "passed": sum(results)}))
    """, log)
    assert outcome["modules"] >= 10 and outcome["checks"] >= 1 and outcome["passed"] == outcome["checks"]
    assert logged(log) == "", "lib tried to use the network:\n" + logged(log)
