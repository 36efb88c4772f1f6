"""One Korean term per concept (spec section 9): no listed variant anywhere a learner reads."""

import pytest

from lib.course import glossary


def test_glossary_catches_every_listed_variant():
    bad = {
        "300걸음 뒤": "스텝",
        "마지막 20단계 평균 손실": "스텝",
        "라벨은 tgt[:, 1:]": "레이블",
        "스케일드 점곱 어텐션": "내적",
        "닷·내적": "내적",
        "소프트맥스의 야코비안": "야코비 행렬",
        "exp가 넘치거나": "오버플로",
        "0(사라짐, underflow)": "언더플로",
        "작은 확률이 0으로 사라져": "언더플로",
        "씨앗(seed) 두 개": "시드",
        "3~8장의 번역 모델": "05장",
        "(8장)": "05장",
        "스케일드 닷-프로덕트 어텐션": "내적",
        "exp(z)가 inf로 넘칩니다": "오버플로",
        "로그-합-지수 공식": "log-sum-exp",
        "이중 소프트맥스는 손실에 바닥을 만든다": "소프트맥스 두 번",
        "BPTT(시간 펼침 역전파)": "시간에 따른 역전파",
        "08장에서 손으로 만든 하삼각 행렬": "아래 삼각 행렬",
        "가릴 자리가 True인 상삼각 행렬": "아래 삼각 행렬",
        "마스크드 소프트맥스": "마스크를 씌운 소프트맥스",
        "장거리 의존 관계": "먼 의존 관계",
        "긴 의존 관계를 다룬다": "먼 의존 관계",
        "출력 시점마다 다른 가중치": "출력 단계",
        "테스트 문장 50개": "평가 문장 / 평가 정확도",
        "시험 정확도가 0.7": "평가 문장 / 평가 정확도",
        "시험 시퀀스 200개": "평가 문장 / 평가 정확도",
        "접두사 불변성 검사": "앞부분 불변성",
        "마스크를 뒤집으면 커닝": "미래 정보 누설",
        "소스 문장 뒤에 PAD를 더 붙이면": "원문",
        "크로스 어텐션이 소스의 패딩을 봅니다": "원문",
        "마지막 선형 층": "선형층",
    }
    for text, preferred in bad.items():
        hits = glossary.scan_text(text, notes="")
        assert [h.preferred for h in hits] == [preferred], (text, hits)


def test_glossary_leaves_correct_sentences_alone():
    good = [
        "기울기 소실(vanishing gradient): 앞 시점으로 갈수록 기울기가 사라집니다.",
        "200스텝 학습, 디코더의 출력 단계마다, 시점 t에서",
        "1절의 3·4단계가 바로 이 마스크입니다. 계산은 세 단계입니다.",
        "05장, 10장, 03–08장에서 5문장을 봅니다",
        "100을 넘는 로짓, 오버플로(overflow), 언더플로(underflow)",
        "스케일드 내적 어텐션(scaled dot-product attention)",
        "레이블(label), 시드(seed), 야코비 행렬(Jacobian)",
        "exp가 오버플로합니다. 로짓이 100을 넘는 경우",
        "BPTT(backpropagation through time, 시간에 따른 역전파)",
        "대각선과 그 아래가 True인 아래 삼각 행렬, 위 삼각 행렬(triu), 아래 삼각형",
        "마스크를 씌운 소프트맥스(masked softmax), 소프트맥스 두 번, log-sum-exp 공식",
        "긴 시퀀스의 먼 의존 관계, 출력 단계마다, 입력의 시점마다, 평가 정확도, 기말 시험 전에",
        "앞부분 불변성, 미래 정보 누설(정답 엿보기)",
        "Keras 3 소스(keras/src/...)로 확인, 원문 패딩 마스크, 마지막 선형층(출력층)",
    ]
    for text in good:
        assert glossary.scan_text(text, notes="") == [], text


def test_verbatim_note_quotes_are_exempt():
    notes = "셀프어텐션은 한 시퀀스 안에서 계산된다."
    assert glossary.scan_text("> 셀프어텐션은 한 시퀀스 안에서 계산된다.", notes=notes) == []
    assert glossary.scan_text("셀프어텐션을 설명합니다.", notes=notes) != []


def test_docs_glossary_is_generated_from_the_data():
    docs = glossary.ROOT / "docs" / "glossary.md"
    assert docs.read_text(encoding="utf-8") == glossary.render_markdown(), (
        "docs/glossary.md is stale: python -m lib.course.glossary --markdown > docs/glossary.md")


@pytest.mark.parametrize("path", glossary.scanned_files(), ids=lambda p: p.relative_to(glossary.ROOT).as_posix())
def test_no_variant_in_learner_facing_files(path):
    hits = glossary.scan_file(path)
    assert not hits, "용어집(lib/course/glossary.py)에 없는 말이 쓰였습니다:\n" + "\n".join(map(str, hits))
