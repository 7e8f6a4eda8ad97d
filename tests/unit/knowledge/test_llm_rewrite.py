"""The optional LLM step rewrites from the retrieved passages through an OpenAI-compatible API,
keeps the citation, and falls back to the extractive answer when the endpoint fails."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from knowledge.answer import AnswerEngine
from knowledge.llm import rewriter_from

REWRITTEN = "到2025年，铜仁农村生活污水治理率要达到25%。"


class FakeOpenAI(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions like an OpenAI-compatible server; records each request."""

    requests: ClassVar[list[dict]] = []
    fail = False

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        payload = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": REWRITTEN},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def openai_url() -> Iterator[str]:
    FakeOpenAI.requests = []
    FakeOpenAI.fail = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def with_llm(engine: AnswerEngine, url: str) -> AnswerEngine:
    rewriter = rewriter_from(base_url=url, model="local-model", api_key="sk-test")
    return AnswerEngine(
        engine.index, engine.retriever, threshold=engine.threshold, rewriter=rewriter
    )


def test_the_llm_rewrites_from_the_passages_and_the_citation_stays(
    knowledge_engine: AnswerEngine, openai_url: str
) -> None:
    answer = with_llm(knowledge_engine, openai_url).answer("2025年农村污水治理率要到多少？")
    assert answer.body == REWRITTEN
    assert "三、(五)" in answer.citation and answer.answer.endswith(answer.citation)
    request = FakeOpenAI.requests[0]
    assert request["path"] == "/v1/chat/completions"
    prompt = json.dumps(request["body"]["messages"], ensure_ascii=False)
    assert "只能使用下面提供的资料" in prompt
    assert "25%" in prompt  # the retrieved passage went to the model


def test_a_failing_llm_leaves_the_extractive_answer(
    knowledge_engine: AnswerEngine, openai_url: str
) -> None:
    FakeOpenAI.fail = True
    answer = with_llm(knowledge_engine, openai_url).answer("2025年农村污水治理率要到多少？")
    assert answer.covered
    assert "25%" in answer.body and answer.body != REWRITTEN


def test_an_uncovered_question_never_reaches_the_llm(
    knowledge_engine: AnswerEngine, openai_url: str
) -> None:
    answer = with_llm(knowledge_engine, openai_url).answer("明天铜仁会下雨吗？")
    assert not answer.covered
    assert FakeOpenAI.requests == []


def test_no_endpoint_means_no_llm() -> None:
    assert rewriter_from(base_url=None, model="x", api_key=None) is None
