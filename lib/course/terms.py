"""용어 카드 (term deck): Korean textbook term ↔ English paper term ↔ API name/argument.

The exam is in Korean; papers and code are in English. Each card ties the three together (course
spec section 9 gives the Korean terms). A card is reviewed in both directions, as a four-choice
question like the exam's:

- ``T-<card>-ko``: the Korean term is shown, choose the English term (and API);
- ``T-<card>-en``: the English term (and API) is shown, choose the Korean term.

Both are items for the same Leitner scheduler (``lib.course.scheduler``): their answers go to the
progress file's ``quiz`` record under those ids. Wrong choices are other cards' terms, preferably of
the same chapter (the confusable ones), never a card for the same thing under another name
(``SAME_THING``: the notes call the decoder's first sublayer both 인과 셀프 어텐션 and Masked Multi-Head
Attention); the order is fixed per card, so the same card always asks the same question. Korean
terms follow docs/glossary.md where it names one, and every card's Korean term appears in its
chapter's solution notebook (markdown or code; tests/test_terms_in_chapters.py).

API names and arguments were checked against torch 2.13 and Keras 3.15 (``api_refs``: dotted path
and, where one, the argument; tests/test_review.py re-checks them against the installed versions).
"""

import hashlib
from dataclasses import dataclass

from lib.course.outline import REVIEW_CHAPTER


@dataclass(frozen=True)
class Card:
    id: str
    chapter: str
    ko: str
    en: str
    api: str = ""  # how the code says it (torch / Keras), "" where no API names it
    note: str = ""  # one line: what it is
    api_refs: tuple = ()  # ((dotted path, argument or None), ...) verified by the tests


def _c(id, chapter, ko, en, api="", note="", refs=()):
    return Card(id, chapter, ko, en, api, note, tuple(refs))


CARDS = [
    # 00-01: RNN and the basics
    _c("context-vector", "00", "문맥 벡터", "context vector", "",
       "인코더가 입력 시퀀스를 요약한 벡터. 어텐션에서는 은닉 상태들의 가중 평균"),
    _c("weighted-average", "00", "가중 평균", "weighted average", "`weights @ values` (가중치 합 = 1)",
       "가중치를 곱해 더한 평균. 어텐션의 문맥 벡터가 이것"),
    _c("rnn", "01", "순환 신경망", "recurrent neural network (RNN)", "`nn.RNN` / `keras.layers.SimpleRNN`",
       "같은 가중치를 시점마다 반복 적용하는 신경망",
       [("torch.nn.RNN", None), ("keras.layers.SimpleRNN", None)]),
    _c("hidden-state", "01", "은닉 상태", "hidden state", "`h_n` (nn.RNN의 두 번째 출력) / `return_state=True`",
       "지금까지 본 입력을 요약해 다음 시점으로 넘기는 벡터", [("keras.layers.SimpleRNN", "return_state")]),
    _c("embedding", "01", "임베딩", "embedding", "`nn.Embedding` / `keras.layers.Embedding`",
       "토큰 번호를 학습되는 실수 벡터로 바꾸는 표",
       [("torch.nn.Embedding", None), ("keras.layers.Embedding", None)]),
    _c("time-step", "01", "시점", "time step", "",
       "시퀀스의 한 위치. RNN은 시점마다 한 번씩 셀을 적용"),
    _c("all-steps", "01", "모든 시점의 은닉 상태", "hidden states at every time step (the RNN's outputs)", "`return_sequences=True` (Keras)",
       "마지막 은닉 상태만이 아니라 시점마다의 은닉 상태 전부 (어텐션의 재료)",
       [("keras.layers.SimpleRNN", "return_sequences")]),
    _c("vanishing", "01", "기울기 소실", "vanishing gradient", "",
       "역전파가 층(RNN에서는 시점)을 거슬러 갈수록 기울기가 0에 가까워지는 현상"),
    _c("exploding", "01", "기울기 폭주", "exploding gradient", "",
       "역전파가 층(RNN에서는 시점)을 거슬러 갈수록 기울기가 매우 커지는 현상"),
    _c("clipping", "01", "기울기 클리핑", "gradient clipping",
       "`torch.nn.utils.clip_grad_norm_` / `global_clipnorm=` (Keras 옵티마이저; `clipnorm=`은 텐서마다 따로)",
       "기울기의 크기(보통 노름)에 상한을 두어 폭주를 완화하는 방법",
       [("torch.nn.utils.clip_grad_norm_", None), ("keras.optimizers.Adam", "global_clipnorm")]),
    _c("weight-sharing", "01", "가중치 공유", "parameter (weight) sharing", "",
       "RNN은 시간 축, CNN은 공간 축으로 같은 가중치를 다시 씀"),
    _c("cnn", "01", "합성곱 신경망", "convolutional neural network (CNN)", "`nn.Conv2d` / `keras.layers.Conv2D`",
       "이미지처럼 공간 구조가 있는 데이터에 주로 쓰는 신경망",
       [("torch.nn.Conv2d", None), ("keras.layers.Conv2D", None)]),
    _c("backprop", "01", "역전파", "backpropagation", "`loss.backward()`",
       "손실의 기울기를 출력에서 입력 쪽으로 연쇄 법칙으로 계산", [("torch.Tensor.backward", None)]),
    _c("bptt", "01", "시간에 따른 역전파", "backpropagation through time (BPTT)", "",
       "RNN을 시점별로 펼친 그래프에서 하는 역전파"),
    _c("batch-first", "01", "배치 우선", "batch-first layout", "`batch_first=True` (torch)",
       "텐서 모양 (B, T, D): 배치 축이 맨 앞 (이 코스의 약속)",
       [("torch.nn.MultiheadAttention", "batch_first"), ("torch.nn.TransformerEncoderLayer", "batch_first")]),
    _c("bidirectional", "02", "양방향 RNN", "bidirectional RNN",
       "`bidirectional=True` (torch) / `keras.layers.Bidirectional`",
       "앞에서 뒤로, 뒤에서 앞으로 읽은 은닉 상태를 함께 씀", [("keras.layers.Bidirectional", None)]),
    _c("stacked", "02", "다층 RNN", "stacked (multi-layer) RNN", "`num_layers=` (torch)",
       "RNN 층을 여러 개 쌓아 아래 층의 출력 시퀀스를 위 층의 입력으로"),
    _c("tanh", "01", "하이퍼볼릭 탄젠트", "hyperbolic tangent (tanh)", "`torch.tanh`",
       "RNN 셀의 활성화 함수, 출력 범위 (-1, 1)", [("torch.tanh", None)]),
    # 02: LSTM, GRU
    _c("lstm", "02", "장단기 메모리", "long short-term memory (LSTM)", "`nn.LSTM` / `keras.layers.LSTM`",
       "셀 상태와 세 게이트로 먼 의존 관계를 다루는 RNN",
       [("torch.nn.LSTM", None), ("keras.layers.LSTM", None)]),
    _c("gru", "02", "게이트 순환 유닛", "gated recurrent unit (GRU)", "`nn.GRU` / `keras.layers.GRU`",
       "리셋·업데이트 게이트, 상태 벡터 하나 (LSTM의 단순화)",
       [("torch.nn.GRU", None), ("keras.layers.GRU", None)]),
    _c("cell-state", "02", "셀 상태", "cell state", "`(h_n, c_n)`의 `c_n` (nn.LSTM)",
       "LSTM이 덧셈으로 이어 가는 장기 기억 벡터"),
    _c("forget-gate", "02", "망각 게이트", "forget gate", "",
       "셀 상태에서 무엇을 지울지 정하는 LSTM 게이트"),
    _c("input-gate", "02", "입력 게이트", "input gate", "",
       "새 후보 정보를 셀 상태에 얼마나 쓸지 정하는 LSTM 게이트"),
    _c("output-gate", "02", "출력 게이트", "output gate", "",
       "셀 상태의 어느 부분을 은닉 상태로 내보낼지 정하는 LSTM 게이트"),
    _c("reset-gate", "02", "리셋 게이트", "reset gate", "",
       "GRU에서 이전 은닉 상태를 후보 계산에 얼마나 쓸지 정함"),
    _c("update-gate", "02", "업데이트 게이트", "update gate", "",
       "GRU에서 이전 상태와 새 후보를 섞는 비율"),
    _c("sigmoid", "02", "시그모이드", "sigmoid", "`torch.sigmoid`",
       "게이트 값을 0~1로 만드는 활성화 함수", [("torch.sigmoid", None)]),
    _c("lstm-cell", "02", "LSTM 셀", "LSTM cell", "`nn.LSTMCell`",
       "한 시점만 계산하는 LSTM (게이트 순서 i, f, g, o)", [("torch.nn.LSTMCell", None)]),
    _c("hadamard", "02", "원소별 곱", "element-wise (Hadamard) product", "`a * b`",
       "같은 모양의 두 텐서를 자리별로 곱함 (게이트 × 상태)"),
    # 03: seq2seq
    _c("seq2seq", "03", "시퀀스-투-시퀀스", "sequence-to-sequence (seq2seq)", "",
       "입력 시퀀스를 출력 시퀀스로 바꾸는 인코더-디코더 모델 (03장 제목: 인코더-디코더(seq2seq))"),
    _c("encoder-decoder", "03", "인코더-디코더", "encoder-decoder", "`nn.Transformer` (트랜스포머의 경우)",
       "입력을 요약하는 인코더와 출력을 만드는 디코더", [("torch.nn.Transformer", None)]),
    _c("teacher-forcing", "03", "교사 강요", "teacher forcing", "한 칸 민 디코더 입력 `tgt[:, :-1]`",
       "학습 때 디코더에 자신의 예측 대신 정답 토큰을 한 칸 밀어 넣음"),
    _c("greedy", "03", "탐욕적 디코딩", "greedy decoding", "`logits.argmax(-1)`",
       "단계마다 확률이 가장 큰 토큰 하나를 고름"),
    _c("beam-search", "03", "빔 서치", "beam search", "",
       "단계마다 점수가 높은 후보 k개를 유지하며 디코딩"),
    _c("bos", "03", "문장 시작 토큰", "beginning-of-sequence token (BOS)", "`BOS_ID` (lib.tokens)",
       "디코더의 첫 입력"),
    _c("eos", "03", "문장 끝 토큰", "end-of-sequence token (EOS)", "`EOS_ID` (lib.tokens)",
       "디코더가 내면 출력을 멈추는 토큰"),
    _c("padding", "03", "패딩", "padding",
       "`padding_idx=` (nn.Embedding: PAD 임베딩을 학습하지 않음, 새로 만든 층에서는 0 벡터; 이것만으로는 RNN이 PAD를 건너뛰지 않음) / `mask_zero=True` (Keras: 뒤 층에 마스크 전달)",
       "길이를 맞추려 채운 토큰 (이 코스에서 PAD = 0)",
       [("torch.nn.Embedding", "padding_idx"), ("keras.layers.Embedding", "mask_zero")]),
    _c("autoregressive", "03", "자기회귀", "autoregressive", "",
       "앞에서 만든 출력을 다음 단계의 입력으로 넣어 하나씩 생성"),
    _c("exposure-bias", "03", "노출 편향", "exposure bias", "",
       "학습 때는 정답만 보다가 추론 때 자기 실수를 처음 보는 차이 (교사 강요의 부작용)"),
    _c("vocabulary", "03", "어휘", "vocabulary", "`num_embeddings` (torch) / `input_dim` (Keras)",
       "모델이 아는 토큰의 목록, 크기 V",
       [("torch.nn.Embedding", "num_embeddings"), ("keras.layers.Embedding", "input_dim")]),
    _c("tokenization", "03", "토큰화", "tokenization", "",
       "문장을 토큰(단어, 형태소, 부분 단어)으로 나누기"),
    # 04: attention
    _c("attention", "04", "어텐션", "attention", "",  # keras.layers.Attention is the dot one: dot-attention's card
       "쿼리와 키의 점수로 값들의 가중 평균을 만드는 방법"),
    _c("attention-score", "04", "어텐션 점수", "attention score", "",
       "소프트맥스 전의 쿼리-키 유사도"),
    _c("attention-weights", "04", "어텐션 가중치", "attention weights",
       "`need_weights=True` (nn.MultiheadAttention) / `return_attention_scores=True` (Keras)",
       "점수에 소프트맥스를 적용한 값 (합이 1). Keras의 `return_attention_scores`는 이름에 scores가 있지만 "
       "소프트맥스 뒤의 이 가중치를 돌려줌",
       [("torch.nn.MultiheadAttention.forward", "need_weights"),
        ("keras.layers.MultiHeadAttention.call", "return_attention_scores")]),
    _c("dot-attention", "04", "내적 어텐션", "dot-product (Luong) attention", "`keras.layers.Attention`",
       "쿼리와 키의 내적을 점수로 쓰는 어텐션", [("keras.layers.Attention", None)]),
    _c("additive-attention", "04", "덧셈 어텐션", "additive (Bahdanau) attention", "`keras.layers.AdditiveAttention`",
       "tanh(W_q q + W_k k)·v 를 점수로 쓰는 어텐션 (Keras 층은 W_q q, W_k k 투영을 하지 않으니 Dense로 미리 투영해 넣음)",
       [("keras.layers.AdditiveAttention", None)]),
    _c("attention-map", "04", "어텐션 맵", "attention map", "",
       "출력 단계 × 입력 위치의 가중치를 그린 히트맵"),
    _c("alignment", "04", "정렬", "alignment", "",
       "출력 단어가 입력의 어느 단어에 대응하는지 (어텐션이 배우는 것)"),
    # 05: from_logits
    _c("logits", "05", "로짓", "logits", "`from_logits=True` (Keras 손실)",
       "소프트맥스를 적용하기 전의 점수",
       [("keras.losses.SparseCategoricalCrossentropy", "from_logits")]),
    _c("softmax", "05", "소프트맥스", "softmax", "`torch.softmax` / `keras.activations.softmax`",
       "점수를 합이 1인 확률로 바꾸는 함수", [("torch.softmax", None), ("keras.activations.softmax", None)]),
    _c("cross-entropy", "05", "교차 엔트로피", "cross-entropy",
       "`F.cross_entropy` / `keras.losses.SparseCategoricalCrossentropy`",
       "정답 클래스 확률의 음의 로그 (분류 손실)",
       [("torch.nn.functional.cross_entropy", None), ("keras.losses.SparseCategoricalCrossentropy", None)]),
    _c("log-softmax", "05", "로그 소프트맥스", "log-softmax", "`F.log_softmax`",
       "log(softmax(x))를 안정적으로 한 번에 계산", [("torch.nn.functional.log_softmax", None)]),
    _c("logsumexp", "05", "log-sum-exp 공식", "log-sum-exp (trick)", "`torch.logsumexp`",
       "최댓값을 빼고 계산해 오버플로를 막는 log Σ exp", [("torch.logsumexp", None)]),
    _c("stability", "05", "수치 안정성", "numerical stability", "",
       "부동소수점의 오버플로·언더플로 없이 계산되는 성질 (from_logits=True의 주된 이유)"),
    _c("underflow", "05", "언더플로", "underflow", "",
       "너무 작은 수가 0이 되어 버림 (log 0 = -inf)"),
    _c("overflow", "05", "오버플로", "overflow", "", "너무 큰 수가 inf가 되어 버림 (exp(1000))"),
    _c("nll", "05", "음의 로그 우도", "negative log-likelihood (NLL)", "`F.nll_loss`",
       "로그 확률을 받아 정답의 값에 음수를 붙인 손실", [("torch.nn.functional.nll_loss", None)]),
    _c("ignore-index", "05", "패딩을 뺀 손실", "loss that ignores padding",
       "`ignore_index=` (F.cross_entropy) / `ignore_class=` (Keras)",
       "PAD 위치를 손실에서 빼기 (정확도는 따로 가림: 05장 `masked_accuracy`)",
       [("torch.nn.functional.cross_entropy", "ignore_index"),
        ("keras.losses.SparseCategoricalCrossentropy", "ignore_class")]),
    _c("one-hot", "05", "원-핫 벡터", "one-hot vector", "`F.one_hot`",
       "정답 위치만 1인 벡터", [("torch.nn.functional.one_hot", None)]),
    _c("sparse-labels", "05", "정수 레이블", "sparse (integer) labels",
       "`SparseCategoricalCrossentropy` (원-핫이면 `CategoricalCrossentropy`)",
       "정답을 원-핫 벡터 대신 클래스 번호로 주기",
       [("keras.losses.SparseCategoricalCrossentropy", None), ("keras.losses.CategoricalCrossentropy", None)]),
    # 06: self-attention
    _c("self-attention", "06", "셀프 어텐션", "self-attention", "`mha(x, x, x)`",
       "한 시퀀스 안의 항목들이 서로를 보는 어텐션"),
    _c("cross-attention", "06", "크로스 어텐션", "cross-attention", "`mha(x, context, context)`",
       "디코더의 쿼리가 인코더 출력(키·값)을 보는 어텐션"),
    _c("query", "06", "쿼리", "query (Q)", "", "무엇을 찾는지: 점수를 매기는 쪽"),
    _c("key", "06", "키", "key (K)", "", "쿼리와 비교되는 쪽: 점수의 상대"),
    _c("value", "06", "값", "value (V)", "", "가중 평균되는 내용"),
    _c("sdpa", "06", "스케일드 내적 어텐션", "scaled dot-product attention",
       "`F.scaled_dot_product_attention`", "softmax(QKᵀ/√d_k)V",
       [("torch.nn.functional.scaled_dot_product_attention", None)]),
    _c("scale", "06", "1/√d_k 스케일링", "1/√d_k scaling", "`scale=` (F.scaled_dot_product_attention)",
       "(쿼리·키 성분의 분산이 1일 때) 점수의 분산을 d_k와 무관하게 맞춰, d_k가 커도 소프트맥스가 포화되지 않게 함",
       [("torch.nn.functional.scaled_dot_product_attention", "scale")]),
    _c("path-length", "06", "경로 길이", "path length", "",
       "두 위치 사이 정보가 거치는 연산 수: 셀프 어텐션 1, RNN O(T)"),
    _c("permutation", "07", "순열 등변성", "permutation equivariance", "",
       "입력 순서를 바꾸면 출력도 같이 바뀔 뿐인 성질 (위치 인코딩이 필요한 이유)"),
    # 07: transformer layers
    _c("positional-encoding", "07", "위치 인코딩", "positional encoding", "",
       "토큰 임베딩에 더해 위치를 알려 주는 벡터 (원 논문·BERT·GPT-2 같은 절대 위치 방식; 상대 위치·RoPE는 어텐션 안(쿼리·키나 점수)에 넣음. torch·Keras 기본 층에는 없음)"),
    _c("sinusoidal", "07", "사인·코사인 위치 인코딩", "sinusoidal positional encoding", "",
       "짝수 차원 sin, 홀수 차원 cos, 파장이 차원 쌍마다 다름 (논문의 방식)"),
    _c("multi-head", "07", "멀티 헤드 어텐션", "multi-head attention",
       "`nn.MultiheadAttention` / `keras.layers.MultiHeadAttention`",
       "여러 헤드가 각자 투영한 Q·K·V로 어텐션한 뒤 이어 붙임",
       [("torch.nn.MultiheadAttention", None), ("keras.layers.MultiHeadAttention", None)]),
    _c("num-heads", "07", "헤드 수", "number of heads",
       "`num_heads=` (nn.MultiheadAttention, Keras) / `nhead=` (nn.Transformer·TransformerEncoderLayer)",
       "어텐션을 나란히 하는 개수 h. 논문과 torch는 d_model을 h개로 나눠 d_k = d_model/h, Keras는 헤드 크기를 key_dim으로 따로 정함",
       [("torch.nn.MultiheadAttention", "num_heads"), ("keras.layers.MultiHeadAttention", "num_heads"),
        ("torch.nn.Transformer", "nhead"), ("torch.nn.TransformerEncoderLayer", "nhead")]),
    _c("layer-norm", "07", "계층 정규화", "layer normalization", "`nn.LayerNorm` / `keras.layers.LayerNormalization`",
       "토큰마다 특징 축으로 평균 0, 분산 1로 정규화한 뒤 학습되는 γ·β로 다시 조정 (층 정규화라고도 함)",
       [("torch.nn.LayerNorm", None), ("keras.layers.LayerNormalization", None)]),
    _c("residual", "07", "잔차 연결", "residual connection", "`x + sublayer(x)` / `keras.layers.Add`",
       "부분층의 입력을 출력에 더해 기울기가 잘 흐르게 함", [("keras.layers.Add", None)]),
    _c("ffn", "07", "위치별 피드포워드 신경망", "position-wise feed-forward network",
       "`dim_feedforward=` (nn.TransformerEncoderLayer)",
       "토큰마다 따로 적용하는 2층 완전 연결망", [("torch.nn.TransformerEncoderLayer", "dim_feedforward")]),
    _c("add-norm", "07", "사후 정규화", "post-LN (Add & Norm)", "`norm_first=False` (torch 기본값)",
       "잔차를 더한 뒤 계층 정규화 (논문과 노트의 방식)", [("torch.nn.TransformerEncoderLayer", "norm_first")]),
    _c("pre-ln", "07", "사전 정규화", "pre-LN", "`norm_first=True` (torch)",
       "부분층 앞에서 계층 정규화 (깊은 모델 학습이 안정적)", [("torch.nn.TransformerEncoderLayer", "norm_first")]),
    _c("dropout", "07", "드롭아웃", "dropout", "`nn.Dropout` / `keras.layers.Dropout`",
       "학습 때 무작위로 일부 값을 0으로 만들어 과적합을 줄임",
       [("torch.nn.Dropout", None), ("keras.layers.Dropout", None)]),
    _c("d-model", "07", "모델 차원", "model dimension (d_model)",
       "`d_model=` (nn.Transformer) / `embed_dim=` (nn.MultiheadAttention)",
       "토큰 벡터의 크기", [("torch.nn.Transformer", "d_model"), ("torch.nn.MultiheadAttention", "embed_dim")]),
    _c("batch-norm", "07", "배치 정규화", "batch normalization", "`nn.BatchNorm1d`",
       "배치 축으로 정규화 (시퀀스 길이·패딩에 약해 트랜스포머는 계층 정규화를 씀)",
       [("torch.nn.BatchNorm1d", None)]),
    _c("encoder-layer", "07", "인코더 층", "encoder layer", "`nn.TransformerEncoderLayer`",
       "셀프 어텐션 → Add & Norm → FFN → Add & Norm", [("torch.nn.TransformerEncoderLayer", None)]),
    # 08: causal
    _c("causal-self-attention", "08", "인과 셀프 어텐션", "causal self-attention",
       "`F.scaled_dot_product_attention(..., is_causal=True)` (torch) / `use_causal_mask=True` (Keras)",
       "자기 자신과 앞의 위치만 보는 디코더의 셀프 어텐션 (인코더 출력은 받지 않음)",
       [("torch.nn.functional.scaled_dot_product_attention", "is_causal"),
        ("keras.layers.MultiHeadAttention.call", "use_causal_mask")]),
    _c("causal-mask", "08", "인과 마스크", "causal (look-ahead) mask",
       "`nn.Transformer.generate_square_subsequent_mask` / `torch.tril`",
       "대각선과 그 아래만 허용하는 (T, T) 마스크",
       [("torch.nn.Transformer.generate_square_subsequent_mask", None), ("torch.tril", None)]),
    _c("padding-mask", "08", "패딩 마스크", "padding mask", "`key_padding_mask=` (nn.MultiheadAttention)",
       "PAD 위치를 키에서 가리는 마스크 (nn.MultiheadAttention의 key_padding_mask는 True = 가림)",
       [("torch.nn.MultiheadAttention.forward", "key_padding_mask")]),
    _c("attn-mask", "08", "어텐션 마스크", "attention mask",
       "`attn_mask=` (torch) / `attention_mask=` (Keras)",
       "어느 쿼리가 어느 키를 볼 수 있는지 (bool의 뜻이 API마다 다름)",
       [("torch.nn.MultiheadAttention.forward", "attn_mask"),
        ("keras.layers.MultiHeadAttention.call", "attention_mask")]),
    _c("masked-mha", "08", "마스크드 멀티 헤드 어텐션", "masked multi-head attention", "",
       "인과 마스크를 쓴 멀티 헤드 셀프 어텐션 (디코더 층의 첫 부분층)"),
    _c("decoder-layer", "08", "디코더 층", "decoder layer", "`nn.TransformerDecoderLayer`",
       "인과 셀프 어텐션, 크로스 어텐션, FFN, 각각 뒤에 Add & Norm (torch에서는 인과 마스크를 `tgt_mask=`로 넘겨야 함)",
       [("torch.nn.TransformerDecoderLayer", None)]),
    _c("shifted-right", "08", "한 칸 밀린 타깃", "shifted right (decoder input)", "`tgt[:, :-1]` / 레이블 `tgt[:, 1:]`",
       "디코더 입력은 정답을 오른쪽으로 한 칸 민 것, 레이블은 그다음 토큰"),
    _c("future-leak", "08", "미래 정보 누설", "look-ahead leakage", "",
       "마스크가 없거나 뒤집혀 디코더가 정답의 뒤쪽을 보는 것"),
    # 09: transformer
    _c("transformer", "09", "트랜스포머", "Transformer", "`nn.Transformer`",
       "어텐션만으로 만든 인코더-디코더 (Vaswani 외, 2017)", [("torch.nn.Transformer", None)]),
    _c("parallel", "09", "병렬 계산", "parallelization", "",
       "학습 때 모든 위치를 한 번에 계산 (RNN은 시점을 차례로)"),
    _c("long-range", "09", "먼 의존 관계", "long-range dependency", "",
       "멀리 떨어진 토큰 사이의 관계"),
    _c("final-dense", "09", "출력층", "output projection (to the vocabulary)",
       "`nn.Linear(d_model, vocab)` / `Dense(vocab)`",
       "마지막 층이 로짓을 냄 (이 코스처럼 소프트맥스를 손실에 맡길 때: from_logits=True / F.cross_entropy)", [("torch.nn.Linear", None), ("keras.layers.Dense", None)]),
    _c("exact-match", "09", "완전 일치 정확도", "exact-match accuracy", "",
       "번역 전체가 정답과 토큰 하나까지 같은 문장의 비율"),
    # 10: Keras
    _c("backend", "10", "백엔드", "backend", "`KERAS_BACKEND=torch`",
       "Keras 3이 계산을 맡기는 프레임워크 (TensorFlow, JAX, torch 등)"),
    _c("compile", "10", "컴파일", "compile (loss, optimizer, metrics)", "`model.compile(loss=..., optimizer=...)`",
       "학습 설정을 모델에 붙임", [("keras.Model.compile", "loss")]),
]


# ---------------------------------------------------------------- cards as four-choice items


@dataclass(frozen=True)
class TermItem:
    """A card in one direction, shaped like ``lib.course.quiz.QuizItem`` (the scheduler uses id,
    chapter, claim, answer)."""

    id: str
    chapter: str
    claim: str  # "용어" + chapter: a session takes the chapters in turn
    question: str
    choices: tuple
    answer: int
    explanation: str
    why_wrong: tuple
    kind: str = "term"
    legacy_ids: tuple = ()
    card: str = ""
    direction: str = "ko"


def _coin(*parts) -> float:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16) / 2**32


def english(card: Card) -> str:
    return f"{card.en} — {card.api}" if card.api else card.en


# Cards that name the same thing (or one names the other as its kind): never each other's distractor,
# or the card would have two right answers (content-review-3, part B, Q3).
SAME_THING = [
    {"causal-self-attention", "masked-mha"},  # the notes use both names for the decoder's first sublayer
    {"attention", "dot-attention"},  # dot-product attention is a kind of attention
    {"seq2seq", "encoder-decoder"},  # chapter 03's title: 인코더-디코더(seq2seq)
    {"positional-encoding", "sinusoidal"},  # the sinusoidal one is a kind of positional encoding
    {"attention", "additive-attention"},  # additive (Bahdanau) attention is a kind of attention
    {"attn-mask", "causal-mask"},  # a causal mask is a kind of attention mask
]


def _confusable(card: Card, other: Card) -> bool:
    """True when ``other`` would also be a right answer for ``card``: the same thing under another
    name (``SAME_THING``) or the same API."""
    if any({card.id, other.id} <= group for group in SAME_THING):
        return True
    return bool(card.api) and card.api == other.api


def _distractors(card: Card, cards) -> list:
    """Three other cards: same chapter first (the confusable ones), then neighbouring chapters; never
    a card that names the same thing (``_confusable``)."""
    others = [c for c in cards if c.id != card.id and c.ko != card.ko and c.en != card.en and not _confusable(card, c)]
    return sorted(others, key=lambda c: (abs(int(c.chapter) - int(card.chapter)), _coin(card.id, c.id)))[:3]


def items(cards=None, chapters=None) -> list:
    """Both directions of every card (of ``chapters`` only, when given), in course order."""
    cards = list(CARDS if cards is None else cards)
    out = []
    for card in cards:
        if chapters is not None and card.chapter not in set(chapters):
            continue
        others = _distractors(card, cards)
        position = int(_coin(card.id, "key") * 4)
        for direction in ("ko", "en"):
            show = (lambda c: english(c)) if direction == "ko" else (lambda c: c.ko)
            choices = [show(o) for o in others]
            choices.insert(position, show(card))
            why = [f"그것은 '{o.ko}'({english(o)})입니다." for o in others]
            why.insert(position, "")
            if direction == "ko":
                question = f"'{card.ko}'의 영어 용어(와 코드에서의 이름)는?"
            else:
                question = f"'{english(card)}'의 한국어 교과서 용어는?"
            explanation = f"{card.ko} ↔ {english(card)}. {card.note}".strip()
            out.append(TermItem(id=f"T-{card.id}-{direction}", chapter=card.chapter, claim=f"용어{card.chapter}",
                                question=question, choices=tuple(choices), answer=position,
                                explanation=explanation, why_wrong=tuple(why), card=card.id,
                                direction=direction))
    return out


def table_markdown(chapters=None) -> str:
    """The deck as a Markdown table (한국어 | English | API)."""
    lines = ["| 장 | 한국어 | English | 코드 (API 이름) |", "|---|---|---|---|"]
    for card in CARDS:
        if chapters is None or card.chapter in set(chapters):
            lines.append(f"| {card.chapter} | {card.ko} | {card.en} | {card.api or '—'} |")
    return "\n".join(lines)


assert REVIEW_CHAPTER not in {card.chapter for card in CARDS}
