"""Chapter 03 exercises: the context vector, teacher forcing and greedy decoding."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import seq2seq
from lib.course.checks.exercise import Case, Exercise, Mistake
from lib.data import BOS_ID, EOS_ID, FIRST_SYMBOL, PAD_ID

# ---------------------------------------------------------------- context_vector


def _context_cases():
    g = torch.Generator().manual_seed(5)
    cases = []
    for batch, steps, hidden, lengths, label in [
        (3, 5, 4, [3, 1, 4], "모든 문장이 패딩을 가짐"),
        (2, 6, 3, [6, 2], "패딩이 없는 문장과 있는 문장"),
        (4, 4, 2, [2, 4, 1, 3], ""),
        (1, 3, 5, [3], "배치 1, 패딩 없음"),
    ]:
        outputs = torch.randn(batch, steps, hidden, generator=g)
        cases.append(Case((outputs, torch.tensor(lengths)), label=label))
    return cases


def context_by_gather(encoder_outputs, lengths):
    """A correct answer with torch.gather."""
    index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, encoder_outputs.size(2))
    return encoder_outputs.gather(1, index).squeeze(1)


def context_by_loop(encoder_outputs, lengths):
    """A correct answer, one row at a time."""
    return torch.stack([encoder_outputs[b, int(n) - 1] for b, n in enumerate(lengths)])


# ---------------------------------------------------------------- make_decoder_io


def _decoder_io_cases():
    return [
        Case((torch.tensor([[BOS_ID, 7, 8, 9, EOS_ID, PAD_ID], [BOS_ID, 5, EOS_ID, PAD_ID, PAD_ID, PAD_ID]]),),
             label="BOS w.. EOS PAD.."),
        Case((torch.tensor([[BOS_ID, 4, 5, 6, 7, EOS_ID]]),), label="패딩 없는 한 문장"),
        Case((torch.tensor([[BOS_ID, 11, EOS_ID], [BOS_ID, EOS_ID, PAD_ID], [BOS_ID, 9, EOS_ID]]),),
             label="빈 문장 (BOS EOS)"),
    ]


# ---------------------------------------------------------------- greedy_decode


class ScriptedModel(nn.Module):
    """A toy model(src, ys) -> logits whose choices are easy to follow.

    At position j it predicts EOS once j reaches the source row's length (or never, if
    never_ends), else a word that depends on the token it just read and on src[:, j] — so a
    decoder that feeds back the wrong token produces a different sentence.
    """

    def __init__(self, vocab_size: int = 12, never_ends: tuple = ()):
        super().__init__()
        self.vocab_size = vocab_size
        self.never_ends = never_ends

    def forward(self, src, ys):
        steps = ys.size(1)
        lengths = (src != PAD_ID).sum(dim=1, keepdim=True)
        padded = F.pad(src, (0, max(0, steps - src.size(1))), value=PAD_ID)[:, :steps]
        words = FIRST_SYMBOL + (ys + 3 * padded) % (self.vocab_size - FIRST_SYMBOL)
        position = torch.arange(steps).unsqueeze(0)
        ends = position >= lengths
        for row in self.never_ends:
            ends[row] = False
        tokens = torch.where(ends, torch.full_like(words, EOS_ID), words)
        return F.one_hot(tokens, self.vocab_size).float() * 4.0 - 2.0


def _small_seq2seq():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return seq2seq.Seq2Seq(10, 9, embed_size=8, hidden_size=8)


def _greedy_cases():
    return [
        Case((ScriptedModel(), torch.tensor([[5, 6, 7, 0, 0], [8, 9, 0, 0, 0], [4, 5, 6, 7, 8]]), BOS_ID, EOS_ID, 9),
             label="모든 문장이 max_len 전에 EOS를 냄"),
        Case((ScriptedModel(never_ends=(1,)), torch.tensor([[5, 6, 0], [7, 8, 9]]), BOS_ID, EOS_ID, 5),
             label="두 번째 문장은 EOS를 내지 않음 (max_len에서 멈춤)"),
        Case((ScriptedModel(), torch.tensor([[6, 0, 0], [4, 7, 5]]), BOS_ID, EOS_ID, 6), label="짧은 문장과 긴 문장"),
        Case((_small_seq2seq(), torch.tensor([[4, 5, 6, 7], [8, 9, 0, 0]]), BOS_ID, EOS_ID, 6),
             label="작은 무작위 Seq2Seq 모델"),
    ]


def greedy_then_trim(model, src, bos_id, eos_id, max_len):
    """A correct answer: decode max_len steps, then blank out what follows EOS and trim."""
    ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long)
    for _ in range(max_len):
        ys = torch.cat([ys, model(src, ys)[:, -1].argmax(-1, keepdim=True)], dim=1)
    out = ys[:, 1:]
    after_eos = (out == eos_id).long().cumsum(dim=1) - (out == eos_id).long() > 0
    out = out.masked_fill(after_eos, PAD_ID)
    has_eos = (out == eos_id).any(dim=1)
    if bool(has_eos.all()):
        out = out[:, : int((out == eos_id).float().argmax(dim=1).max()) + 1]
    return out


def _greedy_variant(keep_bos=False, pad_after_eos=True, stop="all", position=-1, keep_eos=True):
    """greedy_decode with one typical mistake switched on."""

    def decode(model, src, bos_id, eos_id, max_len):
        ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long)
        finished = torch.zeros(src.size(0), dtype=torch.bool)
        for _ in range(max_len):
            token = model(src, ys)[:, position].argmax(dim=-1)
            if pad_after_eos:
                token = token.masked_fill(finished, PAD_ID)
            is_eos = token == eos_id
            if not keep_eos:
                token = token.masked_fill(is_eos, PAD_ID)
            ys = torch.cat([ys, token.unsqueeze(1)], dim=1)
            finished |= is_eos
            if stop == "all" and bool(finished.all()):
                break
            if stop == "any" and bool(finished.any()):
                break
        return ys if keep_bos else ys[:, 1:]

    return decode


EXERCISES_HERE = [
    Exercise(
        id="seq2seq.context_vector",
        hints=[
            "문장마다 길이가 다르므로 encoder_outputs[:, -1](패딩까지 읽은 뒤의 상태)이 아니라, 각 문장의 '진짜 마지막 단어'를 읽은 시점의 은닉 상태를 문장마다 하나씩 "
            "고릅니다.",
            "행 b의 마지막 진짜 시점 인덱스는 lengths[b] - 1 (0부터 셈).  encoder_outputs (B, S, H)에서 행 b, 시점 lengths[b]-1을 골라 "
            "(B, H).  배치 인덱스 torch.arange(B)와 시점 인덱스를 짝지어 씁니다.",
            "batch = torch.arange(encoder_outputs.size(___))\n"
            "last = lengths - ___\n"
            "return encoder_outputs[___, ___]          # (B, H)",
        ],
        chapter="03",
        reference=seq2seq.context_vector,
        cases=_context_cases,
        alternatives=[context_by_gather, context_by_loop],
        mistakes=[
            Mistake("패딩까지 포함한 마지막 시점을 씀 (encoder_outputs[:, -1])",
                    "짧은 문장의 마지막 칸은 패딩을 읽은 뒤의 상태입니다. 문장마다 인덱스 lengths - 1(0부터 셈)인 시점을 고르세요.",
                    lambda outputs, lengths: outputs[:, -1]),
            Mistake("길이를 그대로 인덱스로 씀 (한 칸 뒤를 고름)",
                    "길이가 n이면 실제 마지막 시점의 인덱스는 n - 1입니다 (0부터 셈).",
                    lambda outputs, lengths: outputs[torch.arange(outputs.size(0)), lengths.clamp(max=outputs.size(1) - 1)]),
            Mistake("모든 문장에 모든 길이를 적용함 (encoder_outputs[:, lengths - 1])",
                    "행마다 자기 길이를 쓰려면 배치 인덱스를 함께 줍니다: encoder_outputs[torch.arange(B), lengths - 1].",
                    lambda outputs, lengths: outputs[:, lengths - 1]),
            Mistake("실제 시점들의 평균을 씀",
                    "어텐션이 없는 seq2seq에서 문맥 벡터는 평균이 아니라 인코더의 마지막 (실제) 은닉 상태입니다.",
                    lambda outputs, lengths: torch.stack([outputs[b, : int(n)].mean(0) for b, n in enumerate(lengths)])),
        ],
    ),
    Exercise(
        id="seq2seq.make_decoder_io",
        hints=[
            "교사 강요(teacher forcing): 디코더는 BOS부터 읽고, 매 위치에서 '한 칸 뒤의 단어'를 맞힙니다. 그래서 입력은 맨 끝 한 칸을, 정답은 맨 앞 한 "
            "칸(BOS)을 뺀 것입니다.",
            "모양: (B, T) → 입력과 정답 모두 (B, T−1).  한 줄 y = (y₀ = BOS, w₁, …, EOS, PAD …)에서 입력은 y₀ … y_{T−2}"
            "(맨 끝 칸 제외), 정답은 y₁ … y_{T−1}(첫 칸 BOS 제외): 위치 j의 입력이 y_j이면 정답은 y_{j+1}. 열(시간 축)을 "
            "자르는 것이고 행(배치)은 그대로입니다.",
            "decoder_input = tgt[:, ___]\n"
            "labels = tgt[:, ___]\n"
            "return decoder_input, labels",
        ],
        chapter="03",
        reference=seq2seq.make_decoder_io,
        cases=_decoder_io_cases,
        output_names=("decoder_input", "labels"),
        alternatives=[lambda tgt: (tgt.narrow(1, 0, tgt.size(1) - 1), tgt.narrow(1, 1, tgt.size(1) - 1))],
        mistakes=[
            Mistake("입력과 정답을 바꿈",
                    "디코더는 BOS부터 읽고(입력 = tgt[:, :-1]), 한 칸 뒤의 단어를 맞힙니다(정답 = tgt[:, 1:]).",
                    lambda tgt: (tgt[:, 1:], tgt[:, :-1])),
            Mistake("한 칸 밀지(shift) 않음",
                    "입력과 정답이 같으면 모델은 읽은 단어를 베끼기만 합니다. 정답은 입력 위치마다 한 칸 뒤의 단어(다음 단어)여야 합니다.",
                    lambda tgt: (tgt, tgt)),
            Mistake("정답도 BOS부터 시작함",
                    "정답(labels)은 BOS를 뺀 tgt[:, 1:]입니다. BOS는 '시작하라'는 신호일 뿐 맞힐 단어가 아닙니다.",
                    lambda tgt: (tgt[:, :-1], tgt[:, :-1])),
            Mistake("입력에서 BOS를 뺌",
                    "디코더 입력은 BOS로 시작해야 첫 단어를 예측할 수 있습니다: decoder_input = tgt[:, :-1].",
                    lambda tgt: (tgt[:, 1:], tgt[:, 1:])),
        ],
    ),
    Exercise(
        id="seq2seq.greedy_decode",
        hints=[
            "BOS 하나로 시작해, 매 단계 모델이 낸 마지막 위치의 로짓에서 가장 큰 단어를 골라 뒤에 붙입니다. 문장(행)마다 EOS를 냈는지 기억해, 끝난 행에는 그 뒤로 PAD(0)를 "
            "채우고, 모든 행이 끝나면 멈춥니다. 돌려줄 때 BOS는 뺍니다.",
            "ys (B, 1) = BOS로 시작.  매 단계: logits = model(src, ys) (B, t, V) → logits[:, -1] (B, V) → argmax(-1) "
            "(B,).  finished (B,) bool: 끝난 행의 새 토큰은 PAD.  ys = cat([ys, token[:, None]], dim=1). finished |= "
            "(token == eos_id);  finished.all()이면 break.  최대 max_len 단계, 결과 ys[:, 1:].",
            "ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long)\n"
            "finished = torch.zeros(src.size(0), dtype=torch.bool)\n"
            "with torch.no_grad():\n"
            "    for _ in range(max_len):\n"
            "        token = model(src, ys)[:, ___].argmax(dim=-1)\n"
            "        token = token.masked_fill(___, PAD_ID)      # 이미 끝난 행\n"
            "        ys = torch.cat([ys, token.unsqueeze(1)], dim=1)\n"
            "        finished = finished | (token == ___)\n"
            "        if finished.___():\n"
            "            break\n"
            "return ys[:, ___]",
        ],
        chapter="03",
        reference=seq2seq.greedy_decode,
        cases=_greedy_cases,
        alternatives=[greedy_then_trim],
        mistakes=[
            Mistake("결과에 BOS를 남김", "BOS는 디코더에 주는 시작 신호입니다. 돌려줄 때는 ys[:, 1:]처럼 떼어 내세요.",
                    _greedy_variant(keep_bos=True)),
            Mistake("EOS 뒤에도 계속 단어를 채움 (PAD로 바꾸지 않음)",
                    "EOS를 낸 문장은 끝났습니다. 그 뒤 칸은 PAD(0)로 채우세요 (끝난 행을 기억하는 finished 마스크).",
                    _greedy_variant(pad_after_eos=False)),
            Mistake("모든 문장이 끝나도 max_len까지 멈추지 않음",
                    "모든 행이 EOS를 냈으면 반복을 멈춥니다 (if finished.all(): break).",
                    _greedy_variant(stop="never")),
            Mistake("한 문장만 끝나도 멈춤",
                    "멈추는 조건은 '모든' 행이 EOS를 냈을 때입니다: finished.all(), finished.any()가 아닙니다.",
                    _greedy_variant(stop="any")),
            Mistake("마지막 위치가 아니라 첫 위치의 로짓으로 다음 단어를 고름",
                    "model(src, ys)는 읽은 모든 위치의 로짓 (B, T, V)을 돌려줍니다. 다음 단어는 마지막 위치 logits[:, -1]에서 고릅니다.",
                    _greedy_variant(position=0)),
            Mistake("EOS를 결과에서 지움",
                    "EOS는 '문장이 끝났다'는 예측이므로 결과에 남깁니다. 그 뒤만 PAD입니다.",
                    _greedy_variant(keep_eos=False)),
        ],
    ),
]
