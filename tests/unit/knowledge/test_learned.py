"""The small learned decisions: fitted models order and separate what they were shown, and
survive a round trip through their JSON file."""

from __future__ import annotations

import numpy as np

from knowledge import learned


def test_a_pointwise_model_separates_and_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] - 0.5 * x[:, 1] > 0).astype(float)
    model = learned.fit(("a", "b"), x, y)
    assert ((model.score(x) >= 0.5) == (y == 1)).mean() > 0.95
    learned.save({"m": model}, tmp_path / "models.json", note="test")
    again = learned.load(tmp_path / "models.json")["m"]
    assert np.allclose(again.score(x), model.score(x))


def test_a_listwise_model_puts_the_right_candidate_first() -> None:
    rng = np.random.default_rng(2)
    groups = []
    for _ in range(60):
        x = rng.normal(size=(8, 3))
        y = np.zeros(8)
        y[int(np.argmax(2 * x[:, 0] + x[:, 2]))] = 1.0
        groups.append((x, y))
    model = learned.fit_listwise(("a", "b", "c"), groups)
    assert model.listwise
    first = [int(np.argmax(model.score(x))) == int(np.argmax(y)) for x, y in groups]
    assert np.mean(first) > 0.9
    probabilities = model.score(groups[0][0])
    assert abs(probabilities.sum() - 1.0) < 1e-9
