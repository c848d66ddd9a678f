"""The interview question bank: vetted ko/en questions per role, tagged by competency, kind and seniority, with the
key points a strong answer covers, and behaviourally anchored rating scales per competency.

Data lives in `data/<role>.toml` (`[[questions]]` tables) and `data/competencies.toml`; see README.md for the format.
Everything is validated when the bank loads — a bad file fails with a message naming the file and the question id —
so a planner, generator or report never meets a malformed question at interview time.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
COMPETENCIES_FILE = "competencies.toml"

COMPETENCIES = (
    "motivation",
    "technical_depth",
    "system_design",
    "problem_solving",
    "collaboration",
    "ownership",
    "learning",
    "leadership",
    "product_sense",
)
KINDS = ("opening", "technical", "behavioural", "situational", "closing")
ROLES = ("general", "backend", "frontend", "data", "pm", "devops", "ml")
SENIORITIES = ("junior", "mid", "senior", "lead")
LANGUAGES = ("ko", "en")
ANCHOR_SCORES = (1, 3, 5)
MIN_KEY_POINTS, MAX_KEY_POINTS = 3, 5
# Korean text names technical terms in Latin script ("Redis", "TTL"), so "mostly Hangul" is counted in words.
KO_MIN_HANGUL_SHARE = 0.5

_QUESTION_FIELDS = frozenset({"id", "lang", "competency", "kind", "seniority", "text", "key_points"})
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


class BankError(ValueError):
    """A data file breaks the bank's format or taxonomy. The message names the file (and the question id)."""


def hangul_share(text: str) -> float:
    """Share of the words in `text` that contain Hangul (0.0 when there are no words)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for word in words if _HANGUL.search(word)) / len(words)


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


@dataclass(frozen=True)
class BankQuestion:
    id: str
    role: str
    lang: str
    competency: str
    kind: str
    seniority: tuple[str, ...]
    text: str
    key_points: tuple[str, ...]


@dataclass(frozen=True)
class Competency:
    id: str
    name: dict[str, str]
    description: dict[str, str]
    anchors: dict[str, dict[int, str]]


@dataclass(frozen=True)
class Bank:
    questions: tuple[BankQuestion, ...]
    competencies: dict[str, Competency]
    version: str
    _by_id: dict[str, BankQuestion] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> BankQuestion:
        """The question with this id; KeyError if the bank has none."""
        return self._by_id[question_id]

    def select(
        self,
        role: str,
        lang: str,
        *,
        competency: str | None = None,
        kind: str | None = None,
        seniority: str | None = None,
    ) -> list[BankQuestion]:
        """Questions for `role` in `lang` that match every given filter: the role's own first, then the general set
        (each in file order). `seniority` keeps the questions that list that level."""
        _check_choice("role", role, ROLES)
        _check_choice("lang", lang, LANGUAGES)
        if competency is not None:
            _check_choice("competency", competency, COMPETENCIES)
        if kind is not None:
            _check_choice("kind", kind, KINDS)
        if seniority is not None:
            _check_choice("seniority", seniority, SENIORITIES)

        def keep(q: BankQuestion, from_role: str) -> bool:
            return (
                q.role == from_role
                and q.lang == lang
                and (competency is None or q.competency == competency)
                and (kind is None or q.kind == kind)
                and (seniority is None or seniority in q.seniority)
            )

        own = [q for q in self.questions if keep(q, role)]
        if role == "general":
            return own
        return own + [q for q in self.questions if keep(q, "general")]


def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")


@functools.cache
def load_bank(data_dir: Path = DATA_DIR) -> Bank:
    """Load and validate the bank from `data_dir` (the shipped data by default). Cached per directory."""
    if not data_dir.is_dir():
        raise BankError(f"{data_dir}: question bank data directory not found")
    competencies_path = data_dir / COMPETENCIES_FILE
    if not competencies_path.is_file():
        raise BankError(f"{competencies_path.name}: missing from {data_dir}")
    competencies = _load_competencies(competencies_path)

    question_files = sorted(p for p in data_dir.glob("*.toml") if p.name != COMPETENCIES_FILE)
    questions: list[BankQuestion] = []
    seen: dict[str, str] = {}
    for path in question_files:
        for question in _load_questions(path):
            if question.id in seen:
                raise BankError(f"{path.name}: question {question.id}: duplicate id (also in {seen[question.id]})")
            seen[question.id] = path.name
            questions.append(question)

    digest = hashlib.sha256()
    for path in [competencies_path, *question_files]:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return Bank(questions=tuple(questions), competencies=competencies, version=digest.hexdigest()[:12])


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{path.name}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise BankError(f"{path.name}: not UTF-8: {exc}") from exc


def _check_language(where: str, lang: str, text: str, *, min_share: float = KO_MIN_HANGUL_SHARE) -> None:
    if lang == "ko":
        if hangul_share(text) < min_share:
            raise BankError(f"{where}: Korean text is not mostly Hangul: {text!r}")
    elif has_hangul(text):
        raise BankError(f"{where}: English text contains Hangul: {text!r}")


def _nonempty_str(where: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BankError(f"{where}: must be a non-empty string")
    return value.strip()


def _load_questions(path: Path) -> list[BankQuestion]:
    role = path.stem
    if role not in ROLES:
        raise BankError(f"{path.name}: unknown role {role!r} (file names are roles: {', '.join(ROLES)})")
    raw = _read_toml(path)
    extra = set(raw) - {"questions"}
    if extra:
        raise BankError(f"{path.name}: unexpected top-level keys {sorted(extra)}; only [[questions]] tables")
    items = raw.get("questions", [])
    if not isinstance(items, list):
        raise BankError(f"{path.name}: `questions` must be an array of tables ([[questions]])")
    return [_parse_question(path.name, role, n, item) for n, item in enumerate(items, start=1)]


def _parse_question(file: str, role: str, n: int, item: object) -> BankQuestion:
    if not isinstance(item, Mapping):
        raise BankError(f"{file}: question #{n}: must be a table")
    qid = item.get("id")
    if not isinstance(qid, str) or not qid:
        raise BankError(f"{file}: question #{n}: missing id")
    where = f"{file}: question {qid}"
    missing = _QUESTION_FIELDS - set(item)
    if missing:
        raise BankError(f"{where}: missing {', '.join(sorted(missing))}")
    unknown = set(item) - _QUESTION_FIELDS
    if unknown:
        raise BankError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")

    lang, competency, kind = item["lang"], item["competency"], item["kind"]
    for name, value, allowed in (
        ("lang", lang, LANGUAGES),
        ("competency", competency, COMPETENCIES),
        ("kind", kind, KINDS),
    ):
        if value not in allowed:
            raise BankError(f"{where}: unknown {name} {value!r}; expected one of {', '.join(allowed)}")
    if not re.fullmatch(rf"{re.escape(role)}-{lang}-\d{{3}}", qid):
        raise BankError(f"{where}: id must be {role}-{lang}-NNN (role from the file name, then the language)")

    seniority = item["seniority"]
    if not isinstance(seniority, list) or not seniority:
        raise BankError(f"{where}: seniority must be a non-empty list")
    for level in seniority:
        if level not in SENIORITIES:
            raise BankError(f"{where}: unknown seniority {level!r}; expected one of {', '.join(SENIORITIES)}")
    if len(set(seniority)) != len(seniority):
        raise BankError(f"{where}: seniority lists a level twice")

    text = _nonempty_str(f"{where}: text", item["text"])
    _check_language(f"{where}: text", lang, text)

    points = item["key_points"]
    if not isinstance(points, list) or not MIN_KEY_POINTS <= len(points) <= MAX_KEY_POINTS:
        raise BankError(f"{where}: key_points must list {MIN_KEY_POINTS}–{MAX_KEY_POINTS} points")
    key_points = tuple(_nonempty_str(f"{where}: key point", p) for p in points)
    for point in key_points:
        # A single Korean key point may be mostly terms ("REST vs gRPC 선택 기준"); it must still be Korean.
        _check_language(f"{where}: key point", lang, point, min_share=0.01)
    _check_language(f"{where}: key_points", lang, " ".join(key_points))

    return BankQuestion(
        id=qid,
        role=role,
        lang=lang,
        competency=competency,
        kind=kind,
        seniority=tuple(sorted(seniority, key=SENIORITIES.index)),
        text=text,
        key_points=key_points,
    )


def _lang_table(where: str, value: object) -> dict[str, object]:
    if not isinstance(value, Mapping) or set(value) != set(LANGUAGES):
        raise BankError(f"{where}: needs exactly the languages {', '.join(LANGUAGES)}")
    return dict(value)


def _load_competencies(path: Path) -> dict[str, Competency]:
    raw = _read_toml(path)
    unknown = set(raw) - set(COMPETENCIES)
    if unknown:
        raise BankError(f"{path.name}: unknown competenc(ies) {', '.join(sorted(unknown))}")
    missing = [c for c in COMPETENCIES if c not in raw]
    if missing:
        raise BankError(f"{path.name}: missing competenc(ies) {', '.join(missing)}")
    out: dict[str, Competency] = {}
    for cid in COMPETENCIES:
        where = f"{path.name}: competency {cid}"
        entry = raw[cid]
        if not isinstance(entry, Mapping) or set(entry) != {"name", "description", "anchors"}:
            raise BankError(f"{where}: needs exactly name, description and anchors")
        texts: dict[str, dict[str, str]] = {}
        for part in ("name", "description"):
            table = _lang_table(f"{where}: {part}", entry[part])
            texts[part] = {}
            for lang in LANGUAGES:
                value = _nonempty_str(f"{where}: {part}.{lang}", table[lang])
                _check_language(f"{where}: {part}.{lang}", lang, value)
                texts[part][lang] = value
        anchors: dict[str, dict[int, str]] = {}
        for lang, scale in _lang_table(f"{where}: anchors", entry["anchors"]).items():
            if not isinstance(scale, Mapping) or set(scale) != {str(s) for s in ANCHOR_SCORES}:
                scores = ", ".join(map(str, ANCHOR_SCORES))
                raise BankError(f"{where}: anchors.{lang} needs exactly the scores {scores}")
            anchors[lang] = {}
            for score in ANCHOR_SCORES:
                value = _nonempty_str(f"{where}: anchors.{lang}.{score}", scale[str(score)])
                _check_language(f"{where}: anchors.{lang}.{score}", lang, value)
                anchors[lang][score] = value
        out[cid] = Competency(
            id=cid, name=texts["name"], description=texts["description"], anchors=dict(sorted(anchors.items()))
        )
    return out


__all__ = [
    "ANCHOR_SCORES",
    "COMPETENCIES",
    "DATA_DIR",
    "KINDS",
    "LANGUAGES",
    "ROLES",
    "SENIORITIES",
    "Bank",
    "BankError",
    "BankQuestion",
    "Competency",
    "hangul_share",
    "has_hangul",
    "load_bank",
]
