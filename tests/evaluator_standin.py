"""A stand-in for a production-quality evaluator: a local HTTP server speaking the OpenAI chat-completions protocol
(as llama-server does) that answers every rubric or report request with a sensible, schema-valid reply in the
requested language.

Why: the evaluator's content checks (worker/evaluation/content.py) reject what the models this machine can run
write — SmolLM2-135M echoes the rubric and copies the answer, the tiny test model writes random text — exactly as
they must. Tests of what happens to a *good* reply (storage, idempotency, revisions, the report's aggregates) need a
model this machine cannot run; this server stands in for it. Tests of the real models' replies keep using them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

MODEL = "evaluator-standin"

EVALUATION = {
    "en": {
        "relevance": 4,
        "depth": 3,
        "structure": 4,
        "clarity": 4,
        "evidence": 3,
        "overall_score": 4,
        "strengths": ["You traced the incident to its cause before changing anything."],
        "improvements": ["Say how you confirmed the fix held, with a number from the dashboards."],
        "model_answer": "I would first limit the blast radius, then find the cause in the metrics and traces, roll "
        "back the change that caused it, and add an alert so the same failure pages us earlier next time.",
    },
    "ko": {
        "relevance": 4,
        "depth": 3,
        "structure": 4,
        "clarity": 4,
        "evidence": 3,
        "overall_score": 4,
        "strengths": ["원인을 확인한 뒤에 조치해서 판단 근거가 분명했습니다."],
        "improvements": ["조치가 효과가 있었는지 대시보드의 수치로 확인한 과정을 덧붙이면 좋겠습니다."],
        "model_answer": "먼저 영향 범위를 줄이고, 메트릭과 트레이싱으로 원인을 찾은 뒤 문제가 된 변경을 "
        "롤백하겠습니다. 같은 장애를 더 빨리 알 수 있도록 알림도 추가하겠습니다.",
    },
}
REPORT = {
    "en": {
        "summary": "You answered with concrete incidents and clear steps. Your answers were strongest when you named "
        "the cause and the fix, and weaker where results had no numbers.",
        "strengths": ["Concrete examples from your own work.", "A clear order of steps in each answer."],
        "practice": ["Quantify the outcome of each example.", "Close each answer with what you learned."],
    },
    "ko": {
        "summary": "실제 경험을 바탕으로 구체적인 단계를 설명했습니다. 원인과 해결책을 말할 때 가장 좋았고, 결과를 "
        "수치로 말하지 않은 부분은 아쉬웠습니다.",
        "strengths": ["직접 겪은 구체적인 사례를 들었습니다.", "답변마다 단계의 순서가 분명했습니다."],
        "practice": ["사례마다 결과를 수치로 말해 보세요.", "답변 끝에 배운 점을 정리해 보세요."],
    },
}


class ChatServerHandler(BaseHTTPRequestHandler):
    """A local server speaking the OpenAI chat-completions protocol as llama-server does: /health, /v1/models, and
    POST /v1/chat/completions answered with `reply(request)`, streamed as server-sent events when the request asks
    (the evaluation worker streams) or as one JSON object. Subclasses set MODEL and implement `reply`."""

    calls = 0
    MODEL = "chat-server"
    CHUNK_DELAY_S = 0.0  # pause before each streamed piece, like a model generating it (bench/evaluation.py)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def reply(self, request: dict[str, Any]) -> str:
        raise NotImplementedError

    def _send(self, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/health"):
            self._send({"status": "ok"})
        elif self.path.rstrip("/").endswith("/models"):
            self._send({"object": "list", "data": [{"id": self.MODEL, "object": "model"}]})
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        type(self).calls += 1
        content = self.reply(request)
        base = {"id": f"chatcmpl-{self.MODEL}-{type(self).calls}", "created": int(time.time()), "model": self.MODEL}
        usage = {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}
        if not request.get("stream"):
            message = {"role": "assistant", "content": content}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            self._send({**base, "object": "chat.completion", "choices": [choice], "usage": usage})
            return
        # The reply in a few pieces, then the finish reason and the usage, as llama-server streams them.
        step = max(1, len(content) // 4)
        chunks = [
            {
                **base,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
            for delta in [{"role": "assistant", "content": ""}]
            + [{"content": content[i : i + step]} for i in range(0, len(content), step)]
        ]
        chunks.append(
            {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        )
        chunks.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        pieces = [f"data: {json.dumps(c, ensure_ascii=False)}\n\n".encode() for c in chunks] + [b"data: [DONE]\n\n"]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(sum(map(len, pieces))))
        self.end_headers()
        for piece in pieces:
            if self.CHUNK_DELAY_S:
                time.sleep(self.CHUNK_DELAY_S)
            self.wfile.write(piece)
            self.wfile.flush()


class EvaluatorHandler(ChatServerHandler):
    MODEL = MODEL

    def reply(self, request: dict[str, Any]) -> str:
        text = json.dumps(request.get("messages", []), ensure_ascii=False)
        lang = "ko" if "Korean" in text else "en"
        name = ((request.get("response_format") or {}).get("json_schema") or {}).get("name")
        return json.dumps(REPORT[lang] if name == "report" else EVALUATION[lang], ensure_ascii=False)


H = TypeVar("H", bound=ChatServerHandler)


@contextmanager
def serve(handler_class: type[H]) -> Iterator[tuple[str, type[H]]]:
    """(base URL, a fresh subclass with its own `calls` count) of `handler_class` served on 127.0.0.1."""
    handler = type(handler_class.__name__, (handler_class,), {"calls": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def evaluator_standin() -> Iterator[tuple[str, type[ChatServerHandler]]]:
    """(base URL, handler class with its `calls` count) of a stand-in evaluator on 127.0.0.1."""
    with serve(EvaluatorHandler) as served:
        yield served
