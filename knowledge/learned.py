"""Small learned decisions: L2-regularised logistic regression over named features, in numpy.

Used where a hand-set number used to decide (how candidates are ranked, whether the evidence
covers a question). Models are fitted by `greenbot eval --train` on the dev questions, checked
by k-fold cross-validation there, and shipped as JSON beside the code, so an instance loads them
without training and a reviewer can read every weight.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class LogisticModel:
    features: tuple[str, ...]
    weights: np.ndarray  # one per feature, on standardised inputs
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    cut: float = 0.5  # the probability at and above which the answer is "yes"
    listwise: bool = False  # scores compete within one question's candidates (softmax)

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return ((np.atleast_2d(rows) - self.mean) / self.scale) @ self.weights + self.bias

    def score(self, rows: np.ndarray) -> np.ndarray:
        """Probabilities for rows of raw feature values (in `features` order): independent
        for a pointwise model, a distribution over the rows for a listwise one."""
        z = self.logits(rows)
        if self.listwise:
            e = np.exp(z - z.max())
            return e / e.sum()
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def row(self, values: dict[str, float]) -> np.ndarray:
        return np.array([values.get(name, 0.0) for name in self.features], dtype=np.float64)

    def to_dict(self) -> dict[str, object]:
        return {
            "features": {
                name: {"weight": float(w), "mean": float(m), "scale": float(s)}
                for name, w, m, s in zip(
                    self.features, self.weights, self.mean, self.scale, strict=True
                )
            },
            "bias": self.bias,
            "cut": self.cut,
            "listwise": self.listwise,
        }

    @classmethod
    def from_dict(cls, data: dict) -> LogisticModel:  # type: ignore[type-arg]
        names = tuple(data["features"])
        column = lambda key: np.array([data["features"][n][key] for n in names])  # noqa: E731
        return cls(
            features=names,
            weights=column("weight"),
            bias=float(data["bias"]),
            mean=column("mean"),
            scale=column("scale"),
            cut=float(data.get("cut", 0.5)),
            listwise=bool(data.get("listwise", False)),
        )


def fit(
    features: Sequence[str],
    rows: np.ndarray,
    labels: np.ndarray,
    *,
    l2: float = 1.0,
    weights: np.ndarray | None = None,
    iterations: int = 50,
) -> LogisticModel:
    """Newton's method on the penalised log-likelihood (a few dozen features converge in a
    handful of steps). `weights` per row lets rare positives count as much as common ones."""
    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    sample = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        gradient = z.T @ (sample * (p - y)) + penalty * beta
        hessian = (z * (sample * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return LogisticModel(tuple(features), beta[:-1], float(beta[-1]), mean, scale)


def fit_listwise(
    features: Sequence[str],
    groups: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    l2: float = 1.0,
    iterations: int = 50,
) -> LogisticModel:
    """Conditional logit: for each group (one question's candidates, and which of them hold
    the answer), maximise the softmax probability of the right ones. It learns to order
    candidates, which is what retrieval needs, rather than to score each in isolation."""
    stacked = np.vstack([x for x, _ in groups]).astype(np.float64)
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    prepared = [((x - mean) / scale, y / y.sum()) for x, y in groups if y.sum() > 0]

    def loss(beta: np.ndarray) -> float:
        total = 0.5 * l2 * float(beta @ beta)
        for x, target in prepared:
            z = x @ beta
            top = z.max()
            total += top + np.log(np.exp(z - top).sum()) - float(target @ z)
        return total

    beta = np.zeros(len(features))
    current = loss(beta)
    for _ in range(iterations):
        gradient = l2 * beta
        hessian = np.diag(np.full(len(features), l2 + 1e-9))
        for x, target in prepared:
            z = x @ beta
            p = np.exp(z - z.max())
            p /= p.sum()
            mu = p @ x
            gradient -= target @ x - mu
            hessian += (x * p[:, None]).T @ x - np.outer(mu, mu)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-4:  # damped: halve the Newton step until the loss goes down
            trial = beta - size * step
            value = loss(trial)
            if value <= current:
                break
            size /= 2
        else:
            break
        beta, improvement, current = trial, current - value, value
        if improvement < 1e-9:
            break
    return LogisticModel(tuple(features), beta, 0.0, mean, scale, listwise=True)


def save(models: dict[str, LogisticModel], path: Path, *, note: str = "") -> None:
    data = {"note": note, **{name: model.to_dict() for name, model in models.items()}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")


def load(path: Path) -> dict[str, LogisticModel]:
    data = json.loads(path.read_text("utf-8"))
    return {
        name: LogisticModel.from_dict(value)
        for name, value in data.items()
        if isinstance(value, dict) and "features" in value
    }
