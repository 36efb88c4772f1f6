"""Probes for sequences: the context vector (which step each row took), the decoder's input and
labels (which slice of tgt each is), greedy decoding (per-row finishing, padding after EOS, BOS,
length), the cross-entropy (input treatment, padding, denominator) and the masked accuracy."""

from __future__ import annotations

import torch

from lib import losses
from lib.course.checks.ch03 import ScriptedModel
from lib.course.checks.exercise import Case
from lib.course.checks.probe_tools import close, joined, probe, search, tensor
from lib.data import BOS_ID, EOS_ID, PAD_ID

# ---------------------------------------------------------------- context vector


@probe("seq2seq.context_vector")
def context_steps(ctx):
    g = torch.Generator().manual_seed(121)
    outputs = torch.randn(4, 6, 3, generator=g)
    lengths = torch.tensor([3, 6, 1, 4])
    got = tensor(ctx.run(outputs, lengths))
    if got is None:
        return None
    if got.shape == (4, 4, 3):
        return ("모든 문장에 모든 길이를 적용함 (결과가 (B, B, H)): 행마다 자기 길이를 쓰려면 배치 인덱스를 함께 줍니다: "
                "encoder_outputs[torch.arange(B), lengths - 1]")
    if got.shape != (4, 3):
        return None
    picked = []
    for b in range(4):
        steps = [t for t in range(6) if close(got[b], outputs[b, t])]
        picked.append(steps[0] if steps else None)
    expected = (lengths - 1).tolist()
    if picked == expected:
        return None
    if all(p is not None for p in picked):
        if picked == [5] * 4:
            return ("패딩까지 포함한 마지막 시점을 씀 (encoder_outputs[:, -1]): 짧은 문장의 마지막 칸은 패딩을 읽은 뒤의 "
                    "상태입니다. 문장마다 인덱스 lengths - 1(0부터 셈)인 시점을 고르세요")
        if picked == [0] * 4:
            return "모든 문장에서 첫 시점을 고름. 문장마다 마지막 진짜 시점 lengths - 1을 고르세요"
        if picked == [min(n, 5) for n in lengths.tolist()]:
            return "길이를 그대로 인덱스로 씀 (한 칸 뒤를 고름): 길이가 n이면 마지막 진짜 시점의 인덱스는 n - 1입니다"
        if picked == [(n - 2) % 6 for n in lengths.tolist()]:
            return "한 칸 앞 시점을 고름 (lengths - 2): 마지막 진짜 시점의 인덱스는 lengths - 1입니다"
        return f"행마다 고른 시점이 {picked}인데 기대는 {expected}(= lengths - 1)입니다"
    for b in range(4):
        if close(got[b], outputs[b, : int(lengths[b])].mean(0)):
            return "실제 시점들의 평균을 씀: 어텐션이 없는 seq2seq의 문맥 벡터는 평균이 아니라 마지막 진짜 시점의 은닉 상태입니다"
        if close(got[b], outputs[b].mean(0)):
            return "패딩을 포함한 모든 시점의 평균을 씀: 문맥 벡터는 마지막 진짜 시점(lengths - 1)의 은닉 상태 하나입니다"
    return None


# ---------------------------------------------------------------- decoder input and labels


def _slice_name(got, tgt) -> str | None:
    """'tgt[:, 1:]' when got equals a slice of tgt along the time axis (None otherwise)."""
    if got is None or got.dim() != 2 or got.size(0) != tgt.size(0):
        return None
    length = tgt.size(1)
    for start in range(0, 3):
        for stop in range(length, length - 3, -1):
            if stop - start == got.size(1) and torch.equal(got.long(), tgt[:, start:stop]):
                left = str(start) if start else ""
                right = "" if stop == length else str(stop - length)
                return f"tgt[:, {left}:{right}]"
    return None


@probe("seq2seq.make_decoder_io")
def decoder_io_slices(ctx):
    tgt = torch.tensor([[BOS_ID, 7, 8, 9, EOS_ID, PAD_ID], [BOS_ID, 5, 6, EOS_ID, PAD_ID, PAD_ID]])
    got = ctx.run(tgt)
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return None
    parts = []
    for name, value, want, why in [
        ("decoder_input", got[0], "tgt[:, :-1]", "BOS부터 읽고 마지막 칸은 뺍니다"),
        ("labels", got[1], "tgt[:, 1:]", "입력 위치마다 한 칸 뒤의 단어(다음 단어)입니다. BOS는 빼고 시작합니다"),
    ]:
        if not isinstance(value, torch.Tensor):
            return None
        found = _slice_name(value, tgt)
        if found is None:
            parts.extend(_token_changes(name, value, tgt, want))
            continue
        if found == want:
            continue
        extra = ""
        if name == "labels" and found == "tgt[:, 2:]" or name == "decoder_input" and found == "tgt[:, :-2]":
            extra = " (두 번 밀었습니다: 한 칸만 밀면 됩니다)"
        if found == "tgt[:, :]":
            extra = " (한 칸 밀지 않았습니다)"
        parts.append(f"{name}가 {found}와 같습니다{extra}. {name} = {want}: {why}")
    return "; 또 ".join(parts) if parts else None


def _token_changes(name, value, tgt, want):
    """'decoder_input에서 EOS(2) 자리가 PAD(0)' when value has the wanted slice's shape but some tokens differ."""
    expected = tgt[:, :-1] if want == "tgt[:, :-1]" else tgt[:, 1:]
    if value.shape != expected.shape or value.dtype != expected.dtype:
        return []
    diff = (value != expected).nonzero()
    if not len(diff):
        return []
    names = {BOS_ID: "BOS", EOS_ID: "EOS", PAD_ID: "PAD"}
    pairs = {(int(expected[tuple(i)]), int(value[tuple(i)])) for i in diff.tolist()}
    shown = ", ".join(f"{names.get(a, a)}({a}) 자리가 {names.get(b, b)}({b})" for a, b in sorted(pairs)[:3])
    return [f"{name}의 토큰이 바뀜: {shown}. {name} = {want}, 토큰은 그대로 둡니다 (EOS·PAD도 바꾸지 않음)"]


# ---------------------------------------------------------------- greedy decoding


def _greedy_case():

    return ScriptedModel(never_ends=(1,)), torch.tensor([[5, 6, 0], [7, 8, 9], [4, 0, 0]])


class _Recorder(torch.nn.Module):
    """Wraps a model and keeps the width of every ys it was given."""

    def __init__(self, model):
        super().__init__()
        self.model, self.widths, self.firsts = model, [], []

    def forward(self, src, ys):
        self.widths.append(int(ys.size(1)) if isinstance(ys, torch.Tensor) and ys.dim() == 2 else -1)
        if isinstance(ys, torch.Tensor) and ys.dim() == 2:
            self.firsts.append(ys[:, 0].tolist())
        return self.model(src, ys)


@probe("seq2seq.greedy_decode")
def greedy_model_inputs(ctx):
    """What the model was given at each step: the whole prefix (BOS first), growing by one."""

    model = _Recorder(ScriptedModel())
    src = torch.tensor([[5, 6, 7, 0, 0], [8, 9, 0, 0, 0], [4, 5, 6, 7, 8]])
    ctx.run(model, src, BOS_ID, EOS_ID, 9)
    widths = model.widths
    if len(widths) >= 2 and all(w == 1 for w in widths):
        return ("모델에 마지막 토큰 하나만 넣음 (ys[:, -1:]): 매 단계 지금까지 만든 ys 전체(BOS부터)를 넣어야 모델이 앞 단어들을 "
                "보고 다음 단어를 고릅니다: model(src, ys)")
    if widths and all(w == widths[0] for w in widths) and len(widths) >= 2:
        return (f"매 단계 모델에 같은 길이({widths[0]})의 입력을 넣음: 고른 단어를 ys 뒤에 붙여(torch.cat(..., dim=1)) 다음 "
                "단계에 넣으세요")
    if model.firsts and any(row and any(v != BOS_ID for v in row) for row in model.firsts[:1]):
        return "모델에 준 입력이 BOS로 시작하지 않음: ys는 BOS 하나로 시작합니다: torch.full((B, 1), bos_id)"
    return None


@probe("seq2seq.greedy_decode")
def greedy_rows(ctx):

    for model, src, max_len in [(ScriptedModel(), torch.tensor([[5, 6, 7, 0, 0], [8, 9, 0, 0, 0], [4, 5, 6, 7, 8]]), 9),
                                (ScriptedModel(never_ends=(1,)), torch.tensor([[5, 6, 0], [7, 8, 9], [4, 0, 0]]), 6)]:
        got = ctx.run(model, src, BOS_ID, EOS_ID, max_len)
        ref = ctx.ref(model, src, BOS_ID, EOS_ID, max_len)
        if not isinstance(got, torch.Tensor) or got.dim() != 2 or got.size(0) != ref.size(0):
            continue
        if close(got, ref):
            continue
        finding = _greedy_finding(got.long(), ref, max_len)
        if finding:
            return finding
    return None


def _greedy_finding(got, ref, max_len) -> str | None:
    if got.size(1) >= 1 and bool((got[:, 0] == BOS_ID).all()) and not bool((ref[:, 0] == BOS_ID).all()):
        return "결과에 BOS를 남김: BOS는 디코더에 주는 시작 신호입니다. 돌려줄 때는 ys[:, 1:]처럼 떼어 내세요"
    if got.size(1) > max_len:
        return f"결과가 max_len({max_len})보다 깁니다: 길이는 최대 max_len입니다 (BOS를 빼고)"
    eos_rows = (got == EOS_ID).any(dim=1)
    ref_eos_rows = (ref == EOS_ID).any(dim=1)
    if bool(ref_eos_rows.any()) and not bool(eos_rows.any()) and got.shape == ref.shape \
            and torch.equal(got, ref.masked_fill(ref == EOS_ID, PAD_ID)):
        return "EOS를 결과에서 지움: EOS는 '문장이 끝났다'는 예측이므로 결과에 남깁니다. 그 뒤만 PAD입니다"
    common = min(got.size(1), ref.size(1))
    for row in range(got.size(0)):
        where = (got[row] == EOS_ID).nonzero()
        if len(where):
            after = got[row, int(where[0]) + 1:]
            if bool((after != PAD_ID).any()):
                return ("EOS 뒤에도 단어를 채움 (PAD로 바꾸지 않음): 행마다 끝났는지 기억하는 finished (B,) 마스크를 두고, "
                        "끝난 행의 새 토큰은 PAD(0)로 바꾸세요")
    if got.size(1) < ref.size(1) and torch.equal(got, ref[:, : got.size(1)]):
        unfinished = ~(got == EOS_ID).any(dim=1)
        if bool(unfinished.any()):
            return ("한 문장만 끝나도 멈춤: 멈추는 조건은 '모든' 행이 EOS를 냈을 때입니다. finished를 행마다 (B,) 두고 "
                    "finished.all()일 때 멈추세요 (finished.any()나 배치 전체에 하나뿐인 플래그가 아니라)")
        return "너무 일찍 멈춤: 모든 행이 EOS를 낼 때까지(또는 max_len까지) 반복하세요"
    if got.size(1) > ref.size(1) and torch.equal(got[:, : ref.size(1)], ref) and bool((got[:, ref.size(1):] == PAD_ID).all()):
        return ("모든 문장이 끝나도 max_len까지 멈추지 않음: 모든 행이 EOS를 냈으면 반복을 멈춥니다 (if finished.all(): break). "
                "결과의 길이가 달라집니다")
    if common and not torch.equal(got[:, :1], ref[:, :1]):
        return ("첫 단어부터 다릅니다: 다음 단어는 model(src, ys)의 마지막 위치 로짓 logits[:, -1]의 argmax(dim=-1)입니다. "
                "BOS로 시작했는지, 어느 위치·어느 축에서 골랐는지 보세요")
    if common > 1:
        first_bad = int((got[:, :common] != ref[:, :common]).any(dim=0).nonzero()[0])
        return (f"처음 {first_bad}개 단어는 맞고 그다음부터 다릅니다: 매 단계 고른 단어를 ys 뒤에 붙여 다음 단계의 입력으로 "
                "넣고, 항상 마지막 위치(logits[:, -1])에서 고르세요")
    return None


# ---------------------------------------------------------------- cross-entropy


def _ce_inputs():
    g = torch.Generator().manual_seed(122)
    return [
        Case((torch.randn(4, 5, generator=g) * 2, torch.tensor([0, 3, 1, 4]))),
        Case((torch.randn(6, 5, generator=g) * 2, torch.tensor([2, 0, 4, 0, 1, 3])), {"ignore_index": 0}),
        Case((torch.randn(5, 3, generator=g), torch.tensor([1, -100, 2, -100, -100])), {"ignore_index": -100}),
    ]


def _ce_variant(inputs, pick, reduction, ignore, sign):
    def loss(logits, targets, ignore_index=None):
        if inputs == "log_softmax":
            logp = torch.log_softmax(logits, -1)
        elif inputs == "raw":
            logp = logits
        elif inputs == "double":
            logp = torch.log_softmax(torch.softmax(logits, -1), -1)
        elif inputs == "log2":
            logp = torch.log_softmax(logits, -1) / torch.log(torch.tensor(2.0))
        else:
            logp = torch.log_softmax(logits, 0)
        honour = ignore == "honour" and ignore_index is not None
        keep = targets != ignore_index if honour else torch.ones_like(targets, dtype=torch.bool)
        safe = targets.masked_fill(~keep, 0) if honour else targets
        if pick == "rows":
            picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1)
        else:
            picked = logp[:, safe].mean(0)
        picked = picked * keep
        total = -picked.sum() if sign == "neg" else picked.sum()
        if reduction == "mean_kept":
            return total / keep.sum()
        if reduction == "sum":
            return total
        if reduction == "mean_nc":
            return total / (keep.sum() * logits.size(1))
        return total / targets.numel()

    return loss


@probe("losses.cross_entropy")
def cross_entropy_parts(ctx):
    factors = [
        ("inputs", [("log_softmax", ""), ("raw", "로짓을 그대로 NLL에 넣음 (log_softmax를 거치지 않음): -logits[정답]이 아니라 "
                                                 "-log_softmax(logits)[정답]입니다"),
                    ("double", "소프트맥스를 두 번 적용함 (확률을 로짓 자리에 넣음)"),
                    ("log2", "밑이 2인 로그를 씀 (자연로그를 쓰세요)"),
                    ("axis0", "log_softmax를 클래스 축이 아니라 배치 축(dim=0)으로 계산함")]),
        ("pick", [("rows", ""), ("all", "logp[:, targets]로 모든 행에서 모든 타깃을 골라 평균냄: 행마다 자기 타깃 하나를 "
                                        "고르세요 (logp[torch.arange(N), targets])")]),
        ("reduction", [("mean_kept", ""), ("sum", "평균 대신 합을 돌려줌"),
                       ("mean_all", "무시한 타깃까지 평균의 분모에 셈 (분모는 남긴 타깃의 수)"),
                       ("mean_nc", "원-핫 손실을 N×C개 원소 전체로 평균냄: 분모는 타깃의 수 N입니다 (클래스 수 C로 한 번 더 "
                                   "나누지 마세요)")]),
        ("ignore", [("honour", ""), ("count", "ignore_index를 무시함 (패딩도 정답으로 손실에 넣음)")]),
        ("sign", [("neg", ""), ("pos", "마이너스 부호를 빠뜨림 (손실은 -log p[정답]의 평균이라 0 이상)")]),
    ]
    labels = search(ctx, factors, lambda **f: _ce_variant(**f), _ce_inputs())
    text = joined(labels)
    if text:
        return text
    return _ce_overflow(ctx)


def _ce_overflow(ctx):
    logits = torch.tensor([[1e4, -1e4, 0.0], [0.0, 100.0, -100.0]])
    targets = torch.tensor([0, 2])
    got = tensor(ctx.run(logits, targets))
    if got is not None and not bool(torch.isfinite(got).all()):
        return ("큰 로짓에서 NaN/inf: 확률을 거쳐 log를 취했거나(언더플로: log(0) = -inf) exp를 바로 계산했습니다(오버플로). "
                "로짓에서 log_softmax(최댓값을 빼는 log-sum-exp)로 로그 확률을 바로 구하세요")
    if got is not None and got.numel() == 1 and 15 < float(got) < 17:
        return ("확률을 잘라(clip) log를 취함: 손실이 -log(1e-7) ≈ 16.1 근처에서 멈춥니다. 로짓에서 바로 log_softmax로 "
                "계산하세요")
    return None


# ---------------------------------------------------------------- masked accuracy


def _accuracy_inputs():
    g = torch.Generator().manual_seed(123)
    labels = torch.tensor([[5, 6, 2, 0, 0, 0], [4, 5, 5, 6, 2, 0], [6, 2, 0, 0, 0, 0]])
    predicted = torch.tensor([[5, 4, 2, 0, 0, 0], [4, 5, 3, 6, 2, 0], [6, 1, 0, 3, 0, 0]])
    logits = torch.nn.functional.one_hot(predicted, 7).float() * 4 + torch.rand(3, 6, 7, generator=g)
    labels_9 = labels.masked_fill(labels == 0, 9)
    predicted_9 = predicted.masked_fill(predicted == 0, 9)
    logits_9 = torch.nn.functional.one_hot(predicted_9, 10).float() * 4 + torch.rand(3, 6, 10, generator=g)
    return [Case((logits, labels)), Case((logits_9, labels_9), {"pad_id": 9})]


def _accuracy_variant(numerator, denominator, pad, axis):
    def accuracy(logits, labels, pad_id=0):
        pad_value = pad_id if pad == "param" else 0
        pred = {"last": lambda: logits.argmax(-1), "one": lambda: logits.argmax(1),
                "values": lambda: logits.max(-1).values}[axis]()
        keep = labels != pad_value if numerator != "inverted" else labels == pad_value
        right = pred == labels
        hits = right & keep if numerator in ("kept", "inverted") else right
        if denominator == "kept":
            return hits.sum().float() / keep.sum()
        if denominator == "all":
            return hits.sum().float() / labels.numel()
        return (hits.sum(1).float() / keep.sum(1)).mean()

    return accuracy


@probe("losses.masked_accuracy")
def accuracy_parts(ctx):
    factors = [
        ("numerator", [("kept", ""), ("all", "맞힌 수에 패딩 자리까지 셈 (패딩에서 PAD를 맞힌 것도 정답으로 셈)"),
                       ("inverted", "마스크를 거꾸로 씀 (패딩 자리만 셈): keep = labels != pad_id")]),
        ("denominator", [("kept", ""), ("all", "분모로 전체 자리 수(B*T)를 씀: 분모는 진짜 토큰의 수 (labels != pad_id).sum()"),
                         ("per_row", "문장별 정확도의 평균을 냄: 모든 진짜 토큰을 한데 모아 맞힌 비율을 구하세요")]),
        ("pad", [("param", ""), ("zero", "pad_id 인자를 무시하고 0으로 고정함: labels != pad_id로 비교하세요")]),
        ("axis", [("last", ""), ("one", "argmax를 어휘 축(dim=-1)이 아니라 시간 축(dim=1)으로 구함"),
                  ("values", "가장 큰 로짓의 값(max의 values)을 정답과 비교함: 비교할 것은 그 위치(인덱스), logits.argmax(-1)입니다")]),
    ]
    labels = search(ctx, factors, lambda **f: _accuracy_variant(**f), _accuracy_inputs())
    text = joined(labels)
    if text:
        return text
    logits, lab = _accuracy_inputs()[0].args
    got = ctx.run(logits, lab)
    got_t = tensor(got)
    if got_t is not None and got_t.numel() > 1:
        return "정확도를 스칼라 하나로 줄이지 않음: 맞힌 진짜 토큰 수 / 진짜 토큰 수, 숫자 하나를 돌려주세요"
    return None


def _reference_accuracy(logits, labels, pad_id=0):
    return losses.masked_accuracy(logits, labels, pad_id)
