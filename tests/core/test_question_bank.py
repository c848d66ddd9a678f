"""The question bank: the shipped data loads, follows the taxonomy and covers every role; bad files fail by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.question_bank import (
    ANCHOR_SCORES,
    COMPETENCIES,
    DATA_DIR,
    KINDS,
    LANGUAGES,
    ROLES,
    SENIORITIES,
    BankError,
    hangul_share,
    load_bank,
)

COMPETENCIES_TOML = (DATA_DIR / "competencies.toml").read_text(encoding="utf-8")

GOOD_KO = """
[[questions]]
id = "backend-ko-001"
lang = "ko"
competency = "system_design"
kind = "technical"
seniority = ["mid", "senior"]
text = "조회가 많은 API에 캐시를 도입한다면 어떻게 설계하시겠어요?"
key_points = ["캐시 위치 선택", "캐시 무효화 전략(TTL, write-through 등)", "적중률 모니터링"]
"""


def _bank_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "competencies.toml").write_text(COMPETENCIES_TOML, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_bank_loads_and_is_cached() -> None:
    bank = load_bank()
    assert bank is load_bank()
    assert bank.questions
    assert len(bank.version) == 12
    assert int(bank.version, 16) >= 0


def test_ids_are_unique_and_follow_the_file_role_and_language() -> None:
    bank = load_bank()
    ids = [q.id for q in bank.questions]
    assert len(ids) == len(set(ids))
    for q in bank.questions:
        assert q.id.startswith(f"{q.role}-{q.lang}-")
        assert bank.get(q.id) is q


def test_every_question_follows_the_taxonomy() -> None:
    for q in load_bank().questions:
        assert q.role in ROLES and q.lang in LANGUAGES
        assert q.competency in COMPETENCIES and q.kind in KINDS
        assert q.seniority and set(q.seniority) <= set(SENIORITIES)
        assert 3 <= len(q.key_points) <= 5
        assert q.text.strip() and all(p.strip() for p in q.key_points)


def test_every_competency_has_names_descriptions_and_anchors_1_3_5_in_both_languages() -> None:
    competencies = load_bank().competencies
    assert list(competencies) == list(COMPETENCIES)
    for cid, comp in competencies.items():
        assert comp.id == cid
        for lang in LANGUAGES:
            assert comp.name[lang] and comp.description[lang]
            assert sorted(comp.anchors[lang]) == list(ANCHOR_SCORES)
            assert all(comp.anchors[lang][s] for s in ANCHOR_SCORES)
        assert hangul_share(comp.anchors["ko"][5]) > 0.5
        assert hangul_share(comp.anchors["en"][5]) == 0.0


def test_get_unknown_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_bank().get("backend-ko-999")


def test_select_puts_role_questions_first_then_the_general_set_and_filters(tmp_path: Path) -> None:
    general = """
[[questions]]
id = "general-ko-001"
lang = "ko"
competency = "collaboration"
kind = "behavioural"
seniority = ["junior", "mid", "senior", "lead"]
text = "동료와 의견이 크게 달랐던 경험이 있으시면 말씀해 주세요."
key_points = ["상황과 의견 차이의 원인", "상대 관점을 이해하려 한 행동", "합의 과정과 결과"]

[[questions]]
id = "general-en-001"
lang = "en"
competency = "collaboration"
kind = "behavioural"
seniority = ["mid"]
text = "Tell me about a time you strongly disagreed with a colleague."
key_points = ["the situation and the disagreement", "how they sought the other view", "the outcome"]
"""
    bank = load_bank(_bank_dir(tmp_path, {"backend.toml": GOOD_KO, "general.toml": general}))
    assert [q.id for q in bank.select("backend", "ko")] == ["backend-ko-001", "general-ko-001"]
    assert [q.id for q in bank.select("general", "ko")] == ["general-ko-001"]
    assert [q.id for q in bank.select("backend", "ko", kind="behavioural")] == ["general-ko-001"]
    assert [q.id for q in bank.select("backend", "ko", competency="system_design")] == ["backend-ko-001"]
    assert [q.id for q in bank.select("backend", "ko", seniority="junior")] == ["general-ko-001"]
    assert [q.id for q in bank.select("frontend", "en", seniority="mid")] == ["general-en-001"]
    assert bank.select("backend", "en", seniority="lead") == []
    with pytest.raises(ValueError, match="unknown role"):
        bank.select("sales", "ko")
    with pytest.raises(ValueError, match="unknown kind"):
        bank.select("backend", "ko", kind="trivia")


def test_version_changes_with_the_data(tmp_path: Path) -> None:
    first = load_bank(_bank_dir(tmp_path / "a", {"backend.toml": GOOD_KO}))
    changed = GOOD_KO.replace("적중률 모니터링", "캐시 적중률 모니터링")
    second = load_bank(_bank_dir(tmp_path / "b", {"backend.toml": changed}))
    assert first.version != second.version


Q = "question backend-ko-001: "
KO_TEXT = "조회가 많은 API에 캐시를 도입한다면 어떻게 설계하시겠어요?"


def _swap(old: str, new: str) -> str:
    assert old in GOOD_KO
    return GOOD_KO.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_swap('competency = "system_design"', 'competency = "charisma"'), Q + "unknown competency"),
        (_swap('kind = "technical"', 'kind = "trivia"'), Q + "unknown kind"),
        (_swap('["mid", "senior"]', '["mid", "principal"]'), Q + "unknown seniority"),
        (_swap('lang = "ko"', 'lang = "ja"'), Q + "unknown lang"),
        (_swap('lang = "ko"', 'lang = "en"'), Q + "id must be backend-en-NNN"),
        (_swap('"적중률 모니터링"]', '"적중률", "지연", "로그", "경보"]'), Q + "key_points must list 3–5"),
        (_swap(', "적중률 모니터링"]', "]"), Q + "key_points must list 3–5"),
        (_swap(f'text = "{KO_TEXT}"', 'text = "  "'), "text: must be"),
        (
            _swap(KO_TEXT, "How would you design a cache?"),
            Q + "text: Korean text is not mostly Hangul",
        ),
        (_swap('"캐시 위치 선택"', '"cache placement"'), Q + "key point: Korean text"),
        (_swap("seniority = ", "level = "), Q + "missing seniority"),
        (_swap('kind = "technical"', 'kind = "technical"\nfollow_up = true'), "unknown field"),
        (GOOD_KO + "\n[extra]\nx = 1\n", "unexpected top-level keys"),
        (GOOD_KO.replace("[[questions]]", "[[questions]"), "not valid TOML"),
    ],
)
def test_bad_question_files_fail_naming_file_and_question(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BankError, match=r"^backend\.toml: ") as err:
        load_bank(_bank_dir(tmp_path, {"backend.toml": text}))
    assert message in str(err.value)


def test_english_text_with_hangul_fails(tmp_path: Path) -> None:
    english = (
        GOOD_KO.replace("backend-ko-001", "backend-en-001")
        .replace('lang = "ko"', 'lang = "en"')
        .replace(KO_TEXT, "How would you add a 캐시 to a busy API?")
    )
    with pytest.raises(BankError, match=r"backend\.toml: question backend-en-001: text: English text contains Hangul"):
        load_bank(_bank_dir(tmp_path, {"backend.toml": english}))


def test_duplicate_id_across_files_names_both(tmp_path: Path) -> None:
    dup = GOOD_KO.replace("backend-ko-001", "general-ko-001")
    message = r"general\.toml: question general-ko-001: duplicate id \(also in general\.toml\)"
    with pytest.raises(BankError, match=message):
        load_bank(_bank_dir(tmp_path, {"general.toml": dup + dup}))


def test_unknown_role_file_and_bad_competencies_fail(tmp_path: Path) -> None:
    with pytest.raises(BankError, match=r"^sales\.toml: unknown role"):
        load_bank(_bank_dir(tmp_path / "a", {"sales.toml": GOOD_KO}))

    no_anchor_3 = COMPETENCIES_TOML.replace('\n3 = "Links one or two', '\n4 = "Links one or two', 1)
    path = _bank_dir(tmp_path / "b", {})
    (path / "competencies.toml").write_text(no_anchor_3, encoding="utf-8")
    with pytest.raises(BankError, match=r"^competencies\.toml: competency motivation: anchors\.en needs exactly"):
        load_bank(path)

    missing = COMPETENCIES_TOML.split("[product_sense]")[0]
    path = _bank_dir(tmp_path / "c", {})
    (path / "competencies.toml").write_text(missing, encoding="utf-8")
    with pytest.raises(BankError, match=r"^competencies\.toml: missing competenc\(ies\) product_sense"):
        load_bank(path)


def test_hangul_share_counts_words_so_latin_terms_in_korean_are_fine() -> None:
    assert hangul_share("캐시 무효화 전략(TTL, write-through 등)") > 0.5
    assert hangul_share("How would you design a cache?") == 0.0
    assert hangul_share("") == 0.0
