"""“什么是中水回用？”: the plan's technical terms explained in plain words, each answer citing the
plan passage that uses the term. The entries (corpus/glossary.yaml) also feed the query bridge.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.probes import Term

ASKS_MEANING = re.compile(
    r"^(?:请问|请教一下|问一下|想问下?)?\s*(?:什么是|啥是|什么叫|啥叫|什么叫做|何为|何谓)(?P<a>.+?)[?？。!！]*$"
    r"|^(?:请问|问一下)?\s*(?P<b>.+?)(?:是什么意思|是啥意思|什么意思|啥意思|是什么|是啥|指的是什么|指什么|"
    r"是个啥|是怎么回事|怎么理解)(?:呀|啊|呢|哦)?[?？。!！]*$"
)
MAX_SUBJECT_CHARS = 14


class Glossary:
    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self._names: list[tuple[str, Term]] = sorted(
            ((name, t) for t in terms for name in (t.term, *t.everyday)),
            key=lambda pair: -len(pair[0]),
        )

    def asked(self, question: str) -> Term | None:
        """The term a Simplified question asks the meaning of, if it is a glossary term (or an
        everyday word for one) and the question is about nothing more than that."""
        match = ASKS_MEANING.match(question.strip())
        if not match:
            return None
        subject = (match.group("a") or match.group("b") or "").strip(" 的“”\"'")
        if not subject or len(subject) > MAX_SUBJECT_CHARS:
            return None
        for name, term in self._names:
            if name == subject or (
                len(name) >= 3 and name in subject and len(subject) - len(name) <= 3
            ):
                return term
        return None
