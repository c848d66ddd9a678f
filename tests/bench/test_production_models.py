"""The shape-faithful production stand-ins (bench/production/models.py): the full-size tensor tables equal the
published files' (computed, no 5–11 GB file written here), and a tiny-scaled variant with the same vocabulary, names
and type rules is written, read back by `gguf` with exactly the planned tensors, and served by a real llama-server
that reports its size and answers a schema-constrained request with valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import gguf
import httpx
import pytest

from bench.production import models
from core.llm.attempts import response_format
from core.settings import Settings
from launcher.llama import LlamaServer, free_port
from worker.evaluation.schemas import EvaluationOutput


@pytest.mark.parametrize("key", sorted(models.SPECS))
def test_full_size_plan_matches_the_published_file(key: str) -> None:
    assert models.plan_summary(models.tensor_plan(models.SPECS[key])) == models.PUBLISHED[key]


def test_q4_k_m_more_bits_layers_follow_llama_quant() -> None:
    plan = {t.name: t.qtype for t in models.tensor_plan(models.SPECS["llama-3.1-8b"])}
    six = sorted(int(n.split(".")[1]) for n, q in plan.items() if n.endswith("attn_v.weight") and q == "Q6_K")
    assert six == [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]
    assert plan["output.weight"] == "Q6_K" and plan["token_embd.weight"] == "Q4_K"


@pytest.fixture(scope="module", params=sorted(models.SPECS))
def scaled_model(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[models.ModelSpec, Path]:
    spec = models.scaled(models.SPECS[request.param], n_layer=8, n_embd=256, n_ff=512, n_head=2, n_head_kv=1)
    path = tmp_path_factory.mktemp("production-shape") / spec.file_name
    models.write_model(spec, path)
    return spec, path


def test_scaled_file_has_the_planned_tensors(scaled_model: tuple[models.ModelSpec, Path]) -> None:
    spec, path = scaled_model
    reader = gguf.GGUFReader(path)
    got = [(t.name, t.tensor_type.name, tuple(int(x) for x in t.shape)) for t in reader.tensors]
    assert got == [(t.name, t.qtype, t.shape) for t in models.tensor_plan(spec)]
    tokens = reader.get_field("tokenizer.ggml.tokens")
    assert tokens is not None and len(tokens.data) == spec.n_vocab
    block_count = reader.get_field("llama.block_count")
    assert block_count is not None and block_count.contents() == spec.n_layer


def test_llama_server_serves_the_scaled_file(scaled_model: tuple[models.ModelSpec, Path], services: object) -> None:
    spec, path = scaled_model
    server = LlamaServer.for_role(
        "evaluator",
        Settings(),
        free_port(),
        overrides={
            "LLAMA_ARG_MODEL": str(path),
            "LLAMA_ARG_ALIAS": spec.key,
            "LLAMA_ARG_CHAT_TEMPLATE_FILE": str(models.TEMPLATES / spec.template),
            "LLAMA_ARG_CTX_SIZE": "2048",
            "LLAMA_ARG_N_PARALLEL": "1",
            "LLAMA_ARG_THREADS": "1",
        },
        build=False,
    )
    server.start()
    try:
        server.wait_healthy(timeout_s=60)
        meta = httpx.get(f"{server.base_url}/v1/models").json()["data"][0]["meta"]
        plan = models.tensor_plan(spec)
        assert meta["n_params"] == models.plan_summary(plan)["n_params"]
        assert meta["size"] == sum(models.tensor_nbytes(t) for t in plan)
        assert meta["n_vocab"] == spec.n_vocab
        # Korean counts as the real tokenizer counts it (Llama 3 BPE: a few tokens; SentencePiece: many more).
        tokens = httpx.post(f"{server.base_url}/tokenize", json={"content": "안녕하세요"}).json()["tokens"]
        assert 1 <= len(tokens) <= 12
        reply = httpx.post(
            f"{server.base_url}/v1/chat/completions",
            json={
                "messages": [{"role": "user", "content": "답변을 평가해 주세요. Score this answer."}],
                "response_format": response_format(EvaluationOutput, "evaluation"),
                "max_tokens": 120,
            },
            timeout=120,
        )
        assert reply.status_code == 200, reply.text  # valid UTF-8 despite random weights (the output guard)
        content = reply.json()["choices"][0]["message"]["content"]
        assert content.lstrip().startswith("{")
        json.dumps(content)
    finally:
        server.stop()
