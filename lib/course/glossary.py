"""The course's glossary: one Korean term per concept (spec section 9), and a scanner for variants.

Each entry names a concept, the Korean term the course uses, its English original, and the variants
that must not appear anywhere a learner reads (notebooks, quiz bank, check messages, README).
A variant is a regular expression, written narrowly so that a correct sentence never matches
(e.g. "사라짐" is only a variant of 언더플로 in the sense "a small number vanishes to 0"; the
기울기 소실 sense is fine).

    from lib.course import glossary
    glossary.TERMS                    # the data
    glossary.scan_text(text)          # -> [Hit(term, variant, match, line)]
    glossary.scan_project()           # -> every hit in the files the test checks
    python -m lib.course.glossary     # print the hits; --markdown prints docs/glossary.md

The learner's own notes are quoted word for word; a line that is a verbatim quote of
notes/study-notes.md is never reported. tests/test_glossary.py fails on any hit.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "notes" / "study-notes.md"


@dataclass(frozen=True)
class Term:
    korean: str  # the one term the course uses
    english: str
    variants: tuple = ()  # (regex, what it is) pairs; none may appear
    note: str = ""  # usage note shown in docs/glossary.md

    def patterns(self):
        return [(re.compile(regex), label) for regex, label in self.variants]


TERMS: list[Term] = [
    Term("스텝", "(training) step", (
        (r"걸음", "걸음"),
        (r"학습 단계", "학습 단계"),
        (r"(?<![\d.·~–-])\d{2,}\s?단계(?!별)", "N단계 (학습 스텝 수: 200단계)"),
    ), "학습의 한 번의 갱신. 단계는 디코더의 출력 단계에만, 시점은 시퀀스의 시간 위치(time step)에 씁니다."),
    Term("레이블", "label", ((r"라벨", "라벨"),)),
    Term("내적", "dot product", (
        (r"점곱", "점곱"),
        (r"닷[\s-]?(?:프로덕트|곱|점수)|닷[·/]", "닷"),
    ), "스케일드 내적 어텐션(scaled dot-product attention)."),
    Term("야코비 행렬", "Jacobian", ((r"야코비안|자코비안", "야코비안"),)),
    Term("오버플로", "overflow", (
        (r"넘침|넘치[다는고지면며게거]|넘쳐|넘[칩친칠]", "넘침/넘치다"),
    ), "float의 최댓값을 넘어 inf가 되는 것."),
    Term("언더플로", "underflow", (
        (r"사라짐\s?[,(]\s?underflow|\(사라짐|0으?로 사라[지져졌]", "사라짐 (0이 되는 뜻으로)"),
    ), "너무 작은 수가 0이 되는 것. 기울기 소실(vanishing gradient)과는 다른 말입니다."),
    Term("시드", "seed", ((r"씨앗", "씨앗"),)),
    Term("05장", "chapter numbers", (
        (r"(?<![\d.])[1-9]장(?![a-zA-Z])", "한 자리 장 번호 (5장)"),
    ), "장 번호는 언제나 두 자리: 05장, 3~8장이 아니라 03–08장."),
    Term("임베딩", "embedding", ((r"임배딩|엠베딩", "임배딩"),)),
    Term("한 칸 밀린 타깃", "shifted right (decoder input)", ((r"한 칸 밀린 입력", "한 칸 밀린 입력"),),
         "디코더 입력 `BOS w1 w2 ...`: 노트 코드의 주석 \"번역 결과에 해당하는 문장이 shift된 시퀀스\", 09장의 `x`."),
    Term("교사 강요", "teacher forcing", ((r"티처\s?포싱|교사강요", "티처 포싱"),)),
    Term("노출 편향", "exposure bias", ((r"노출 바이어스", "노출 바이어스"),)),
    Term("계층 정규화", "layer normalization", (
        (r"레이어\s?(?:정규화|노멀)", "레이어 정규화"),
    ), "층 정규화라고도 함 (처음 한 번 밝힘)."),
    Term("셀프 어텐션", "self-attention", ((r"자기\s?어텐션|자가\s?어텐션|셀프어텐션", "자기 어텐션"),)),
    Term("크로스 어텐션", "cross-attention", ((r"교차\s?어텐션|크로스어텐션", "교차 어텐션"),)),
    Term("멀티 헤드 어텐션", "multi-head attention", ((r"다중\s?헤드|멀티헤드", "다중 헤드"),)),
    Term("어텐션 가중치", "attention weights", ((r"주의\s?가중치|어텐션 웨이트", "주의 가중치"),)),
    Term("문맥 벡터", "context vector", ((r"컨텍스트\s?벡터|맥락\s?벡터", "컨텍스트 벡터"),)),
    Term("은닉 상태", "hidden state", ((r"히든\s?스테이트|숨은\s?상태|숨겨진\s?상태", "히든 스테이트"),)),
    Term("기울기 소실", "vanishing gradient", (
        (r"(?:그래디언트|그라디언트|경사)\s?소실", "그래디언트 소실"),
        (r"기울기\s?폭발", "기울기 폭발 (→ 기울기 폭주)"),
    )),
    Term("교차 엔트로피", "cross-entropy", ((r"크로스\s?엔트로피", "크로스 엔트로피"),)),
    Term("log-sum-exp", "log-sum-exp", ((r"로그-합-지수|로그 합 지수", "로그-합-지수"),),
         "log Σ exp를 최댓값을 빼고 계산하는 공식. 옮기지 않고 log-sum-exp(공식)로 씁니다."),
    Term("소프트맥스 두 번", "double softmax", ((r"이중\s?소프트맥스", "이중 소프트맥스"),),
         "확률(소프트맥스 출력)을 로짓용 손실에 넣어 소프트맥스가 두 번 적용되는 실수."),
    Term("소프트맥스", "softmax", ((r"소프트\s맥스", "소프트 맥스"),)),
    Term("시간에 따른 역전파", "backpropagation through time (BPTT)", (
        (r"시간\s?펼침\s?역전파", "시간 펼침 역전파"),
    ), "RNN을 시점별로 펼친 그래프에서 하는 역전파. 처음 한 번 BPTT를 함께 적고, 그 뒤로는 BPTT만 써도 됩니다."),
    Term("아래 삼각 행렬", "lower-triangular matrix", (
        (r"하삼각|상삼각", "하삼각/상삼각 (→ 아래 삼각/위 삼각)"),
    ), "대각선과 그 아래만 남긴 행렬(torch.tril, np.tril). 반대쪽은 위 삼각 행렬(torch.triu). '아래 삼각형'도 같은 말입니다."),
    Term("마스크를 씌운 소프트맥스", "masked softmax", ((r"마스크드\s?소프트맥스", "마스크드 소프트맥스"),),
         "가릴 점수를 −∞로 바꾼 뒤 하는 소프트맥스."),
    Term("먼 의존 관계", "long-range dependency", (
        (r"장거리\s?의존|긴\s?의존\s?관계", "장거리 의존, 긴 의존 관계"),
    ), "멀리 떨어진 토큰 사이의 관계 (C17)."),
    Term("출력 단계", "(decoder) output step", ((r"출력\s?시점", "출력 시점"),),
         "디코더가 토큰 하나를 내는 차례. 시점은 입력 시퀀스의 위치(time step)에 씁니다."),
    Term("평가 문장 / 평가 정확도", "held-out (evaluation) set, accuracy", (
        (r"테스트\s?문장|시험\s?정확도|시험\s?문장|시험\s?시퀀스", "테스트 문장, 시험 정확도, 시험 시퀀스"),
    ), "학습에 쓰지 않고 떼어 둔 데이터로 잰 값. '시험'은 기말 시험에만 씁니다."),
    Term("앞부분 불변성", "prefix invariance", ((r"접두사\s?불변", "접두사 불변성"),),
         "뒤 토큰을 바꿔도 앞 위치의 출력이 그대로인 성질 (인과 마스크의 검사)."),
    Term("마스크드 멀티 헤드 어텐션", "masked multi-head attention",
         ((r"마스크드 (?:멀티 헤드 )?(?:\(셀프\) |셀프 )어텐션", "마스크드 (멀티 헤드) 셀프 어텐션"),),
         "디코더 층의 첫 부분층(노트의 이름). 하는 일은 인과 셀프 어텐션과 같습니다."),
    Term("오류", "error (exception)", ((r"에러", "에러"),),
         "코드가 멈추며 내는 예외. 경고(warning)와 구분합니다."),
    Term("미래 정보 누설", "look-ahead leakage", ((r"커닝", "커닝"),),
         "학습 때 위치 t가 t + 1 이후(자기 정답)를 보는 것. 처음에는 '정답 엿보기'를 함께 적어도 됩니다."),
    Term("원문", "source sentence", (
        (r"소스\s?(?:문장|패딩|토큰|쪽|뒤에|와 타깃)|소스의\s?(?:\*\*)?(?:패딩|`?PAD)", "소스 (번역할 문장의 뜻으로)"),
    ), "번역할 문장(인코더의 입력, context). '소스'는 소스 코드의 뜻으로만 씁니다."),
    Term("선형층", "linear layer", ((r"선형 층", "선형 층"),), "출력층·은닉층처럼 붙여 씁니다. final_layer는 출력층."),
    Term("탐욕적 디코딩", "greedy decoding", ((r"그리디\s?디코딩|탐욕\s디코딩", "그리디 디코딩"),)),
    Term("빔 서치", "beam search", ((r"빔\s?검색|빔서치", "빔 검색"),)),
    Term("위치 인코딩", "positional encoding", ((r"포지셔널\s?인코딩|위치\s?부호화", "포지셔널 인코딩"),)),
    Term("잔차 연결", "residual connection", ((r"잔여\s?연결|잔류\s?연결", "잔여 연결"),)),
]


@dataclass
class Hit:
    where: str  # file, and cell id or line number
    preferred: str
    variant: str
    match: str
    line: str = field(repr=False)

    def __str__(self):
        return f"{self.where}: '{self.match}' ({self.variant}) → {self.preferred}    | {self.line.strip()[:100]}"


def _notes_text() -> str:
    try:
        return NOTES.read_text(encoding="utf-8")
    except OSError:
        return ""


def _is_note_quote(line: str, notes: str) -> bool:
    """True when the line is the learner's own note quoted word for word (never rewritten)."""
    stripped = re.sub(r"^[>\s#*-]+", "", line).strip().strip("*").strip()
    return len(stripped) >= 8 and stripped in notes


def scan_text(text: str, where: str = "", notes: str | None = None) -> list[Hit]:
    notes = _notes_text() if notes is None else notes
    hits = []
    for line in text.splitlines():
        found = [(term, label, m) for term in TERMS for regex, label in term.patterns() for m in regex.finditer(line)]
        if found and _is_note_quote(line, notes):
            continue
        hits += [Hit(where, term.korean, label, m.group(0), line) for term, label, m in found]
    return hits


def _strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def scanned_files(root: Path = ROOT) -> list[Path]:
    """The files a learner reads: solution notebooks (chapters are generated from them), the quiz
    bank, the check modules (their messages), the term cards, the generated items' texts, README.md."""
    files = sorted((root / "solutions").glob("*.ipynb"))
    files += sorted((root / "lib" / "course" / "quizbank").glob("*.json"))
    files += sorted((root / "lib" / "course" / "checks").glob("*.py"))
    files += [root / "lib" / "course" / "terms.py", root / "lib" / "course" / "quizgen.py"]  # cards, generated items
    files += [root / "README.md"]
    return [f for f in files if f.exists()]


def scan_file(path: Path, root: Path = ROOT, notes: str | None = None) -> list[Hit]:
    notes = _notes_text() if notes is None else notes
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        hits = []
        for index, cell in enumerate(nb.get("cells", [])):
            source = "".join(cell.get("source", []))
            hits += scan_text(source, f"{name} [{cell.get('id', index)}]", notes)
        return hits
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else data.get("items", [data])
        hits = []
        for item in items:
            label = item.get("id", "?") if isinstance(item, dict) else "?"
            for text in _strings(item):
                hits += scan_text(text, f"{name} [{label}]", notes)
        return hits
    hits = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        hits += scan_text(line, f"{name}:{number}", notes)
    return hits


def scan_project(root: Path = ROOT) -> list[Hit]:
    notes = _notes_text()
    return [hit for path in scanned_files(root) for hit in scan_file(path, root, notes)]


def render_markdown() -> str:
    lines = ["# 용어집 (glossary)", "",
             "이 코스는 개념 하나에 한국어 용어 하나만 씁니다(스펙 9절). 이 표는 `lib/course/glossary.py`에서",
             "만들어집니다(`python -m lib.course.glossary --markdown > docs/glossary.md`). "
             "`tests/test_glossary.py`는 아래의 '쓰지 않는 말'이",
             "solutions/의 노트북, 퀴즈 은행(생성 문항 포함), 채점 메시지, 용어 카드, README에 나오면 실패합니다(노트 원문 인용은 예외).", "",
             "| 용어 | English | 쓰지 않는 말 | 메모 |", "|---|---|---|---|"]
    for term in TERMS:
        banned = ", ".join(label for _, label in term.variants)
        lines.append(f"| {term.korean} | {term.english} | {banned} | {term.note} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--markdown" in argv:
        sys.stdout.write(render_markdown())
        return 0
    hits = scan_project()
    for hit in hits:
        print(hit)
    print(f"{len(hits)} hit(s)")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
