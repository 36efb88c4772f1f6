"""lib.rnn against torch's own modules (weights copied in), and the toy tasks of lib.data."""

import pytest
import torch
import torch.nn as nn

from lib import data, rnn


def _weights_of(module, suffix=""):
    """The module's RNN weights as (weight_ih, weight_hh, bias_ih, bias_hh)."""
    return tuple(getattr(module, name + suffix).detach() for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


@pytest.mark.parametrize("batch, d_in, hidden", [(3, 5, 4), (1, 2, 7), (4, 6, 6)])
def test_rnn_cell_matches_nn_rnncell(batch, d_in, hidden):
    torch.manual_seed(batch + d_in)
    cell = nn.RNNCell(d_in, hidden)
    x, h = torch.randn(batch, d_in) * 3, torch.randn(batch, hidden)
    torch.testing.assert_close(rnn.rnn_cell(x, h, *_weights_of(cell)), cell(x, h))


@pytest.mark.parametrize("batch, length, d_in, hidden", [(2, 7, 3, 5), (1, 1, 4, 4), (3, 12, 2, 8)])
def test_rnn_layer_matches_nn_rnn(batch, length, d_in, hidden):
    torch.manual_seed(length)
    layer = nn.RNN(d_in, hidden, batch_first=True)
    x, h0 = torch.randn(batch, length, d_in), torch.randn(batch, hidden)
    outputs, h_last = rnn.rnn_layer(x, h0, *_weights_of(layer, "_l0"))
    expected_outputs, expected_h = layer(x, h0.unsqueeze(0))
    assert outputs.shape == (batch, length, hidden) and h_last.shape == (batch, hidden)
    torch.testing.assert_close(outputs, expected_outputs)
    torch.testing.assert_close(h_last, expected_h.squeeze(0))
    torch.testing.assert_close(h_last, outputs[:, -1])


def test_rnn_layer_gradients_match_nn_rnn():
    torch.manual_seed(0)
    layer = nn.RNN(3, 4, batch_first=True)
    x = torch.randn(2, 6, 3, requires_grad=True)
    h0 = torch.zeros(2, 4)
    weights = [w.clone().requires_grad_(True) for w in _weights_of(layer, "_l0")]
    rnn.rnn_layer(x, h0, *weights)[0].pow(2).sum().backward()
    mine = [x.grad.clone()] + [w.grad for w in weights]
    x.grad = None
    layer(x, h0.unsqueeze(0))[0].pow(2).sum().backward()
    theirs = [x.grad] + [getattr(layer, n + "_l0").grad for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    for a, b in zip(mine, theirs):
        torch.testing.assert_close(a, b)


def test_rnn_layer_runs_at_any_length_with_the_same_parameters():
    torch.manual_seed(1)
    weights = _weights_of(nn.RNN(2, 3, batch_first=True), "_l0")
    for length in (1, 10, 100):
        outputs, _ = rnn.rnn_layer(torch.randn(1, length, 2), torch.zeros(1, 3), *weights)
        assert outputs.shape == (1, length, 3)


def test_sequence_model_equals_embedding_lib_rnn_layer_readout():
    torch.manual_seed(2)
    model = rnn.SequenceModel(vocab_size=12, num_classes=5, hidden_size=6, kind="rnn", per_step=True)
    tokens = torch.randint(0, 12, (3, 9))
    x = model.embed(tokens)
    outputs, _ = rnn.rnn_layer(x, torch.zeros(3, 6), *_weights_of(model.recurrent, "_l0"))
    torch.testing.assert_close(model(tokens), model.readout(outputs))


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_sequence_model_shapes_and_last_step_readout(kind):
    torch.manual_seed(3)
    per_step = rnn.SequenceModel(10, 4, hidden_size=8, kind=kind, per_step=True)
    last = rnn.SequenceModel(10, 4, hidden_size=8, kind=kind)
    last.load_state_dict(per_step.state_dict())
    tokens = torch.randint(0, 10, (2, 7))
    assert per_step(tokens).shape == (2, 7, 4)
    assert last(tokens).shape == (2, 4)
    torch.testing.assert_close(last(tokens), per_step(tokens)[:, -1])
    torch.testing.assert_close(last.forward_embedded(last.embed(tokens)), last(tokens))


def test_input_gradient_norms_match_autograd_through_the_model():
    torch.manual_seed(4)
    model = rnn.SequenceModel(10, 4, hidden_size=8)
    tokens, targets = torch.randint(0, 10, (5, 6)), torch.randint(0, 4, (5,))
    embedded = model.embed(tokens)
    embedded.retain_grad()
    nn.functional.cross_entropy(model.forward_embedded(embedded), targets).backward()
    norms = rnn.input_gradient_norms(model, tokens, targets)
    assert norms.shape == (6,)
    torch.testing.assert_close(norms, embedded.grad.norm(dim=-1).mean(dim=0))


def test_input_gradient_norms_without_recurrence_reach_only_the_last_step():
    torch.manual_seed(5)
    model = rnn.SequenceModel(10, 4, hidden_size=8)
    with torch.no_grad():
        model.recurrent.weight_hh_l0.zero_()  # no path from earlier steps to the last state
    norms = rnn.input_gradient_norms(model, torch.randint(0, 10, (4, 5)), torch.randint(0, 4, (4,)))
    assert norms[-1] > 0 and torch.all(norms[:-1] == 0)


# ---------------------------------------------------------------- toy tasks


def test_symbols_avoid_special_ids_and_generator_makes_them_reproducible():
    a = data.random_symbols(50, 9, 5, torch.Generator().manual_seed(0))
    b = data.random_symbols(50, 9, 5, torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    assert a.min() >= data.FIRST_SYMBOL and a.max() < data.FIRST_SYMBOL + 5
    assert {data.PAD_ID, data.BOS_ID, data.EOS_ID, data.UNK_ID} == {0, 1, 2, 3}


def test_recall_first_task_targets_the_first_token():
    tokens, target = data.recall_first_task(20, 7, num_symbols=6, generator=torch.Generator().manual_seed(1))
    assert tokens.shape == (20, 7) and target.shape == (20,)
    assert torch.equal(target, tokens[:, 0] - data.FIRST_SYMBOL)
    assert target.min() >= 0 and target.max() < 6


@pytest.mark.parametrize("delay", [1, 3])
def test_delayed_copy_task_outputs_the_token_seen_delay_steps_ago(delay):
    tokens, targets = data.delayed_copy_task(10, 8, delay=delay, num_symbols=5,
                                             generator=torch.Generator().manual_seed(2))
    assert tokens.shape == targets.shape == (10, 8)
    assert torch.all(targets[:, :delay] == 5)  # "nothing yet"
    assert torch.equal(targets[:, delay:], tokens[:, :-delay] - data.FIRST_SYMBOL)


def test_copy_and_reverse_tasks_wrap_the_source_in_bos_eos():
    src, tgt = data.copy_task(4, 6, generator=torch.Generator().manual_seed(3))
    assert tgt.shape == (4, 8)
    assert torch.all(tgt[:, 0] == data.BOS_ID) and torch.all(tgt[:, -1] == data.EOS_ID)
    assert torch.equal(tgt[:, 1:-1], src)
    src, tgt = data.reverse_task(4, 6, generator=torch.Generator().manual_seed(3))
    assert torch.equal(tgt[:, 1:-1], src.flip(1))
    assert torch.all(tgt[:, 0] == data.BOS_ID) and torch.all(tgt[:, -1] == data.EOS_ID)
