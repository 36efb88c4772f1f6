"""lib.train: fit lowers the loss, logs what it should, fails loudly on NaN; the live curve is a
no-op outside Jupyter."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import train


def _regression_problem():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(4, 1, generator=g)

    def next_batch(step):
        x = torch.randn(32, 4, generator=g)
        return x, x @ w

    return next_batch


def _mse(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


def test_fit_lowers_the_loss_and_records_every_step():
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    history = train.fit(model, _regression_problem(), _mse, steps=150, lr=0.05, progress=False)
    assert len(history.loss) == 150 and history.seconds > 0
    assert sum(history.loss[-10:]) / 10 < 0.05 * sum(history.loss[:10]) / 10
    assert not model.training  # fit leaves the model in eval mode


def test_on_step_callback_and_metrics():
    calls = []

    def on_step(step, history):
        calls.append(step)
        history.log("double", 2 * history.loss[-1])

    history = train.fit(nn.Linear(4, 1), _regression_problem(), _mse, steps=5, progress=False, on_step=on_step)
    assert calls == [0, 1, 2, 3, 4]
    assert history.metrics["double"] == pytest.approx([2 * v for v in history.loss])


def test_live_curve_is_silent_outside_a_notebook(capsys):
    history = train.fit(nn.Linear(4, 1), _regression_problem(), _mse, steps=5, progress=False, live=True)
    assert len(history.loss) == 5
    assert capsys.readouterr().out == ""
    assert not train.in_notebook()


def test_nan_loss_stops_training():
    def broken(model, batch):
        return model(batch[0]).sum() * float("nan")

    with pytest.raises(FloatingPointError):
        train.fit(nn.Linear(4, 1), _regression_problem(), broken, steps=3, progress=False)


def test_gradient_clipping_bounds_the_update():
    torch.manual_seed(1)
    model = nn.Linear(4, 1)
    before = model.weight.detach().clone()
    huge = lambda m, b: 1e6 * _mse(m, b)  # noqa: E731
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    train.fit(model, _regression_problem(), huge, steps=1, clip=1.0, optimizer=optimizer, progress=False)
    assert (model.weight.detach() - before).norm() <= 1.0 + 1e-5


def test_smoothed_is_a_normalised_exponential_average():
    history = train.History(loss=[1.0, 3.0, 5.0, 7.0])
    decay = 1 - 2 / 3  # window=2 -> alpha = 2/3
    expected = [sum(decay ** (t - i) * history.loss[i] for i in range(t + 1)) / sum(decay ** k for k in range(t + 1))
                for t in range(4)]
    assert history.smoothed(window=2) == pytest.approx(expected)
    assert all(math.isfinite(v) for v in history.smoothed())


def test_smoothing_has_no_artefact_at_the_window_start():
    """It starts at the first value (no dip from zero padding) and has no bend at step ``window``
    (where a plain moving average starts dropping the first, large losses)."""
    assert train.smooth([2.5] * 50, window=20) == pytest.approx([2.5] * 50)  # a constant stays constant
    loss = [4.0] * 5 + [1.0] * 60  # a sharp drop, then flat
    smoothed = train.smooth(loss, window=20)
    assert smoothed[0] == 4.0
    steps = [a - b for a, b in zip(smoothed, smoothed[1:])]
    assert all(s >= -1e-12 for s in steps)  # falls monotonically towards 1.0
    assert all(b <= a + 1e-12 for a, b in zip(steps[5:], steps[6:]))  # ever more slowly: no step at 20


def test_accuracy():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert train.accuracy(logits, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)
