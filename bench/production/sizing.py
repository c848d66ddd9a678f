"""Reply length of an evaluation, two checkouts side by side (issue 19, "fewer tokens").

    python -m bench.production.sizing --before CHECKOUT [--samples 4] [--merge docs/benchmarks/production.json]

Each checkout builds its own evaluation requests (its prompt, schema and response_format, through its own
`bench.production` code, in a subprocess with that checkout on PYTHONPATH) for the same answers (the production
bench's own, whole and shortened, and graded English answers of every quality from bench/quality's set); one local
SmolLM2 server answers both, requests alternating, so machine noise hits both alike. Output tokens per evaluation
are SmolLM2's own `completion_tokens` and the replies re-tokenized with each production tokenizer (the tiny-scaled
shape-faithful models: same vocabulary, so the production counts); Korean is the English count times that
tokenizer's ko/en ratio on the question bank's parallel anchors, as in the `lengths` phase (SmolLM2 cannot write
Korean). `--merge` stores the results as `output_tokens_before` / `output_tokens` of a production run's JSON, which
`python -m bench.production --only '' --merge FILE` renders into docs/benchmarks/production.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.production import models
from bench.production.__main__ import ROLE_MODEL, ROOT, server, smollm2_evaluator, tokenize, variant

# Runs inside a checkout: its requests for the given (question, answer) pairs, and its schema's bounds.
_REQUESTS = """
import json, sys
from bench.production.__main__ import evaluation_messages
from core.llm.attempts import response_format
from worker.evaluation.schemas import EvaluationOutput
pairs = json.load(sys.stdin)
schema = EvaluationOutput.model_json_schema()
props = schema["properties"]
def bound(name, key):
    p = props[name]
    return p.get(key) or p.get("items", {}).get(key)
sizing = {
    "points": bound("strengths", "maxItems"),
    "point_chars": bound("strengths", "maxLength") or schema.get("$defs", {}).get("Point", {}).get("maxLength"),
    "model_answer_chars": props["model_answer"].get("maxLength"),
}
out = [
    {"messages": evaluation_messages("en", a, q), "response_format": response_format(EvaluationOutput, "evaluation")}
    for q, a in pairs
]
print(json.dumps({"sizing": sizing, "requests": out}, ensure_ascii=False))
"""


def requests_of(checkout: Path, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", _REQUESTS],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        cwd=checkout,
        env=env,
        check=True,
    )
    return dict(json.loads(done.stdout))


def _tokenizer_model(key: str) -> Path:
    spec = models.scaled(models.SPECS[key], n_layer=1, n_embd=256, n_ff=256, n_head=2, n_head_kv=1)
    path = Path(tempfile.gettempdir()) / f"rehearsal-tokenizer-{key}.gguf"
    if not path.is_file():
        models.write_model(spec, path)
    return path


def measure(before: Path, samples: int, graded_items: int) -> dict[str, Any]:
    from bench.quality.dataset import load_dataset
    from core.question_bank import load_bank
    from core.settings import Settings

    pairs = []
    for i in range(samples):
        question, answer = variant("en", i)
        pairs.append((question, answer if i % 2 == 0 else answer[:300]))  # whole and shortened answers
    # Graded answers of every quality (English; adversarial ones left out): real answers, not only the bench's own.
    graded = [x for x in load_dataset() if x.lang == "en" and x.category != "adversarial"]
    step = max(1, len(graded) // max(1, graded_items))
    pairs += [(x.question, x.answer) for x in graded[::step][:graded_items]]
    builds = {"before": requests_of(before, pairs), "now": requests_of(ROOT, pairs)}
    replies: dict[str, list[dict[str, Any]]] = {"before": [], "now": []}
    with smollm2_evaluator(Settings()) as srv:
        for i in range(len(pairs)):
            for label in ("before", "now") if i % 2 == 0 else ("now", "before"):
                body = {**builds[label]["requests"][i], "max_tokens": 1200, "seed": i, "temperature": 0.1}
                r = httpx.post(f"{srv.base_url}/v1/chat/completions", json=body, timeout=900)
                r.raise_for_status()
                reply = r.json()
                replies[label].append(
                    {
                        "text": reply["choices"][0]["message"]["content"],
                        "completion_tokens": reply["usage"]["completion_tokens"],
                        "finish_reason": reply["choices"][0]["finish_reason"],
                    }
                )
                print(json.dumps({label: i, "tokens": reply["usage"]["completion_tokens"]}), flush=True)
    anchors = load_bank().competencies
    ko = " ".join(a for c in anchors.values() for a in c.anchors.get("ko", {}).values())
    en = " ".join(a for c in anchors.values() for a in c.anchors.get("en", {}).values())
    out: dict[str, Any] = {
        label: {
            "sizing": builds[label]["sizing"],
            "samples_en": [r["text"] for r in replies[label]],
            "smollm2": {"en": round(statistics.mean(r["completion_tokens"] for r in replies[label]))},
        }
        for label in replies
    }
    for role, key in ROLE_MODEL.items():
        with server(role, _tokenizer_model(key), threads=1, parallel=1, ctx_per_slot=4096) as srv:
            ratio = len(tokenize(srv.base_url, ko)) / len(tokenize(srv.base_url, en))
            for label in replies:
                n = statistics.mean(len(tokenize(srv.base_url, r["text"])) for r in replies[label])
                out[label][key] = {"en": round(n), "ko": round(n * ratio), "ko_en_ratio": round(ratio, 2)}
    return out


def bound_reply(lang: str, sizing: dict[str, Any]) -> str:
    """The longest reply a sizing allows, written in real text of `lang` (the question bank's competency anchors):
    every list at its item bound, every text field at its character bound."""
    from core.question_bank import load_bank

    text = " ".join(a for c in load_bank().competencies.values() for a in c.anchors.get(lang, {}).values())
    points, chars, answer = int(sizing["points"]), int(sizing["point_chars"]), int(sizing["model_answer_chars"])
    reply: dict[str, Any] = {k: 4 for k in ("relevance", "depth", "structure", "clarity", "evidence", "overall_score")}
    reply["strengths"] = [text[i * chars : (i + 1) * chars] for i in range(points)]
    reply["improvements"] = [text[(i + 5) * chars : (i + 6) * chars] for i in range(points)]
    reply["model_answer"] = text[2000 : 2000 + answer]
    return json.dumps(reply, ensure_ascii=False)


def bounds(result: dict[str, Any]) -> None:
    """Tokens of the longest reply each side's sizing allows, per production tokenizer and language, into
    `result[label][key]["bound_ko" / "bound_en"]`: what a reply can cost at most, and what max_tokens must cover."""
    for role, key in ROLE_MODEL.items():
        with server(role, _tokenizer_model(key), threads=1, parallel=1, ctx_per_slot=4096) as srv:
            for side in result.values():
                for lang in ("ko", "en"):
                    n = len(tokenize(srv.base_url, bound_reply(lang, side["sizing"])))
                    side.setdefault(key, {})[f"bound_{lang}"] = n


def _describe(sizing: dict[str, Any]) -> str:
    return (
        f"≤ {sizing['points']} strengths and ≤ {sizing['points']} improvements of ≤ {sizing['point_chars']} "
        f"characters, model answer ≤ {sizing['model_answer_chars']} characters"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, type=Path, help="the other checkout (e.g. a `git archive` of main)")
    parser.add_argument("--samples", type=int, default=4, help="the production bench's own answers")
    parser.add_argument("--graded", type=int, default=4, help="plus this many graded English answers (bench/quality)")
    parser.add_argument("--merge", type=Path, help="a production run's JSON to store the lengths in")
    parser.add_argument("--bounds-only", action="store_true", help="only add the bounds to --merge FILE's replies")
    args = parser.parse_args()
    if args.bounds_only:  # the replies of an earlier run (--merge FILE), bounds added
        data = json.loads(args.merge.read_text())
        result = {"before": data["output_tokens_before"], "now": data["output_tokens"]}
        for side in result.values():
            side["sizing"] = side.get("bounds_sizing") or side["sizing"]
    else:
        result = measure(args.before.resolve(), args.samples, args.graded)
    bounds(result)
    summary = {label: {k: v for k, v in x.items() if k != "samples_en"} for label, x in result.items()}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.merge:
        data = json.loads(args.merge.read_text()) if args.merge.is_file() else {}
        for label, key in (("before", "output_tokens_before"), ("now", "output_tokens")):
            side = result[label]
            data[key] = {**side, "bounds_sizing": side["sizing"], "sizing": _describe(side["sizing"])}
        args.merge.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if not args.bounds_only:
        print(f"{args.samples} bench answers + {args.graded} graded answers, each side", flush=True)


if __name__ == "__main__":
    main()
