"""Chapter 00 exercises: the context vector as a weighted average."""

import torch

from lib import attention
from lib.course.checks.exercise import Case, Exercise, Mistake


def _weighted_average_cases():
    g = torch.Generator().manual_seed(0)
    cases = []
    for length, dim, label in [(4, 3, "작은 예"), (6, 5, ""), (1, 2, "시점이 하나뿐"), (5, 5, "T와 D가 같음")]:
        values = torch.randn(length, dim, generator=g)
        weights = torch.softmax(torch.randn(length, generator=g), dim=0)
        cases.append(Case((values, weights), label=label))
    one_hot = torch.zeros(3)
    one_hot[2] = 1.0
    cases.append(Case((torch.arange(6.0).view(3, 2), one_hot), label="가중치가 한 시점에 몰림"))
    return cases


EXERCISES_HERE = [
    Exercise(
        id="attention.weighted_average",
        hints=[
            "시점마다 값 벡터 values[t]에 그 시점의 가중치 weights[t]를 곱한 뒤, 모든 시점에 대해 더합니다. 가중치의 합은 이미 1이니 따로 나누지 않습니다.",
            "c = Σ_t w_t · v_t  (t = 1 … T, w_t는 스칼라, v_t는 길이 D인 벡터).  모양: 가중치 (T,)에 뒤쪽 축 하나를 붙여 (T, 1)로 "
            "세우면 값 (T, D)와 브로드캐스트로 곱해져 (T, D); 이것을 시간 축(첫 번째 축)으로 더하면 (D,).",
            "weighted = weights[___] * values        # (T, 1) * (T, D) -> (T, D)\n"
            "return weighted.sum(dim=___)              # 시간 축으로 더해 (D,)",
        ],
        chapter="00",
        reference=attention.weighted_average,
        cases=_weighted_average_cases,
        oracle=lambda values, weights: torch.einsum("t,td->d", weights, values),
        oracle_name="torch.einsum",
        alternatives=[
            lambda values, weights: weights @ values,
            lambda values, weights: sum(w * v for w, v in zip(weights, values)),
        ],
        mistakes=[
            Mistake(
                "가중치 없이 그냥 평균", "가중 평균은 각 은닉 상태에 자기 가중치를 곱한 뒤 더합니다: sum_t w_t * v_t.",
                lambda values, weights: values.mean(dim=0),
            ),
            Mistake(
                "곱하기만 하고 더하지 않음", "w_t * v_t 를 만든 뒤 시간 축(dim=0)으로 합해야 (D,) 벡터가 됩니다.",
                lambda values, weights: weights[:, None] * values,
            ),
            Mistake(
                "엉뚱한 축으로 합함", "합은 시간 축 T(dim=0)을 따라 해야 합니다. 특징 축(dim=1)이 아닙니다.",
                lambda values, weights: (weights[:, None] * values).sum(dim=1),
            ),
            Mistake(
                "가중합을 시점 수로 한 번 더 나눔", "가중치의 합이 이미 1이므로 T로 다시 나누지 않습니다.",
                lambda values, weights: (weights[:, None] * values).sum(dim=0) / values.shape[0],
            ),
            Mistake(
                "가중치가 가장 큰 시점 하나만 고름",
                "어텐션은 한 시점을 고르는 것이 아니라 모든 시점을 가중치만큼 섞습니다 (가중 평균).",
                lambda values, weights: values[weights.argmax()],
            ),
            Mistake(
                "가중치에 소프트맥스를 한 번 더 적용함",
                "weights는 이미 소프트맥스를 거쳐 합이 1입니다. 그대로 곱하세요.",
                lambda values, weights: (torch.softmax(weights, dim=0)[:, None] * values).sum(dim=0),
            ),
        ],
    ),
]
