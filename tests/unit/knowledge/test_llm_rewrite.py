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
    rephrased: ClassVar[dict[str, str]] = {}  # question → its rewrite in the plan's words

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        system, human = body["messages"][0]["content"], body["messages"][-1]["content"]
        # The rephrase step gets a question back, never an answer.
        content = type(self).rephrased.get(human, human) if "检索问句" in system else REWRITTEN
        payload = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
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
    FakeOpenAI.rephrased = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def with_llm(engine: AnswerEngine, url: str) -> AnswerEngine:
    rewriter = rewriter_from(base_url=url, model="local-model", api_key="sk-test")
    return AnswerEngine(
        engine.index,
        engine.retriever,
        threshold=engine.threshold,
        rewriter=rewriter,
        judge=engine.judge,
        glossary=engine.glossary,
    )


def answer_rewrites(requests: list[dict]) -> list[dict]:
    return [r for r in requests if "检索问句" not in r["body"]["messages"][0]["content"]]


def test_the_llm_rewrites_from_the_passages_and_the_citation_stays(
    knowledge_engine: AnswerEngine, openai_url: str
) -> None:
    answer = with_llm(knowledge_engine, openai_url).answer("2025年农村污水治理率要到多少？")
    assert answer.body == REWRITTEN
    assert "三、(五)" in answer.citation and answer.answer.endswith(answer.citation)
    request = answer_rewrites(FakeOpenAI.requests)[0]
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


def test_an_uncovered_question_is_only_rephrased_never_answered_by_the_llm(
    knowledge_engine: AnswerEngine, openai_url: str
) -> None:
    answer = with_llm(knowledge_engine, openai_url).answer("明天铜仁会下雨吗？")
    assert not answer.covered
    assert len(FakeOpenAI.requests) == 1 and answer_rewrites(FakeOpenAI.requests) == []


def test_the_llm_rewrites_the_question_into_the_plans_words_before_retrieval(
    knowledge_engine: AnswerEngine, openai_url: str
) -> None:
    question = "家里烧的蜂窝煤以后会不会被限制"
    FakeOpenAI.rephrased = {question: "民用散煤会削减吗"}
    answer = with_llm(knowledge_engine, openai_url).answer(question)
    rephrase = FakeOpenAI.requests[0]["body"]["messages"]
    assert "检索问句" in rephrase[0]["content"] and rephrase[-1]["content"] == question
    assert answer.retrieval_query == f"{question} 民用散煤会削减吗"
    assert answer.covered and "民用散煤" in answer.sources[0].text


def test_a_failing_rephrase_keeps_the_citizens_own_words(
    knowledge_engine: AnswerEngine, openai_url: str
) -> None:
    FakeOpenAI.fail = True
    answer = with_llm(knowledge_engine, openai_url).answer("县城污水处理率要达到多少？")
    assert answer.retrieval_query == "县城污水处理率要达到多少？"
    assert answer.covered and "97%" in answer.body


def test_no_endpoint_means_no_llm() -> None:
    assert rewriter_from(base_url=None, model="x", api_key=None) is None
