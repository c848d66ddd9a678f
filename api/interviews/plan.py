"""The interview plan, made once at setup and stored with the interview (C3 `plan`): which competencies this
interview covers for the role and seniority (weighted by the job description and résumé where given), the order of
question kinds (opening first, closing last) and a vetted bank question per slot.

The plan is what keeps a small model's interview sensible: the model only personalises the slot's bank question or
follows up on the last answer, and when its output fails validation the slot's bank question is asked as is.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from api.interviews.prompts import Slot
from core.db.models import Interview, QuestionKind
from core.question_bank import Bank, BankQuestion, load_bank

PLAN_VERSION = "plan-1"

# Base weights per role preset: what an interviewer for that role spends their questions on.
_ROLE_WEIGHTS: dict[str, dict[str, float]] = {
    "general": {"problem_solving": 3, "collaboration": 3, "ownership": 3, "learning": 2, "technical_depth": 2},
    "backend": {"technical_depth": 4, "system_design": 4, "problem_solving": 3, "ownership": 2, "collaboration": 2},
    "frontend": {
        "technical_depth": 4,
        "problem_solving": 3,
        "product_sense": 3,
        "collaboration": 2,
        "system_design": 2,
    },
    "data": {"technical_depth": 4, "problem_solving": 4, "product_sense": 2, "collaboration": 2, "ownership": 2},
    "pm": {"product_sense": 5, "collaboration": 3, "leadership": 3, "problem_solving": 3, "ownership": 2},
    "devops": {"technical_depth": 4, "system_design": 3, "ownership": 3, "problem_solving": 3, "collaboration": 2},
    "ml": {"technical_depth": 4, "problem_solving": 3, "system_design": 3, "product_sense": 2, "learning": 2},
}
_SENIORITY_BONUS: dict[str, dict[str, float]] = {
    "junior": {"learning": 2, "problem_solving": 1},
    "mid": {"ownership": 1},
    "senior": {"system_design": 1, "leadership": 2, "ownership": 1},
    "lead": {"leadership": 3, "system_design": 1, "collaboration": 1},
}
# Keywords (lower-case stems, ko + en) that pull a competency up when the JD or résumé mentions them.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "system_design": ("architect", "scalab", "distributed", "microservice", "설계", "아키텍처", "확장", "분산"),
    "technical_depth": ("performance", "optimi", "database", "kubernetes", "성능", "최적화", "데이터베이스"),
    "problem_solving": ("debug", "troubleshoot", "incident", "analy", "디버깅", "장애", "분석", "문제 해결"),
    "collaboration": ("cross-functional", "stakeholder", "communicat", "협업", "커뮤니케이션", "이해관계자"),
    "ownership": ("ownership", "end-to-end", "on-call", "responsib", "주도", "책임", "오너십"),
    "leadership": ("lead", "mentor", "manage", "hiring", "리드", "멘토", "관리", "채용"),
    "learning": ("learn", "growth", "curious", "학습", "성장"),
    "product_sense": ("product", "user", "customer", "metric", "a/b", "제품", "사용자", "고객", "지표"),
}
KEYWORD_BONUS, KEYWORD_MAX_BONUS = 0.5, 2.0
MIDDLE_KINDS = ("technical", "behavioural", "situational")


def competency_weights(role: str, seniority: str, job_description: str, resume_text: str) -> dict[str, float]:
    weights: dict[str, float] = dict(_ROLE_WEIGHTS.get(role, _ROLE_WEIGHTS["general"]))
    for name, bonus in _SENIORITY_BONUS.get(seniority, {}).items():
        weights[name] = weights.get(name, 0.0) + bonus
    text = f"{job_description}\n{resume_text}".lower()
    if text.strip():
        for name, stems in _KEYWORDS.items():
            hits = sum(text.count(stem) for stem in stems)
            if hits:
                weights[name] = weights.get(name, 0.0) + min(KEYWORD_MAX_BONUS, KEYWORD_BONUS * hits)
    return {name: float(w) for name, w in weights.items() if w > 0}


def _apportion(weights: dict[str, float], seats: int) -> list[str]:
    """Competencies for `seats` middle slots, proportional to weight (D'Hondt: highest weight / (asked + 1)),
    interleaved so that no competency is asked twice in a row while another is available."""
    asked: Counter[str] = Counter()
    order: list[str] = []
    for _ in range(seats):
        best = max(weights, key=lambda c: weights[c] / (asked[c] + 1))
        if order and best == order[-1]:
            alternatives = [c for c in weights if c != best]
            if alternatives:
                best = max(alternatives, key=lambda c: weights[c] / (asked[c] + 1))
        asked[best] += 1
        order.append(best)
    return order


def _pick(candidates: list[BankQuestion], used: set[str], seed: int) -> BankQuestion | None:
    fresh = [q for q in candidates if q.id not in used]
    if not fresh:
        return None
    return fresh[seed % len(fresh)]


def _seed(interview_id: uuid.UUID, position: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{interview_id}:{position}".encode()).digest()[:4], "big")


def make_plan(
    *,
    interview_id: uuid.UUID,
    role_preset: str | None,
    seniority: str,
    language: str,
    num_questions: int,
    job_description: str = "",
    resume_text: str = "",
    bank: Bank | None = None,
) -> dict[str, Any]:
    """The plan as stored in `interviews.plan` (JSON). Deterministic for an interview id, varied across them."""
    bank = bank or load_bank()
    role = role_preset or "general"
    weights = competency_weights(role, seniority, job_description, resume_text)
    used: set[str] = set()
    slots: list[dict[str, Any]] = []

    def add(position: int, kind: str, pool: list[BankQuestion]) -> bool:
        question = _pick(pool, used, _seed(interview_id, position))
        if question is None:
            return False
        used.add(question.id)
        slots.append(
            {"position": position, "kind": question.kind, "competency": question.competency, "bank_id": question.id}
        )
        return True

    def pool(kind: str | None = None, competency: str | None = None) -> list[BankQuestion]:
        with_level = bank.select(role, language, kind=kind, competency=competency, seniority=seniority)
        found = with_level or bank.select(role, language, kind=kind, competency=competency)
        if found or any(q.role in (role, "general") and q.lang == language for q in bank.questions):
            return found
        # No questions at all for this role (nor general ones) in this language: borrow from the other roles.
        return [
            q
            for q in bank.questions
            if q.lang == language and kind in (None, q.kind) and competency in (None, q.competency)
        ]

    has_closing = num_questions >= 3
    middle = num_questions - 1 - (1 if has_closing else 0)
    add(1, "opening", pool("opening"))
    for offset, competency in enumerate(_apportion(weights, max(0, middle))):
        position = len(slots) + 1
        kind = MIDDLE_KINDS[offset % len(MIDDLE_KINDS)]
        for candidates in (pool(kind, competency), pool(None, competency), *(pool(k) for k in MIDDLE_KINDS)):
            candidates = [q for q in candidates if q.kind in MIDDLE_KINDS]
            if add(position, kind, candidates):
                break
    if has_closing:
        add(len(slots) + 1, "closing", pool("closing"))
    # A thin bank (a role or language with few questions) may leave slots unfilled: top up from anything unused.
    while len(slots) < num_questions and add(len(slots) + 1, "technical", pool()):
        pass

    # Weight = the share of this interview's questions on the competency (what it covered, for the report).
    covered = Counter(s["competency"] for s in slots)
    competencies = [
        {"id": cid, "name": bank.competencies[cid].name.get(language, cid), "weight": round(n / len(slots), 2)}
        for cid, n in sorted(covered.items(), key=lambda kv: (-kv[1], -weights.get(kv[0], 0.0)))
        if cid in bank.competencies
    ]
    return {"version": f"{PLAN_VERSION}+{bank.version}", "competencies": competencies, "slots": slots}


def slot_for(plan: dict[str, Any], position: int) -> dict[str, Any] | None:
    return next((s for s in plan.get("slots", []) if s.get("position") == position), None)


def slot(interview: Interview, position: int, bank: Bank | None = None) -> Slot:
    """The slot to ask at `position`, with its bank question. Interviews created before plans existed (or a
    plan shorter than the interview) get one made now; the caller stores `interview.plan` if it changed."""
    bank = bank or load_bank()
    found = slot_for(interview.plan or {}, position)
    if found is None:
        interview.plan = make_plan(
            interview_id=interview.id,
            role_preset=interview.role_preset,
            seniority=interview.seniority,
            language=interview.language,
            num_questions=max(interview.num_questions, position),
            job_description=interview.job_description,
            resume_text=interview.resume_text,
            bank=bank,
        )
        found = slot_for(interview.plan, position)
    if found is None:
        raise LookupError(f"the question bank has no question for position {position}")
    try:
        question = bank.get(found["bank_id"])
    except KeyError:  # a question removed from the bank since the plan was made: same competency, any question
        choices = bank.select(interview.role_preset or "general", interview.language, competency=found["competency"])
        if not choices:
            raise LookupError(f"the question bank no longer has {found['bank_id']}") from None
        question = choices[0]
    competency = bank.competencies.get(question.competency)
    return Slot(
        position=position,
        kind=QuestionKind(question.kind),
        competency=question.competency,
        competency_name=competency.name.get(interview.language, question.competency) if competency else "",
        bank_id=question.id,
        bank_text=question.text,
    )


def make_practice_plan(
    *,
    interview_id: uuid.UUID,
    role_preset: str | None,
    seniority: str,
    language: str,
    num_questions: int,
    focus: dict[str, float],
    avoid: Collection[str] = (),
    bank: Bank | None = None,
) -> dict[str, Any]:
    """A practice interview's plan (issue 20): every slot on a `focus` competency (weighted, the weakest first;
    `core.practice.focus`), preferring level-appropriate questions the candidate was not asked recently (`avoid`).
    Opening- or closing-kind questions (the bank's only `motivation` ones) go first or last; no generic warm-up."""
    bank = bank or load_bank()
    role = role_preset or "general"

    def pool(competency: str | None, *, level: bool, fresh: bool) -> list[BankQuestion]:
        found = bank.select(role, language, competency=competency, seniority=seniority if level else None)
        return [q for q in found if not fresh or q.id not in avoid]

    weights = {c: w for c, w in focus.items() if c in bank.competencies and pool(c, level=False, fresh=False)}
    if not weights:
        raise ValueError("none of the focus competencies has a question in the bank")
    used: set[str] = set()
    picked: list[BankQuestion] = []

    def take(groups: Iterable[list[BankQuestion]], n: int) -> bool:
        """Pick the first fresh question of the first group that has one (varied by interview id and `n`)."""
        for group in groups:
            question = _pick(group, used, _seed(interview_id, n))
            if question is not None:
                used.add(question.id)
                picked.append(question)
                return True
        return False

    def by_kind(candidates: list[BankQuestion], kind: str) -> Iterator[list[BankQuestion]]:
        # The slot's kind first, then the other interview-middle kinds, then openings and closings.
        yield [q for q in candidates if q.kind == kind]
        yield [q for q in candidates if q.kind in MIDDLE_KINDS]
        yield candidates

    for offset, competency in enumerate(_apportion(weights, num_questions)):
        kind = MIDDLE_KINDS[offset % len(MIDDLE_KINDS)]
        # Level-appropriate and not asked recently, then relaxing the level, then allowing a recent question.
        levels = ((True, True), (False, True), (True, False), (False, False))
        take((g for level, fresh in levels for g in by_kind(pool(competency, level=level, fresh=fresh), kind)), offset)
    # A focus competency with fewer questions than its share: top up from the other focus competencies' pools.
    for competency in sorted(weights, key=lambda c: -weights[c]):
        while len(picked) < num_questions and take([pool(competency, level=False, fresh=False)], len(picked)):
            pass
    # More questions asked than the bank has on the focus: the rest from other competencies, never a repeat.
    while len(picked) < num_questions:
        rest = pool(None, level=True, fresh=True) + pool(None, level=False, fresh=False)
        if not take(by_kind(rest, "technical"), len(picked)):
            break
    rank = {"opening": 0, "closing": 2}
    picked.sort(key=lambda q: rank.get(q.kind, 1))  # stable: the apportioned order stays inside each group
    slots = [
        {"position": n, "kind": q.kind, "competency": q.competency, "bank_id": q.id}
        for n, q in enumerate(picked, start=1)
    ]
    covered = Counter(q.competency for q in picked)
    competencies = [
        {"id": cid, "name": bank.competencies[cid].name.get(language, cid), "weight": round(n / len(slots), 2)}
        for cid, n in sorted(covered.items(), key=lambda kv: (-kv[1], -weights.get(kv[0], 0.0)))
    ]
    return {
        "version": f"{PLAN_VERSION}+{bank.version}",
        "competencies": competencies,
        "slots": slots,
        "practice": {"focus": list(weights)},
    }
