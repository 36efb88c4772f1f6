"""tools/seed_sweep.py moves exactly the seeds of the kind asked for (spec section 5).

The preamble the sweep injects is run in a fresh interpreter (no kernel, no notebook): each kind must
move its own seeds and leave the other kind's alone, and no seed may move twice.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import seed_sweep  # noqa: E402

PROBE = r'''
import json, random
import numpy as np, torch
from lib.utils import set_seed
from lib.corpus import generate_pairs, make_translation_data
from lib.data import recall_first_task

def model():
    g = set_seed(0)
    return [torch.rand(1).item(), random.random(), float(np.random.rand()), torch.rand(1, generator=g).item()]

def direct_global():
    torch.manual_seed(5); random.seed(5); np.random.seed(5)
    return [torch.rand(1).item(), random.random(), float(np.random.rand())]

def data():
    tokens, _ = recall_first_task(4, 6, 8, torch.Generator().manual_seed(1))
    pairs = [p.ko for p in generate_pairs(5, seed=0)]
    batch = make_translation_data(n_train=40, n_test=5, seed=0).batches(4, seed=0)(0)[0].tolist()
    return [tokens.tolist(), pairs, random.Random(3).random(), float(np.random.default_rng(3).random()), batch]

print(json.dumps({"model": model(), "global": direct_global(), "data": data()}))
'''


def probe(kind=None, shift=0):
    """What the probe draws with the preamble of ``kind`` (None: no preamble, seeds as asked)."""
    source = (seed_sweep.PREAMBLE if kind else "") + PROBE
    env = {**os.environ, "COURSE_SEED_SWEEP_SHIFT": str(shift), "COURSE_SEED_SWEEP_KIND": kind or "all"}
    out = subprocess.run([sys.executable, "-c", source], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def probe_shifted_by_hand(shift):
    """The same draws with every seed written as seed + shift (what 'all' must equal)."""
    source = (PROBE.replace("set_seed(0)", f"set_seed({shift})")
              .replace("manual_seed(5)", f"manual_seed({5 + shift})").replace("seed(5)", f"seed({5 + shift})")
              .replace("manual_seed(1)", f"manual_seed({1 + shift})").replace("seed=0", f"seed={shift}")
              .replace("Random(3)", f"Random({3 + shift})").replace("default_rng(3)", f"default_rng({3 + shift})"))
    out = subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def draws():
    return {kind: probe(kind, 1) for kind in ("all", "model", "data")} | {"none": probe(None)}


def test_model_kind_moves_only_model_seeds(draws):
    assert draws["model"]["model"] != draws["none"]["model"]
    assert draws["model"]["global"] != draws["none"]["global"]
    assert draws["model"]["data"] == draws["none"]["data"]


def test_data_kind_moves_only_data_seeds(draws):
    assert draws["data"]["model"] == draws["none"]["model"]
    assert draws["data"]["global"] == draws["none"]["global"]
    for got, base in zip(draws["data"]["data"], draws["none"]["data"]):
        assert got != base   # the lib.data task, the corpus, the batch order, random.Random, numpy's rng


def test_all_kind_is_every_seed_plus_shift_exactly_once(draws):
    assert draws["all"] == probe_shifted_by_hand(1)
    assert draws["all"]["model"] == draws["model"]["model"] and draws["all"]["data"] == draws["data"]["data"]


def test_shift_zero_changes_nothing():
    assert probe("all", 0) == probe(None)


def test_table_lists_every_kind():
    run = {"ok": True, "cell": "", "error": "", "seconds": 1.0, "cpu": 1.0}
    bad = {"ok": False, "cell": "cell-036", "error": "AssertionError: exact 0.572", "seconds": 1.0, "cpu": 1.0}
    data = {seed_sweep._key("03_seq2seq", kind, "idle"): {"notebook": "03_seq2seq", "kind": kind, "mode": "idle",
                                                          "date": "x", "runs": {"1": bad if kind == "model" else run}}
            for kind in seed_sweep.KINDS}
    table = seed_sweep.render(data)
    rows = [line for line in table.splitlines() if line.startswith("| 03_seq2seq")]
    assert [row.split("|")[2].strip() for row in rows] == ["all", "model", "data"]
    assert "❌ cell-036" in rows[1] and "0/1" in rows[1]
    assert seed_sweep.load_data_text(table) == data
