"""lib.losses against torch (softmax, log_softmax, F.cross_entropy), on ordinary and extreme float32
logits; masked_accuracy against a plain loop; the chapter-05 explorer's computation and widget."""

import importlib.util
import math
import os
import pathlib
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

from lib import losses
from lib.course.checks import check
from lib.ui.explorers import logits as logits_explorer_module


def _extreme_logits():
    """Float32 logits where a naive exp overflows (>88.7) or underflows (< -103), mixed per row."""
    return torch.tensor([
        [1e4, -1e4, 0.0, 5e3],
        [100.0, 90.0, 80.0, 70.0],
        [-100.0, -250.0, -90.0, -100.0],
        [1.0, 2.0, 3.0, 0.5],
        [1e30, -1e30, 0.0, 1.0],
        [-500.0, -499.0, -498.0, -500.0],
    ])


def _random_logits(seed, *shape, scale=3.0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * scale


LOGIT_SETS = {
    "small": _random_logits(0, 5, 7),
    "3d": _random_logits(1, 2, 3, 11),
    "large_scale": _random_logits(2, 4, 9, scale=300.0),
    "extreme": _extreme_logits(),
}


@pytest.mark.parametrize("name", LOGIT_SETS)
@pytest.mark.parametrize("dim", [-1, 0])
def test_softmax_matches_torch_and_stays_finite(name, dim):
    logits = LOGIT_SETS[name]
    probs = losses.softmax(logits, dim=dim)
    assert probs.dtype == torch.float32 and probs.shape == logits.shape
    assert torch.isfinite(probs).all()
    torch.testing.assert_close(probs, torch.softmax(logits, dim=dim))
    torch.testing.assert_close(probs.sum(dim=dim), torch.ones(probs.sum(dim=dim).shape))


@pytest.mark.parametrize("name", LOGIT_SETS)
@pytest.mark.parametrize("dim", [-1, 0])
def test_log_softmax_matches_torch_and_stays_finite(name, dim):
    logits = LOGIT_SETS[name]
    log_probs = losses.log_softmax(logits, dim=dim)
    assert torch.isfinite(log_probs).all() and (log_probs <= 0).all()
    torch.testing.assert_close(log_probs, torch.log_softmax(logits, dim=dim))


def test_the_naive_routes_really_fail_in_float32():
    """The chapter's claim: without the max subtracted, exp overflows; through probabilities, log underflows."""
    z = torch.tensor([[100.0, 0.0, -100.0]])
    naive = z.exp() / z.exp().sum(-1, keepdim=True)
    assert torch.isnan(naive[0, 0])
    assert torch.isinf(torch.log(torch.softmax(z, -1))[0, 2])
    assert losses.log_softmax(z)[0, 2].item() == pytest.approx(-200.0)
    assert losses.cross_entropy(z, torch.tensor([2])).item() == pytest.approx(200.0)


CE_CASES = [
    (_random_logits(3, 8, 5), torch.tensor([0, 1, 2, 3, 4, 0, 1, 2]), None),
    (_extreme_logits(), torch.tensor([1, 0, 1, 3, 1, 2]), None),
    (_extreme_logits(), torch.tensor([1, 0, 0, 3, 0, 2]), 0),
    (_random_logits(4, 6, 4, scale=50.0), torch.tensor([3, -100, 2, -100, 0, 1]), -100),
    (_random_logits(5, 5, 6), torch.tensor([5, 4, 3, 2, 1]), 0),  # ignore_index that never occurs
]


@pytest.mark.parametrize("logits, targets, ignore_index", CE_CASES)
def test_cross_entropy_and_its_gradient_match_F_cross_entropy(logits, targets, ignore_index):
    torch_ignore = -100 if ignore_index is None else ignore_index
    mine_in = logits.clone().requires_grad_()
    theirs_in = logits.clone().requires_grad_()
    mine = losses.cross_entropy(mine_in, targets, ignore_index=ignore_index)
    theirs = F.cross_entropy(theirs_in, targets, ignore_index=torch_ignore)
    assert mine.dim() == 0 and torch.isfinite(mine)
    torch.testing.assert_close(mine, theirs)
    mine.backward()
    theirs.backward()
    assert torch.isfinite(mine_in.grad).all()
    torch.testing.assert_close(mine_in.grad, theirs_in.grad)


def test_gradient_is_softmax_minus_one_hot_over_kept_targets():
    logits = _random_logits(6, 6, 5).requires_grad_()
    targets = torch.tensor([1, 0, 4, 0, 2, 3])
    losses.cross_entropy(logits, targets, ignore_index=0).backward()
    keep = (targets != 0).float()[:, None]
    expected = (torch.softmax(logits.detach(), -1) - F.one_hot(targets, 5)) * keep / keep.sum()
    torch.testing.assert_close(logits.grad, expected)


def test_ignored_targets_do_not_change_the_loss():
    logits = _random_logits(7, 4, 3)
    targets = torch.tensor([2, 0, 1, 0])
    base = losses.cross_entropy(logits, targets, ignore_index=0)
    changed = logits.clone()
    changed[targets == 0] = torch.tensor([1e4, -1e4, 7.0])
    assert losses.cross_entropy(changed, targets, ignore_index=0).item() == pytest.approx(base.item())
    kept_only = losses.cross_entropy(logits[targets != 0], targets[targets != 0])
    assert base.item() == pytest.approx(kept_only.item())


def _accuracy_by_loop(logits, labels, pad_id):
    right = total = 0
    for b in range(labels.shape[0]):
        for t in range(labels.shape[1]):
            if labels[b, t].item() == pad_id:
                continue
            total += 1
            right += int(logits[b, t].argmax().item() == labels[b, t].item())
    return right / total


@pytest.mark.parametrize("seed, pad_id", [(0, 0), (1, 0), (2, -100), (3, 3)])
def test_masked_accuracy_matches_a_plain_loop(seed, pad_id):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(3, 7, 5, generator=g)
    labels = torch.randint(0, 5, (3, 7), generator=g)
    labels[0, 4:] = pad_id
    labels[2, 2:] = pad_id
    value = losses.masked_accuracy(logits, labels, pad_id=pad_id)
    assert isinstance(value, float)
    assert value == pytest.approx(_accuracy_by_loop(logits, labels, pad_id))


def test_masked_accuracy_ignores_whatever_is_predicted_at_padding():
    labels = torch.tensor([[4, 5, 0, 0], [6, 0, 0, 0]])
    logits = torch.zeros(2, 4, 7)
    logits[..., 0] = 1.0  # predicts PAD everywhere: right on every padded step, wrong on every real one
    assert losses.masked_accuracy(logits, labels) == 0.0
    assert (logits.argmax(-1) == labels).float().mean().item() == pytest.approx(5 / 8)
    logits[0, 0, 4] = logits[0, 1, 5] = logits[1, 0, 6] = 9.0
    assert losses.masked_accuracy(logits, labels) == 1.0


@pytest.mark.parametrize("exercise_id, naive", [
    ("losses.softmax", lambda logits, dim=-1: logits.exp() / logits.exp().sum(dim, keepdim=True)),
    ("losses.log_softmax", lambda logits, dim=-1: torch.log(logits.exp() / logits.exp().sum(dim, keepdim=True))),
    ("losses.cross_entropy", lambda logits, targets, ignore_index=None: F.nll_loss(
        torch.log(logits.exp() / logits.exp().sum(-1, keepdim=True)), targets,
        ignore_index=-100 if ignore_index is None else ignore_index)),
])
def test_naive_exp_answer_is_told_about_inf_and_nan(exercise_id, naive):
    """The message of a naive (exp without the max) answer names the extreme case and says NaN/inf."""
    result = check(exercise_id, naive)
    assert not result.passed
    assert "NaN 또는 inf" in result.message
    assert "±1e4" in result.message or "±100" in result.message
    assert "오버플로" in result.message


def test_explore_matches_torch_for_every_temperature():
    for temperature in [0.05, 0.5, 1.0, 3.0]:
        result = logits_explorer_module.explore([2.0, 1.0, 0.1, -1.0], temperature, target=2)
        z = torch.tensor([2.0, 1.0, 0.1, -1.0]) / temperature
        torch.testing.assert_close(result.probs, torch.softmax(z, -1))
        expected = F.cross_entropy(z[None], torch.tensor([2])).item()
        assert result.loss == pytest.approx(expected, rel=1e-5)


def test_explore_shows_the_naive_route_breaking_at_small_temperature():
    calm = logits_explorer_module.explore([2.0, 1.0, 0.1, -1.0], 1.0, target=1)
    assert calm.naive_loss == pytest.approx(calm.loss, rel=1e-5)
    hot = logits_explorer_module.explore([2.0, 1.0, 0.1, -1.0], 0.01, target=1)
    assert math.isnan(hot.naive_loss) and hot.loss == pytest.approx(100.0)
    with pytest.raises(ValueError):
        logits_explorer_module.explore([1.0, 2.0], 0.0)


def test_explorer_widget_builds_and_reacts(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    seen = []
    real = logits_explorer_module.explore
    monkeypatch.setattr(logits_explorer_module, "explore", lambda *a, **k: seen.append(a) or real(*a, **k))
    widget = logits_explorer_module.logits_explorer()
    controls = widget.children[0].children
    assert len(controls) == len(logits_explorer_module.DEFAULT_LOGITS) + 2
    controls[0].value = 7.5  # first logit slider
    controls[-2].value = 0.1  # temperature
    controls[-1].value = 3  # target
    assert seen[-1] == ([7.5, 1.0, 0.1, -1.0], pytest.approx(0.1), 3)
    assert len(seen) == 4


# --- chapter 05 §6: what Keras' default from_logits=False computes, per backend --------------------

def _logits_and_probs():
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(7, 6, generator=g) * 3
    return logits, torch.softmax(logits, dim=-1), torch.randint(0, 6, (7,), generator=g)


def test_keras_probability_loss_tensorflow_is_clip_log_then_softmax_cross_entropy():
    logits, probs, y = _logits_and_probs()
    clipped = logits.clamp(1e-7, 1 - 1e-7)
    by_formula = -(clipped[torch.arange(7), y] / clipped.sum(dim=-1)).log().mean()
    assert torch.allclose(losses.keras_probability_loss(logits, y, "tensorflow"), by_formula, atol=1e-5)
    # without the renormalisation (the simplification chapter 05 used to show) it is a different loss
    unnormalised = F.nll_loss(torch.log(clipped), y)
    assert not torch.allclose(unnormalised, by_formula, atol=1e-2)
    # on real probabilities both backends are -log(clip(p_y))
    plain = F.nll_loss(torch.log(probs.clamp(1e-7, 1 - 1e-7)), y)
    for backend in ("tensorflow", "torch"):
        assert torch.allclose(losses.keras_probability_loss(probs, y, backend), plain, atol=1e-5)
    with pytest.raises(ValueError):
        losses.keras_probability_loss(probs, y, "jax")


def test_keras_tensorflow_source_still_clips_logs_then_softmax_cross_entropy():
    """TF is not installed here: the TF variant follows the installed Keras source, checked as text."""
    spec = importlib.util.find_spec("keras")
    if spec is None:
        pytest.skip("keras가 설치되어 있지 않음")
    source = (pathlib.Path(spec.origin).parent / "src" / "backend" / "tensorflow" / "nn.py").read_text()
    body = source[source.index("def sparse_categorical_crossentropy"):]
    body = body[:body.index("\ndef ")]
    order = [body.index(s) for s in ("tf.clip_by_value", "tf.math.log(output)",
                                      "tf.nn.sparse_softmax_cross_entropy_with_logits")]
    assert order == sorted(order)


def test_keras_probability_loss_torch_matches_keras_on_the_torch_backend(tmp_path):
    if importlib.util.find_spec("keras") is None:
        pytest.skip("keras가 설치되어 있지 않음")
    logits, probs, y = _logits_and_probs()
    torch.save({"logits": logits, "probs": probs, "y": y}, tmp_path / "case.pt")
    script = (
        "import sys, torch, keras\n"
        "case = torch.load(sys.argv[1])\n"
        "loss = keras.losses.SparseCategoricalCrossentropy()\n"
        "print(float(loss(case['y'], case['logits'])), float(loss(case['y'], case['probs'])))\n"
    )
    env = dict(os.environ, KERAS_BACKEND="torch")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "case.pt")], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    keras_logits, keras_probs = map(float, out.stdout.split()[-2:])
    assert math.isclose(losses.keras_probability_loss(logits, y, "torch").item(), keras_logits, rel_tol=1e-4)
    assert math.isclose(losses.keras_probability_loss(probs, y, "torch").item(), keras_probs, rel_tol=1e-4)
    # the TF variant is a different function on logits: the test would catch a mix-up
    assert not math.isclose(losses.keras_probability_loss(logits, y, "tensorflow").item(), keras_logits,
                            rel_tol=1e-2)
