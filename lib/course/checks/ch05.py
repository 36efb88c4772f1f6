"""Chapter 05 exercises: softmax, log-softmax, cross-entropy from logits, masked accuracy.

Cases are ordered so that each typical mistake fails first on the case that exposes it:
ordinary logits (wrong normalisation, double softmax, sign, sum), then dim=0 (dim ignored),
then large float32 logits (+-100: exp overflows), then huge gaps (+-1e4, mixed scales:
per-row max and underflow), then padding (ignore_index / pad_id).
"""

import torch
import torch.nn.functional as F

from lib import losses
from lib.course.checks.exercise import Case, Exercise, Mistake

KERAS_EPSILON = 1e-7  # keras.backend.epsilon(): from_logits=False clips probabilities to [eps, 1 - eps]


# ---------------------------------------------------------------- cases


def _large_logits():
    """+-100 in float32: exp(100) = inf, but every row's max is 100 (a global max would also work)."""
    return torch.tensor([[100.0, 90.0, 80.0, 70.0], [100.0, 99.5, 50.0, 20.0]])


def _huge_gaps():
    """+-1e4 and mixed scales: exp underflows to 0 far below each row's max, and in a row of only
    small logits (-500: exp = 0, so a naive softmax gives 0/0). Kept at -500 rather than -1e4 there:
    near 1e4 a float32 step is ~1e-3, too coarse for a logsumexp-based correct answer to agree."""
    return torch.tensor([
        [1e4, -1e4, 0.0, 5e3],
        [1.0, 2.0, 3.0, 0.5],
        [-500.0, -499.0, -498.0, -500.0],
        [0.0, -120.0, 5.0, -200.0],
    ])


def _softmax_cases():
    g = torch.Generator().manual_seed(5)
    return [
        Case((torch.randn(3, 5, generator=g) * 2,), label="평범한 로짓"),
        Case((torch.randn(3, 5, generator=g) * 2,), {"dim": 0}, label="dim=0 (열마다 정규화)"),
        Case((_large_logits(),), label="±100 로짓: float32에서 exp(100) = inf"),
        Case((_huge_gaps(),), label="±1e4, 크기가 섞인 행들: exp가 0으로 언더플로"),
        Case((torch.randn(2, 3, 4, generator=g) * 3,), label="3차원 (B, T, V)"),
        Case((torch.full((1, 4), 5.0),), label="모두 같은 로짓"),
    ]


def _cross_entropy_cases():
    g = torch.Generator().manual_seed(6)
    padded_targets = torch.tensor([2, 0, 4, 0, 1, 3])
    torch_default_targets = torch.tensor([1, -100, 2, -100, -100])
    return [
        Case((torch.randn(4, 5, generator=g) * 2, torch.tensor([0, 3, 1, 4])), label="평범한 로짓"),
        Case(
            (torch.tensor([[1e4, -1e4, 0.0], [0.0, 100.0, -100.0], [-5.0, 3.0, 2.0]]), torch.tensor([0, 2, 0])),
            label="±1e4, ±100 로짓 (둘째 행은 정답 로짓이 -100)",
        ),
        Case((torch.randn(6, 5, generator=g) * 2, padded_targets), {"ignore_index": 0},
             label="패딩(PAD=0)을 ignore_index로 무시"),
        Case((torch.randn(5, 3, generator=g), torch_default_targets), {"ignore_index": -100},
             label="ignore_index=-100 (torch의 기본값)"),
        Case((torch.randn(4, 6, generator=g) * 50, torch.tensor([5, 1, 0, 2])), {"ignore_index": 3},
             label="큰 로짓, 무시할 타깃 없음"),
        Case((torch.randn(1, 4, generator=g), torch.tensor([2])), label="N = 1"),
    ]


def _logits_predicting(predictions: torch.Tensor, num_classes: int, g) -> torch.Tensor:
    """(B, T, V) logits whose argmax is ``predictions`` (B, T): one-hot * 4 + noise in [0, 1)."""
    noise = torch.rand(*predictions.shape, num_classes, generator=g)
    return F.one_hot(predictions, num_classes).float() * 4 + noise


def _accuracy_cases():
    g = torch.Generator().manual_seed(7)
    labels = torch.tensor([[5, 6, 2, 0, 0, 0], [4, 5, 5, 6, 2, 0], [6, 2, 0, 0, 0, 0]])
    predicted = torch.tensor([[5, 4, 2, 0, 0, 0], [4, 5, 3, 6, 2, 0], [6, 1, 0, 0, 0, 0]])
    labels_ignore = torch.tensor([[0, 3, 2, -100], [1, 0, -100, -100]])
    predicted_ignore = torch.tensor([[0, 3, 1, 0], [1, 2, 0, 0]])
    random_labels = torch.randint(1, 9, (4, 7), generator=g)
    for row, length in enumerate([7, 5, 2, 4]):
        random_labels[row, length:] = 0
    return [
        Case((_logits_predicting(predicted, 7, g), labels), label="모델이 패딩 자리에 PAD(0)를 예측"),
        Case((_logits_predicting(predicted_ignore, 4, g), labels_ignore), {"pad_id": -100},
             label="pad_id=-100, 진짜 클래스 0이 있음"),
        Case((torch.randn(2, 4, 5, generator=g), torch.randint(1, 5, (2, 4), generator=g)), label="패딩 없음"),
        Case((torch.randn(4, 7, 9, generator=g), random_labels), label="무작위 로짓, 길이가 다른 문장"),
    ]


# ---------------------------------------------------------------- oracles and alternatives


def torch_softmax(logits, dim=-1):
    return torch.softmax(logits, dim=dim)


def torch_log_softmax(logits, dim=-1):
    return torch.log_softmax(logits, dim=dim)


def torch_cross_entropy(logits, targets, ignore_index=None):
    return F.cross_entropy(logits, targets, ignore_index=-100 if ignore_index is None else ignore_index)


def _softmax_via_logsumexp(logits, dim=-1):
    return torch.exp(logits - torch.logsumexp(logits, dim=dim, keepdim=True))


def _log_softmax_via_logsumexp(logits, dim=-1):
    return logits - torch.logsumexp(logits, dim=dim, keepdim=True)


def _cross_entropy_by_masking(logits, targets, ignore_index=None):
    keep = torch.ones_like(targets, dtype=torch.bool) if ignore_index is None else targets != ignore_index
    log_probs = torch.log_softmax(logits[keep], dim=-1)
    return -log_probs[torch.arange(int(keep.sum())), targets[keep]].mean()


def _accuracy_by_indexing(logits, labels, pad_id=0):
    keep = labels != pad_id
    return (logits.argmax(-1)[keep] == labels[keep]).float().mean()


# ---------------------------------------------------------------- typical mistakes


def _naive_softmax(logits, dim=-1):
    exp = logits.exp()
    return exp / exp.sum(dim=dim, keepdim=True)


def _global_max_softmax(logits, dim=-1):
    exp = (logits - logits.max()).exp()
    return exp / exp.sum(dim=dim, keepdim=True)


def _pick(log_probs, targets, ignore_index=None):
    """Mean of -log_probs[i, targets[i]] over kept targets (helper for the mistakes below)."""
    keep = torch.ones_like(targets, dtype=torch.bool) if ignore_index is None else targets != ignore_index
    picked = log_probs.gather(1, targets.masked_fill(~keep, 0).unsqueeze(1)).squeeze(1)
    return -picked[keep].sum() / keep.sum()


def _ce_sum(logits, targets, ignore_index=None):
    keep = torch.ones_like(targets, dtype=torch.bool) if ignore_index is None else targets != ignore_index
    return losses.cross_entropy(logits, targets, ignore_index) * keep.sum()


def _ce_log_of_softmax(logits, targets, ignore_index=None):
    return _pick(torch.log(losses.softmax(logits)), targets, ignore_index)


def _ce_naive(logits, targets, ignore_index=None):
    return _pick(torch.log(_naive_softmax(logits)), targets, ignore_index)


def _ce_keras_clip(logits, targets, ignore_index=None):
    probs = losses.softmax(logits).clamp(KERAS_EPSILON, 1 - KERAS_EPSILON)
    return _pick(torch.log(probs), targets, ignore_index)


def _ce_mean_over_all(logits, targets, ignore_index=None):
    keep = torch.ones_like(targets, dtype=torch.bool) if ignore_index is None else targets != ignore_index
    return losses.cross_entropy(logits, targets, ignore_index) * keep.sum() / targets.numel()


def _accuracy_counting_padding(logits, labels, pad_id=0):
    return (logits.argmax(-1) == labels).float().mean().item()


def _accuracy_over_all_positions(logits, labels, pad_id=0):
    correct = (logits.argmax(-1) == labels) & (labels != pad_id)
    return (correct.sum() / labels.numel()).item()


def _accuracy_on_padding_only(logits, labels, pad_id=0):
    keep = labels == pad_id
    return ((logits.argmax(-1) == labels) & keep).sum().item() / max(int(keep.sum()), 1)


def _accuracy_mean_per_sentence(logits, labels, pad_id=0):
    keep = labels != pad_id
    correct = (logits.argmax(-1) == labels) & keep
    return (correct.sum(1) / keep.sum(1)).mean().item()


EXERCISES_HERE = [
    Exercise(
        id="losses.softmax",
        hints=[
            "dim 축을 따라 exp를 취하고 그 축의 합으로 나눠, 그 축의 값들이 합 1인 확률이 되게 합니다. 큰 로짓에서 exp가 오버플로하지 않도록, 먼저 그 축의 최댓값을 빼세요 "
            "(결과는 같습니다).",
            "softmax(z)_j = exp(z_j - m) / Σ_k exp(z_k - m),  m = max_k z_k (dim 축, 행마다).  모양은 입력과 같고, amax/sum에 "
            "keepdim=True를 주면 나눗셈이 브로드캐스트됩니다.",
            "shifted = logits - logits.amax(dim=___, keepdim=True)\n"
            "exp = torch.exp(___)\n"
            "return exp / exp.sum(dim=___, keepdim=___)",
        ],
        chapter="05",
        reference=losses.softmax,
        cases=_softmax_cases,
        oracle=torch_softmax,
        oracle_name="torch.softmax",
        alternatives=[_softmax_via_logsumexp],
        mistakes=[
            Mistake("소프트맥스를 두 번 적용", "로짓에 소프트맥스를 한 번만 적용하세요. 확률에 다시 적용하면 분포가 평평해집니다.",
                    lambda logits, dim=-1: losses.softmax(losses.softmax(logits, dim), dim)),
            Mistake("모든 원소의 합으로 나눔", "합은 dim 축을 따라서만 구합니다: exp.sum(dim=dim, keepdim=True).",
                    lambda logits, dim=-1: (logits - logits.amax(dim, keepdim=True)).exp()
                    / (logits - logits.amax(dim, keepdim=True)).exp().sum()),
            Mistake("dim 인자를 무시하고 항상 마지막 축으로 계산", "max와 sum 모두 dim=dim으로 계산하세요 (dim=-1로 고정하지 말고).",
                    lambda logits, dim=-1: losses.softmax(logits, -1)),
            Mistake("최댓값을 빼지 않고 exp를 바로 계산 (float32 오버플로)",
                    "float32에서 exp(88.7)보다 큰 값은 inf가 되어 inf/inf = nan이 됩니다. "
                    "소프트맥스는 모든 로짓에서 같은 값을 빼도 그대로이니, 먼저 최댓값을 빼세요: "
                    "logits - logits.amax(dim=dim, keepdim=True).",
                    _naive_softmax),
            Mistake("행마다가 아니라 텐서 전체의 최댓값을 뺌",
                    "최댓값은 정규화하는 축을 따라 행마다 빼야 합니다. 전체 최댓값을 빼면 작은 로짓만 있는 행은 "
                    "exp가 모두 0이 되어 0/0 = nan입니다: logits.amax(dim=dim, keepdim=True).",
                    _global_max_softmax),
        ],
    ),
    Exercise(
        id="losses.log_softmax",
        hints=[
            "소프트맥스의 로그를, 소프트맥스를 거치지 않고 바로 계산합니다: 로짓에서 그 축의 log-sum-exp를 뺍니다. 안정성을 위해 log-sum-exp 안에서 최댓값을 빼고 "
            "바깥에서 다시 더합니다.",
            "log_softmax(z)_j = z_j - m - log Σ_k exp(z_k - m),  m = max_k z_k (dim 축, 행마다, keepdim=True).  값은 "
            "모두 0 이하이고, exp를 취해 dim 축으로 더하면 1입니다.",
            "m = logits.amax(dim=___, keepdim=True)\n"
            "shifted = logits - ___\n"
            "return shifted - torch.log(torch.exp(___).sum(dim=___, keepdim=True))",
        ],
        chapter="05",
        reference=losses.log_softmax,
        cases=_softmax_cases,
        oracle=torch_log_softmax,
        oracle_name="torch.log_softmax",
        alternatives=[_log_softmax_via_logsumexp],
        mistakes=[
            Mistake("log를 빠뜨림 (소프트맥스를 돌려줌)", "로그 확률(log-probabilities)을 돌려줘야 합니다. 값은 모두 0 이하입니다.",
                    lambda logits, dim=-1: losses.softmax(logits, dim)),
            Mistake("최댓값을 뺀 뒤 다시 더하지 않음",
                    "log Σ exp(z) = m + log Σ exp(z - m) 입니다. z - m 에서 log Σ exp(z - m)을 빼거나, "
                    "z 에서 m + log Σ exp(z - m)을 빼세요.",
                    lambda logits, dim=-1: logits - (logits - logits.amax(dim, keepdim=True)).exp()
                    .sum(dim, keepdim=True).log()),
            Mistake("dim 인자를 무시하고 항상 마지막 축으로 계산", "max, sum 모두 dim=dim으로 계산하세요.",
                    lambda logits, dim=-1: losses.log_softmax(logits, -1)),
            Mistake("exp를 바로 계산한 소프트맥스에 log (float32 오버플로)",
                    "exp(100)은 float32에서 inf라서 확률이 nan이 됩니다. 소프트맥스를 거치지 말고 "
                    "z - m - log Σ exp(z - m) (log-sum-exp)으로 계산하세요.",
                    lambda logits, dim=-1: torch.log(_naive_softmax(logits, dim))),
            Mistake("최댓값을 빼지 않은 log-sum-exp (float32 오버플로)",
                    "log Σ exp(z)에서 exp(z)가 inf로 오버플로합니다. m = max z 를 빼고 계산한 뒤 m을 더하세요.",
                    lambda logits, dim=-1: logits - logits.exp().sum(dim, keepdim=True).log()),
            Mistake("소프트맥스를 먼저 구하고 log를 취함 (작은 확률이 0으로 언더플로)",
                    "확률 exp(-120)은 float32에서 0이 되고 log(0) = -inf입니다. 로그 확률은 확률을 거치지 않고 "
                    "(z - m) - log Σ exp(z - m)으로 바로 계산하세요. 이것이 from_logits=True가 하는 일입니다.",
                    lambda logits, dim=-1: torch.log(losses.softmax(logits, dim))),
        ],
    ),
    Exercise(
        id="losses.cross_entropy",
        hints=[
            "로짓에서 바로(안정한 log_softmax로) 로그 확률을 구하고, 행마다 정답 클래스의 로그 확률을 골라 부호를 바꾼 뒤, ignore_index가 아닌 타깃들에 대해서만 "
            "평균을 냅니다.",
            "logp = log_softmax(logits, dim=-1) (N, C);  picked[i] = logp[i, targets[i]] (N,);  keep = targets "
            "!= ignore_index (ignore_index가 None이면 모두);  loss = -Σ_keep picked / (keep의 개수), 스칼라.",
            "logp = log_softmax(logits, dim=-1)\n"
            "keep = ___ if ignore_index is None else targets != ___\n"
            "safe = targets.masked_fill(~keep, 0)            # 무시할 자리도 인덱스로는 쓸 수 있게\n"
            "picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1)   # (N,)\n"
            "return -(picked * keep).sum() / ___",
        ],
        chapter="05",
        reference=losses.cross_entropy,
        cases=_cross_entropy_cases,
        oracle=torch_cross_entropy,
        oracle_name="F.cross_entropy",
        alternatives=[_cross_entropy_by_masking],
        mistakes=[
            Mistake("소프트맥스를 두 번 적용 (확률을 로짓 자리에 넣음)",
                    "cross_entropy는 로짓을 받습니다 (from_logits=True). softmax를 한 뒤 넘기면 안에서 소프트맥스가 "
                    "한 번 더 적용되어, 손실이 log(1 + (C-1)/e) 아래로 내려가지 못하고 기울기도 작아집니다.",
                    lambda logits, targets, ignore_index=None: losses.cross_entropy(
                        losses.softmax(logits), targets, ignore_index)),
            Mistake("평균 대신 합", "손실은 남긴 타깃들에 대한 평균입니다: 합을 타깃 개수로 나누세요.",
                    _ce_sum),
            Mistake("마이너스 부호를 빠뜨림", "교차 엔트로피는 -log p[정답]의 평균이라 0 이상입니다.",
                    lambda logits, targets, ignore_index=None: -losses.cross_entropy(logits, targets, ignore_index)),
            Mistake("logp[:, targets]로 골라 (N, N) 행렬의 평균을 냄",
                    "logp[:, targets]는 모든 행에서 모든 타깃 열을 고릅니다. 행마다 자기 타깃 하나를 고르세요: "
                    "logp[torch.arange(N), targets] 또는 logp.gather(1, targets[:, None]).",
                    lambda logits, targets, ignore_index=None: -losses.log_softmax(logits)[:, targets].mean()),
            Mistake("exp를 바로 계산한 소프트맥스에 log (float32 오버플로)",
                    "exp(1e4)는 inf, inf/inf = nan입니다. log_softmax처럼 최댓값을 빼는 log-sum-exp로 계산하세요.",
                    _ce_naive),
            Mistake("소프트맥스를 구한 뒤 log (from_logits=False 경로, 언더플로)",
                    "정답 확률이 float32에서 0으로 언더플로하면 -log(0) = inf입니다. 확률을 거치지 말고 "
                    "log_softmax(log-sum-exp)로 로그 확률을 바로 구하세요.",
                    _ce_log_of_softmax),
            Mistake("확률을 1e-7로 잘라(clip) log (Keras의 from_logits=False 방식)",
                    "잘라 내면 손실이 -log(1e-7) ≈ 16.1에서 멈추고 그 자리의 기울기는 0입니다. "
                    "로짓에서 바로 log_softmax로 계산하세요.",
                    _ce_keras_clip),
            Mistake("무시한 타깃까지 평균의 분모에 셈",
                    "ignore_index인 타깃은 합에서도, 개수에서도 빼야 합니다: 남긴 타깃의 합 / 남긴 타깃의 수.",
                    _ce_mean_over_all),
            Mistake("ignore_index를 무시함 (패딩도 정답으로 학습)",
                    "targets == ignore_index 인 위치(패딩)는 손실에 넣지 않습니다. keep = targets != ignore_index.",
                    lambda logits, targets, ignore_index=None: losses.cross_entropy(logits, targets)),
        ],
    ),
    Exercise(
        id="losses.masked_accuracy",
        hints=[
            "모델이 고른 단어(로짓의 argmax)가 정답과 같은 비율을, 패딩이 아닌 진짜 토큰들에 대해서만 셉니다. 분자(맞힌 수)와 분모(센 토큰 수) 모두 패딩을 뺍니다.",
            "pred = logits.argmax(-1) (B, T);  keep = labels != pad_id (B, T);  accuracy = ((pred == labels) & "
            "keep).sum() / keep.sum(), 스칼라 하나 (토큰 단위, 문장별 평균 아님).",
            "pred = logits.argmax(dim=___)\n"
            "keep = labels ___ pad_id\n"
            "correct = (pred == labels) & ___\n"
            "return correct.sum().float() / ___",
        ],
        chapter="05",
        reference=losses.masked_accuracy,
        cases=_accuracy_cases,
        alternatives=[_accuracy_by_indexing],
        mistakes=[
            Mistake("패딩까지 정확도에 셈",
                    "패딩 자리에 PAD를 예측하는 것은 쉬워서 정확도가 부풀려집니다. labels != pad_id 인 자리만 세세요.",
                    _accuracy_counting_padding),
            Mistake("맞힌 수는 패딩을 뺐지만 전체 자리 수(B*T)로 나눔",
                    "분모도 진짜 토큰의 수여야 합니다: (labels != pad_id).sum().",
                    _accuracy_over_all_positions),
            Mistake("마스크를 거꾸로 씀 (패딩 자리만 셈)", "keep = labels != pad_id 입니다 (== 가 아니라 !=).",
                    _accuracy_on_padding_only),
            Mistake("문장별 정확도의 평균 (토큰 단위가 아님)",
                    "모든 진짜 토큰을 한데 모아 맞힌 비율을 구합니다. 문장마다 평균을 내면 짧은 문장의 토큰이 더 큰 "
                    "비중을 갖습니다.",
                    _accuracy_mean_per_sentence),
            Mistake("pad_id 인자를 무시하고 0으로 고정", "labels != pad_id 로 비교하세요 (labels != 0 이 아니라).",
                    lambda logits, labels, pad_id=0: losses.masked_accuracy(logits, labels, 0)),
        ],
    ),
]
