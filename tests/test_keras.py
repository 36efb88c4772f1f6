"""Chapter 10: the TF tutorial's Keras code on Keras 3's torch backend (lib.keras_port).

Keeps the chapter's statements true on the installed Keras: the port gives lib's logits with copied
weights, the tutorial's model as written ignores no padding (the silent bug) while the fixed one is
padding- and prefix-invariant, Keras's from_logits losses match F.cross_entropy as the chapter says,
and the exercise checks reject the typical mistakes by name.

Skipped as a whole when keras is not installed (the rest of the course does not need it).
"""

import importlib.util
import pathlib
import subprocess
import sys
import warnings

import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras가 설치되어 있지 않음: 10장(lib.keras_port)만 keras를 씁니다", allow_module_level=True)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from lib import keras_port as kp  # noqa: E402 - chooses the torch backend, then imports keras
from lib.corpus import make_translation_data  # noqa: E402
from lib.data import PAD_ID  # noqa: E402
from lib.keras_port import backend  # noqa: E402
from lib.seq2seq import make_decoder_io  # noqa: E402
from lib.transformer import Transformer, positional_encoding  # noqa: E402

keras = kp.keras
ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = dict(d_model=16, num_heads=2, d_ff=32, num_layers=2, dropout=0.0)

pytestmark = pytest.mark.filterwarnings("ignore:.*does not support masking.*")


@pytest.fixture(scope="module")
def data():
    return make_translation_data(n_train=50, n_test=40)


@pytest.fixture(scope="module")
def reference(data):
    torch.manual_seed(0)
    return Transformer(len(data.src_vocab), len(data.tgt_vocab), **CONFIG).eval()


@pytest.fixture(scope="module")
def batch(data):
    src, tgt, _ = data.tensors(data.test[:8])
    x, _ = make_decoder_io(tgt)
    assert (src == PAD_ID).any() and (x == PAD_ID).any(), "the batch must hold padding on both sides"
    return src, x


def logits(model, src, x):
    with torch.no_grad():
        return model((src, x))


def padding_change(model, src, x, extra=4):
    longer = torch.cat([src, torch.full((src.size(0), extra), PAD_ID)], dim=1)
    return (logits(model, longer, x) - logits(model, src, x))[x != PAD_ID].abs().max().item()


def prefix_change(model, src, x, start=3):
    changed = x.clone()
    changed[:, start:] = 5
    return (logits(model, src, changed)[:, :start] - logits(model, src, x)[:, :start]).abs().max().item()


# ---------------------------------------------------------------- backend selection


def test_backend_is_torch():
    assert keras.backend.backend() == "torch"
    assert keras.__version__ == backend.KERAS_VERSION


def test_a_kernel_with_another_backend_gets_a_korean_restart_message(monkeypatch):
    class FakeKeras:
        class backend:  # noqa: N801 - mimics keras.backend
            @staticmethod
            def backend():
                return "tensorflow"

    monkeypatch.setitem(sys.modules, "keras", FakeKeras)
    with pytest.raises(backend.KerasBackendError) as error:
        backend.select_backend()
    assert "tensorflow" in str(error.value) and "커널을 다시 시작" in str(error.value)


def test_missing_keras_says_how_to_install(monkeypatch):
    monkeypatch.delitem(sys.modules, "keras")
    monkeypatch.setattr(backend, "keras_available", lambda: False)
    with pytest.raises(backend.KerasBackendError, match="pip install keras==3.15.1"):
        backend.select_backend()


def test_nothing_outside_chapter_10_imports_keras():
    code = ("import sys; import lib, lib.checks, lib.quiz, lib.transformer, lib.seq2seq, lib.course.checks; "
            "from lib.checks import check, EXERCISES; "
            "assert 'keras' not in sys.modules, 'keras imported'; "
            "assert 'lib.keras_port' not in sys.modules, 'lib.keras_port imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


# ---------------------------------------------------------------- the port


def test_the_port_changes_only_tf_lines():
    source = (ROOT / "lib" / "keras_port" / "tutorial.py").read_text(encoding="utf-8")
    body = source[source.index("def positional_encoding"):]  # the tutorial's code, after the CHANGES table
    code_lines = [line.split("#")[0] for line in body.splitlines()]
    assert not any("tf." in line for line in code_lines), "a tf.* call is left in the port"
    for original, ported in kp.CHANGES:
        assert "tf." in original and "tf." not in ported
        assert ported in source, ported


def test_positional_encodings_are_a_permutation():
    perm = kp.model_axis_permutation(32)
    assert sorted(perm.tolist()) == list(range(32))
    assert torch.allclose(kp.positional_encoding(length=40, depth=32), positional_encoding(40, 32)[:, perm], atol=1e-5)


def test_tutorial_model_gives_lib_logits_without_padding(data, reference):
    model = kp.copy_weights_from_lib(kp.Transformer(**kp.lib_config(reference)), reference)
    for pair in data.test[:4]:
        src, tgt, _ = data.tensors([pair])
        x, _ = make_decoder_io(tgt)
        assert (logits(model, src, x) - logits(reference, src, x)).abs().max().item() < 1e-4


def test_fixed_model_gives_lib_logits_on_padded_batches(reference, batch):
    src, x = batch
    model = kp.from_lib(reference)
    assert isinstance(model, kp.MaskedTransformer)
    assert (logits(model, src, x) - logits(reference, src, x)).abs().max().item() < 1e-4  # every position


def test_fixed_model_is_padding_and_prefix_invariant(reference, batch):
    src, x = batch
    model = kp.from_lib(reference)
    assert padding_change(model, src, x) < 1e-4
    assert prefix_change(model, src, x) < 1e-4
    assert padding_change(reference, src, x) < 1e-4  # lib: the yardstick


def test_the_tutorial_model_as_written_sees_source_padding(reference, batch):
    """The chapter's lesson. If this fails, Keras now keeps the mask: update chapter 10's section 4."""
    src, x = batch
    model = kp.copy_weights_from_lib(kp.Transformer(**kp.lib_config(reference)), reference)
    assert padding_change(model, src, x) > 1e-3
    assert (logits(model, src, x) - logits(reference, src, x))[x != PAD_ID].abs().max().item() > 1e-3


def test_forgetting_the_causal_mask_breaks_prefix_invariance(reference, batch):
    src, x = batch

    class NotCausal(kp.MaskedCausalSelfAttention):
        def call(self, x, padding_mask):
            attn_output = self.mha(query=x, value=x, key=x, value_mask=padding_mask)
            return self.layernorm(self.add([x, attn_output]))

    model = kp.from_lib(reference)
    for layer in model.decoder.dec_layers:
        layer.causal_self_attention.__class__ = NotCausal
    assert prefix_change(model, src, x) > 1e-3
    assert padding_change(model, src, x) < 1e-4


def test_mha_clears_its_inputs_masks_and_add_drops_a_partial_mask():
    keras.utils.set_random_seed(0)
    h = keras.layers.Embedding(10, 8, mask_zero=True)(torch.tensor([[5, 6, 0]]))
    assert getattr(h, "_keras_mask", None) is not None
    out = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)(query=h, value=h, key=h)
    assert getattr(h, "_keras_mask", None) is None  # cleared on the input
    assert getattr(out, "_keras_mask", None) is not None  # the query mask, on the output
    assert getattr(keras.layers.Add()([h, out]), "_keras_mask", None) is None


def test_explicit_query_mask_is_ignored_and_value_mask_works():
    """Chapter 10 fixes the bug with value_mask and says query_mask has no effect on this Keras."""
    keras.utils.set_random_seed(0)
    mha = keras.layers.MultiHeadAttention(num_heads=1, key_dim=4)
    q, v = torch.randn(1, 3, 4), torch.randn(1, 5, 4)
    plain = mha(query=q, value=v)
    assert torch.equal(plain, mha(query=q, value=v, query_mask=torch.tensor([[True, False, True]])))
    _, scores = mha(query=q, value=v, value_mask=torch.tensor([[True, True, True, False, False]]),
                    return_attention_scores=True)
    assert scores[..., 3:].abs().max().item() == 0


def test_a_forward_only_keras_layer_runs_on_the_torch_backend():
    class TorchStyle(kp.BaseAttention):
        def forward(self, x):
            return self.layernorm(self.add([x, self.mha(query=x, value=x, key=x, use_causal_mask=True)]))

    assert TorchStyle(num_heads=1, key_dim=4)(torch.randn(1, 3, 4)).shape == (1, 3, 4)
    tf_layer = (pathlib.Path(keras.__file__).parent / "src" / "backend" / "tensorflow" / "layer.py").read_text()
    assert "def forward" not in tf_layer  # on TensorFlow, Keras looks for call only


# ---------------------------------------------------------------- from_logits on this backend


@pytest.fixture(scope="module")
def logits_and_targets():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(6, 5, generator=g) * 3
    z[0] = torch.tensor([40.0, -30.0, 5.0, 0.0, -10.0])
    return z, torch.tensor([1, 0, 2, 3, 4, 2])


def keras_ce(targets, output, from_logits, reduction="sum_over_batch_size"):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=reduction)(targets, output)


def test_from_logits_true_equals_f_cross_entropy(logits_and_targets):
    z, t = logits_and_targets
    assert abs(keras_ce(t, z, True).item() - F.cross_entropy(z, t).item()) < 1e-5


def test_from_logits_false_on_logits_normalises_by_the_sum_and_clips(logits_and_targets):
    z, t = logits_and_targets
    eps = keras.config.epsilon()
    by_hand = -torch.log((z / z.sum(-1, keepdim=True)).clamp(eps, 1 - eps))[range(len(t)), t].mean()
    assert abs(keras_ce(t, z, False).item() - by_hand.item()) < 1e-4
    assert abs(keras_ce(t, z, False).item() - F.cross_entropy(z, t).item()) > 1.0


def test_softmax_output_with_from_logits_true_is_a_double_softmax(logits_and_targets):
    z, t = logits_and_targets
    probabilities = keras.activations.softmax(z)
    assert hasattr(probabilities, "_keras_logits")  # attached on every backend ...
    double = F.cross_entropy(torch.softmax(z, -1), t)
    assert abs(keras_ce(t, probabilities, True).item() - double.item()) < 1e-5  # ... but torch ignores it


def test_softmax_output_with_from_logits_false_is_right_up_to_the_clip(logits_and_targets):
    z, t = logits_and_targets
    per_row = keras_ce(t, keras.activations.softmax(z), False, reduction="none")
    exact = F.cross_entropy(z, t, reduction="none")
    assert torch.allclose(per_row[1:], exact[1:], atol=1e-4)
    assert abs(per_row[0].item() + np.log(keras.config.epsilon())) < 1e-3  # clipped at -log(1e-7)


def test_the_tensorflow_backend_recovers_logits_and_warns_per_its_source():
    """Stated in chapter 10 from the installed source (TensorFlow is not installed here)."""
    src = pathlib.Path(keras.__file__).parent / "src" / "backend"
    tf_nn = (src / "tensorflow" / "nn.py").read_text(encoding="utf-8")
    assert "def _get_logits" in tf_nn and "output._keras_logits" in tf_nn
    assert "received `from_logits=True`" in tf_nn
    assert "_keras_logits" not in (src / "torch" / "nn.py").read_text(encoding="utf-8")


# ---------------------------------------------------------------- loss, accuracy, schedule


def test_masked_loss_and_accuracy_match_torch():
    g = torch.Generator().manual_seed(1)
    labels = torch.tensor([[5, 4, 2, 0, 0], [3, 7, 6, 2, 0]])
    pred = torch.randn(2, 5, 9, generator=g)
    expected = F.cross_entropy(pred.transpose(1, 2), labels, ignore_index=PAD_ID)
    assert abs(kp.masked_loss(labels, pred).item() - expected.item()) < 1e-5
    real = labels != PAD_ID
    accuracy = ((pred.argmax(-1) == labels) & real).sum() / real.sum()
    assert abs(kp.masked_accuracy(labels, pred).item() - accuracy.item()) < 1e-6


def test_custom_schedule_is_the_papers():
    schedule = kp.CustomSchedule(32, warmup_steps=50)
    for step in [1, 10, 50, 51, 200]:
        expected = 32**-0.5 * min(step**-0.5, step * 50**-1.5)
        assert abs(float(schedule(step)) - expected) < 1e-7
    assert float(schedule(0)) == 0.0  # Keras counts steps from 0: the first update has lr 0


def test_a_short_fit_learns(data):
    keras.utils.set_random_seed(0)
    model = kp.build(kp.MaskedTransformer(num_layers=1, d_model=16, num_heads=2, dff=32,
                                          input_vocab_size=len(data.src_vocab),
                                          target_vocab_size=len(data.tgt_vocab), dropout_rate=0.0))
    model.compile(loss=kp.masked_loss, optimizer=keras.optimizers.Adam(1e-2), metrics=[kp.masked_accuracy])
    src, tgt, _ = data.tensors(data.train)
    x, labels = make_decoder_io(tgt)
    history = model.fit((src, x), labels, batch_size=25, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


# ---------------------------------------------------------------- the exercise checks


@pytest.fixture(scope="module")
def checks():
    from lib.course.checks import EXERCISES, check
    from lib.course.checks import ch10

    return check, EXERCISES, ch10


def test_both_exercises_are_registered_under_the_path_of_their_reference(checks):
    check, exercises, _ = checks
    assert exercises["keras_port.CausalSelfAttention"].reference is kp.CausalSelfAttention
    assert exercises["keras_port.masked_loss"].reference is kp.masked_loss
    assert check("keras_port.CausalSelfAttention", kp.CausalSelfAttention).passed
    assert check("keras_port.masked_loss", kp.masked_loss).passed


def test_the_chapter_stub_reads_as_not_yet_implemented(checks):
    check, _, _ = checks

    class CausalSelfAttention(kp.BaseAttention):
        def call(self, x):
            # 여기에 코드를 작성하세요
            raise NotImplementedError()

    def masked_loss(label, pred):
        # 여기에 코드를 작성하세요
        raise NotImplementedError()

    assert "아직 구현하지 않았습니다" in check("keras_port.CausalSelfAttention", CausalSelfAttention).message
    assert "아직 구현하지 않았습니다" in check("keras_port.masked_loss", masked_loss).message


def test_pytorch_style_answers_are_named(checks):
    check, _, ch10 = checks

    class WithForward(kp.BaseAttention):
        def forward(self, x):
            attn_output = self.mha(query=x, value=x, key=x, use_causal_mask=True)
            return self.layernorm(self.add([x, attn_output]))

    class WithTorchOps(kp.BaseAttention):
        def call(self, x):
            mask = torch.tril(torch.ones(x.shape[1], x.shape[1], dtype=torch.bool))
            return self.layernorm(self.add([x, self.mha(query=x, value=x, key=x, attention_mask=mask[None])]))

    def torch_loss(label, pred):
        return F.cross_entropy(pred.transpose(1, 2), label, ignore_index=0)

    for answer, name in [(WithForward, ch10.FORWARD_NAME), (WithTorchOps, ch10.TORCH_OPS_NAME)]:
        result = check("keras_port.CausalSelfAttention", answer)
        assert not result.passed and name in result.message, result.message
    result = check("keras_port.masked_loss", torch_loss)
    assert not result.passed and ch10.TORCH_OPS_NAME in result.message


def test_forgetting_use_causal_mask_and_from_logits_are_named(checks):
    check, _, _ = checks

    class NoCausal(kp.BaseAttention):
        def call(self, x):
            return self.layernorm(self.add([x, self.mha(query=x, value=x, key=x)]))

    def from_probabilities(label, pred):
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=False, reduction="none")(label, pred)
        mask = keras.ops.cast(label != 0, loss.dtype)
        return keras.ops.sum(loss * mask) / keras.ops.sum(mask)

    result = check("keras_port.CausalSelfAttention", NoCausal)
    assert not result.passed and "use_causal_mask" in result.message
    result = check("keras_port.masked_loss", from_probabilities)
    assert not result.passed and "from_logits=False" in result.message


def test_the_quiz_bank_has_the_chapters_items():
    from lib.course import quiz

    items = quiz.load_items(chapter="10")
    assert len(items) >= 15
    assert {"C11", "C23"} <= {item.claim for item in items}
