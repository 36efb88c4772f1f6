"""Write docs/notes_map.md: every section of the notes -> notebook section, experiment, exercises, quiz.

    python tools/notes_map.py                 # writes docs/notes_map.md (links relative to docs/)
    python tools/notes_map.py --readme        # also writes it into README.md (links relative to the root)

The outline of the notes (sections, a phrase each chapter quotes, claims) is
lib.course.outline.NOTES_OUTLINE; an exercise counts as there when a solution notebook checks it
(``check("id", ...)``, so the map is the same with or without keras installed), quiz item ids come from
lib/course/quizbank, notebook sections from the headings of solutions/ (lib.course.outline.notebook_section:
the heading naming the claim, else the one above the cell quoting the note's phrase).
Re-run it when quiz items or chapter headings change.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# This checkout's lib (not another checkout's editable install): the map, docs/notes_map.md and README.md all
# come from and go to the checkout the tool is in.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import readme_block  # noqa: E402

from lib.course import notebooks, quiz  # noqa: E402
from lib.course.claims import CLAIMS  # noqa: E402
from lib.course.outline import NOTES_OUTLINE, notebook_section, section_link  # noqa: E402

# The experiment that shows each claim (course spec section 6), in a few words.
EXPERIMENT = {
    "C0": "코스 사용법: 연습문제 → check → 퀴즈 → 11장 복습 (C0에는 노트의 주장이 아닌 임베딩 문항 둘도 있음)",
    "C1": "작은 인코더-디코더를 학습시켜 장난감 말뭉치 번역",
    "C2": "가중치 합 = 1, 손으로 다시 계산한 문맥 벡터 = 모델의 것",
    "C3": "길이별 정확도: 어텐션 있음 vs 없음, 같은 학습 예산",
    "C4": "한국어/영어 토큰 위의 어텐션 맵, 어순 바뀜이 보임",
    "C5": "가중치 공유: 시간 축(RNN) vs 공간 축(CNN)",
    "C6": "길이 N 이하로 학습한 모델을 3N 길이에 적용",
    "C7": "첫 토큰 기억하기 정확도가 길이에 따라 떨어짐, 시점별 기울기 크기",
    "C8": "같은 기억 과제에서 RNN vs LSTM vs GRU",
    "C9": "파라미터 수 (torch) 3배 vs 4배, (h) vs (h, c)",
    "C10": "context_vector 연습문제, 패딩의 함정",
    "C11": "📝 노트 점검: float32 언더플로로 log 0 = −inf, 큰 로짓의 inf/nan, 소프트맥스 두 번 적용과 로짓에 from_logits=False (05); Keras 3 torch 백엔드에서 측정 (10)",
    "C12": "위치 인코딩 히트맵, PE(p+k) = 회전 × PE(p), 마스크 없는 셀프 어텐션(인코더 층)은 위치 인코딩 없이는 순서를 바꿔도 출력이 같이 바뀔 뿐(순열 등변)",
    "C13": "한 문장 안의 셀프 어텐션 가중치",
    "C14": "디코더 쿼리가 인코더 키를 보는 크로스 어텐션",
    "C15": "계층 정규화 있음/없음의 활성값과 손실, 잔차 연결 있음/없음의 기울기와 손실",
    "C16": "06–08장의 부품으로 조립한 전체 모델",
    "C17": "경로 길이 1 vs T−1, CNN·RNN·셀프 어텐션 비교표 (Vaswani et al. 2017 표 1)",
    "C18": "순차 연산 수: RNN은 T번, 셀프 어텐션은 한 번 (호출 횟수로 확인); 학습 시간은 내 컴퓨터에서 측정",
    "C19": "헤드별 어텐션 맵이 서로 다름",
    "C20": "DecoderLayer 연습문제, 📝 보충: 모든 부분층 뒤에 Add & Norm (층마다 세 번)",
    "C21": "학습된 한 모델에서 세 가지 어텐션 맵",
    "C22": "앞부분 불변성: 뒤 토큰을 바꿔도 앞 출력은 그대로, 마스크를 뒤집으면 미래 정보 누설",
    "C23": "노트의 TF 코드와 PyTorch 코드를 한 줄씩 나란히 (09), Keras 3로 실행해 가중치를 복사하면 패딩 없는 입력에서 로짓이 같음 (패딩이 있으면 설치된 Keras 3.15에서는 튜토리얼 코드가 달라짐, 10)",
}

# Which exercises practise which claim (exercise ids: course spec section 3).
EXERCISE_CLAIMS = {
    "attention.weighted_average": ["C2"],
    "rnn.rnn_cell": ["C5", "C6"],
    "rnn.rnn_layer": ["C6", "C7"],
    "rnn.lstm_cell": ["C8", "C9"],
    "rnn.gru_cell": ["C9"],
    "seq2seq.context_vector": ["C10"],
    "seq2seq.make_decoder_io": ["C1", "C23"],
    "seq2seq.greedy_decode": ["C1"],
    "attention.dot_product_scores": ["C2"],
    "attention.additive_scores": ["C2"],
    "attention.attend": ["C2", "C4"],
    "losses.softmax": ["C11"],
    "losses.log_softmax": ["C11"],
    "losses.cross_entropy": ["C11"],
    "losses.masked_accuracy": ["C11"],
    "transformer.positional_encoding": ["C12"],
    "attention.scaled_dot_product_attention": ["C13", "C14", "C17"],
    "attention.split_heads": ["C19"],
    "attention.merge_heads": ["C19"],
    "attention.multi_head_attention": ["C19", "C13", "C14"],
    "transformer.layer_norm": ["C15"],
    "masks.causal_mask": ["C22"],
    "masks.padding_mask": ["C22"],
    "masks.decoder_self_attention_mask": ["C22", "C20"],
    "transformer.EncoderLayer": ["C13", "C15"],
    "transformer.DecoderLayer": ["C20", "C14"],
    "transformer.Transformer": ["C16", "C21", "C23"],
    "keras_port.CausalSelfAttention": ["C22", "C23"],
    "keras_port.masked_loss": ["C11", "C23"],
}


def checked_in_solutions() -> set:
    """Exercise ids that a solution notebook checks: check("id", ...)."""
    ids = set()
    for path in sorted(notebooks.SOLUTIONS.glob("[0-9][0-9]_*.ipynb")):
        for cell in notebooks.read(path).cells:
            if cell.cell_type == "code":
                ids |= set(re.findall(r'check\(\s*"([^"]+)"', cell.source))
    return ids


def chapters_of(claim: str) -> list:
    return CLAIMS[claim][0].split(",")


def build(link_prefix: str) -> str:
    items = quiz.load_items()
    by_claim = {}
    for item in items:
        by_claim.setdefault(item.claim, []).append(item.id)
    exercises_by_claim = {}
    for ex_id, claims in EXERCISE_CLAIMS.items():
        for claim in claims:
            exercises_by_claim.setdefault(claim, []).append(ex_id)
    missing_chapters = set()
    checked = checked_in_solutions()

    lines = [
        "# 노트 지도",
        "",
        "노트(`notes/study-notes.md`)의 절과 항목마다, 그 내용을 설명하는 노트북의 절, 그것을 보여 주는 실험(노트의 주장 ID,",
        "`lib/course/claims.py`), 손으로 구현해 보는 연습문제(`check(\"ID\", ...)`), 떠올려 보는 퀴즈 문항(`lib/course/quizbank/`, 숫자 문항은 `lib/course/quizgen.py`)을",
        "한눈에 모았습니다. 퀴즈 문항은 모두 11장 **복습**의 간격 반복에 들어갑니다.",
        "",
        "| 노트의 절 | 주장 | 노트북 · 절 | 실험 (보여 주는 것) | 연습문제 | 퀴즈 문항 |",
        "|---|---|---|---|---|---|",
    ]
    for section, _phrase, claims in NOTES_OUTLINE:
        for claim in claims:
            if section == "맺음말":
                places = [f"[11 복습과 모의 기말]({link_prefix}11_review.ipynb) · 전체"]
            else:
                places = [section_link(chapter, claim, link_prefix) for chapter in chapters_of(claim)]
                missing_chapters |= {c for c in chapters_of(claim) if notebook_section(c, claim) is None}
            exercises = [f"`{e}`" for e in exercises_by_claim.get(claim, []) if e in checked]
            planned = [f"`{e}`" for e in exercises_by_claim.get(claim, []) if e not in checked]
            quiz_ids = ", ".join(by_claim.get(claim, [])) or "(아직 없음)"
            if section == "맺음말":
                exercises, planned, quiz_ids = [], [], "전체 문항 (11장 간격 반복)"
            exercise_text = ", ".join(exercises + [f"{p} (준비 중)" for p in planned]) or "—"
            lines.append(f"| {section} | {claim} {CLAIMS[claim][1]} | {'<br>'.join(places)} | "
                         f"{EXPERIMENT[claim]} | {exercise_text} | {quiz_ids} |")
    lines += [
        "",
        "읽는 법: **노트북 · 절**의 링크는 장 노트북(`chapters/`, 풀이가 든 같은 이름의 노트북은 `solutions/`)이고,",
        "링크 뒤는 그 장에서 그 주장을 다루는 절의 제목입니다(이 순서로 찾습니다: 주장 ID를 단 제목, 그 주장의 핵심어가 든 제목, 노트를 인용하는 절, 본문에 주장 ID가 나오는 절). 링크는 `lib/course/claims.py`가 그 주장에 배정한 장마다 하나씩이고(예: C2는 00장에서 준비 운동으로, 04장에서 본격적으로),",
        "퀴즈 문항은 다른 장에 있기도 합니다(예: C20의 07장 문항). 맺음말 행만은 11장 전체로 갑니다(11장이 모든 주장을 복습함).",
        "C0에는 코스 사용법 문항과 함께, 모의 기말에서 빼려고 C0으로 둔 임베딩 문항 두 개(01-10, 01-g6)가 있습니다.",
    ]
    if missing_chapters:
        lines.append(f"절 제목이 비어 있는 곳: {', '.join(sorted(missing_chapters))}장 노트북이 아직 없거나, 노트의 문장을 "
                     "인용한 절을 찾지 못한 곳입니다.")
    return "\n".join(lines) + "\n"


README_PLACEHOLDER = "<!-- NOTES-MAP -->"


def write_into_readme(text: str) -> None:
    """Put the map into README.md between the NOTES-MAP markers (first time: at the placeholder line)."""
    readme_block.write("NOTES-MAP", text.replace("# 노트 지도", "## 노트 지도 (notes map)", 1), placeholder=README_PLACEHOLDER)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme", action="store_true", help="also write the map into README.md")
    args = parser.parse_args(argv)
    if args.readme:
        write_into_readme(build("chapters/"))
    target = notebooks.ROOT / "docs" / "notes_map.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(build("../chapters/"), encoding="utf-8")
    print(f"wrote {target.relative_to(notebooks.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
