"""The shortened chapter run (tests/short_run.py) shortens training and stops enforcing claims, and nothing else:
a stub still raises, inside an assert or out of it, and lib's own code is not rewritten."""

import nbformat
import pytest
import short_run  # tests/short_run.py
from short_run_cases import CASES as BLIND_CASES  # written from the contract alone, without reading short_run.py
from nbexec import execute  # tools/nbexec.py

CELLS = {
    "fit_by_keyword": """\
import torch
from lib.train import fit
model = torch.nn.Linear(2, 1)
history = fit(model, lambda step: torch.randn(4, 2), lambda m, batch: m(batch).pow(2).mean(), steps=300, progress=False)
print(len(history.loss))""",
    "fit_by_position": "print(len(fit(model, lambda step: torch.randn(4, 2), lambda m, b: m(b).pow(2).mean(), 2, progress=False).loss))",
    "false_claim": 'assert 1 == 2, "a claim that needs the full training"\nprint("went on")',
    "stub_in_assert": "def exercise(x):\n    raise NotImplementedError()\n\nassert exercise(1) == 1",
    "stub_outside_assert": "exercise(1)",
    "assert_in_a_module": "import module_with_an_assert\nmodule_with_an_assert.claim()",
}
MODULE = 'def claim():\n    assert 1 == 2, "an assert in imported code"\n'  # written next to the notebook


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(short_run.SHORT_RUN_CELL)]
    nb.cells += [nbformat.v4.new_code_cell(source, id=name.replace("_", "-")) for name, source in CELLS.items()]
    nb.cells += [nbformat.v4.new_code_cell(case["source"], id=f"blind-{i}") for i, case in enumerate(BLIND_CASES)]
    folder = tmp_path_factory.mktemp("short")
    (folder / "module_with_an_assert.py").write_text(MODULE, encoding="utf-8")
    execute(nb, cwd=folder, timeout=120, allow_errors=True, name="short run")
    return {cell.id.replace("-", "_"): cell.outputs for cell in nb.cells[1:]}


def stdout(outputs):
    return "".join(o["text"] for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout").split()


def printed(outputs):
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream").split()


def error(outputs):
    return next((o["ename"] for o in outputs if o["output_type"] == "error"), None)


def test_training_is_cut_to_the_short_run_steps_however_steps_is_passed(outputs):
    assert printed(outputs["fit_by_keyword"]) == [str(short_run.SHORT_STEPS)]
    assert printed(outputs["fit_by_position"]) == ["2"]  # fewer steps than the limit: as asked


def test_a_claim_that_does_not_hold_does_not_stop_the_run(outputs):
    assert error(outputs["false_claim"]) is None
    assert printed(outputs["false_claim"]) == ["went", "on"]


def test_a_stub_still_raises_inside_an_assert_and_outside(outputs):
    assert error(outputs["stub_in_assert"]) == "NotImplementedError"
    assert error(outputs["stub_outside_assert"]) == "NotImplementedError"


def test_only_the_cells_are_rewritten_not_imported_code(outputs):
    assert error(outputs["assert_in_a_module"]) == "AssertionError"


@pytest.mark.parametrize("i", range(len(BLIND_CASES)), ids=[case["name"] for case in BLIND_CASES])
def test_a_case_written_blind_from_the_contract(outputs, i):
    case, got = BLIND_CASES[i], outputs[f"blind_{i}"]
    assert error(got) == case["expect_error"]
    if case["expect_printed"] is not None:
        assert stdout(got) == case["expect_printed"]
