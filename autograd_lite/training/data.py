"""Toy data sets and the data plumbing of training: splits, standardisation, one-hot, batches.

Pure Python and deterministic: every generator takes ``seed=`` and draws only from its own
``random.Random(seed)``, so the same seed gives the same points on every machine. Data sets are
returned as ``(X, y)`` with ``X`` a list of feature rows (``list[list[float]]``) and ``y`` a list of
integer class labels ``0 .. k-1``.

    >>> X, y = xor()
    >>> X, y
    ([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0, 1, 1, 0])
    >>> X, y = moons(10, seed=0)
    >>> len(X), sorted(set(y)), y.count(0)
    (10, [0, 1], 5)

The tricks of the trade (lecture item 14, docs/lectures.md): split about 80/10/10 into train, validation
and test (`train_val_test_split`); normalise inputs to zero mean and unit variance with the
*training set's* statistics (`Standardizer`); encode categories one-hot (`one_hot`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence

from ..engine.checks import integer, number, positive_int

__all__ = [
    "Dataset",
    "DATASETS",
    "xor",
    "moons",
    "circles",
    "spirals",
    "blobs",
    "make_dataset",
    "train_val_test_split",
    "Standardizer",
    "one_hot",
    "batches",
    "num_classes",
]

Dataset = tuple[list[list[float]], list[int]]


def _shuffled(X: list[list[float]], y: list[int], rng: random.Random) -> Dataset:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def _linspace(start: float, stop: float, n: int, endpoint: bool = True) -> list[float]:
    """n evenly spaced numbers from start to stop (stop included when `endpoint`)."""
    if n == 1:
        return [float(start)]
    step = (stop - start) / (n - 1 if endpoint else n)
    return [start + i * step for i in range(n)]


def xor() -> Dataset:
    """The XOR points (0,0), (1,0), (0,1), (1,1) with labels 0, 1, 1, 0 (lecture item 1, docs/lectures.md).

    No line separates the 1s from the 0s, so no single perceptron sign(wᵀx + b) can fit them.
    """
    return [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0, 1, 1, 0]


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles (like scikit-learn's ``make_moons``), shuffled.

    Class 0: (cos t, sin t) for t in [0, π]; class 1: (1 − cos t, ½ − sin t); each point gets
    Gaussian noise of standard deviation `noise` on both coordinates. Class 0 gets n // 2 points,
    class 1 the rest.
    """
    positive_int("moons", "n", n)
    noise = number("moons", "noise", noise, low=0.0)
    rng = random.Random(seed)
    n0 = n // 2
    X: list[list[float]] = []
    y: list[int] = []
    for t in _linspace(0.0, math.pi, n0):
        X.append([math.cos(t), math.sin(t)])
        y.append(0)
    for t in _linspace(0.0, math.pi, n - n0):
        X.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        y.append(1)
    X = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in X]
    return _shuffled(X, y, rng)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A circle of radius `factor` (class 1) inside a circle of radius 1 (class 0), shuffled.

    Like scikit-learn's ``make_circles``: points evenly spaced in angle, Gaussian noise of
    standard deviation `noise` on both coordinates; 0 < factor < 1.
    """
    positive_int("circles", "n", n)
    noise = number("circles", "noise", noise, low=0.0)
    number("circles", "factor", factor, low=0.0, high=1.0, low_open=True, high_open=True)
    rng = random.Random(seed)
    n0 = n // 2
    X: list[list[float]] = []
    y: list[int] = []
    for label, count, radius in ((0, n0, 1.0), (1, n - n0, float(factor))):
        for t in _linspace(0.0, 2.0 * math.pi, count, endpoint=False):
            X.append(
                [radius * math.cos(t) + rng.gauss(0.0, noise), radius * math.sin(t) + rng.gauss(0.0, noise)]
            )
            y.append(label)
    return _shuffled(X, y, rng)


def spirals(n_per_class: int = 50, classes: int = 3, noise: float = 0.2, seed: int = 0) -> Dataset:
    """`classes` interleaved spiral arms with `n_per_class` points each, shuffled.

    Arm k: radius r = i / (n − 1) grows from 0 to 1 while the angle turns through 4 radians,
    θ = 4k + 4r + noise·N(0, 1); the point is (r sin θ, r cos θ) (the classic CS231n spiral).
    """
    positive_int("spirals", "n_per_class", n_per_class)
    positive_int("spirals", "classes", classes)
    noise = number("spirals", "noise", noise, low=0.0)
    rng = random.Random(seed)
    X: list[list[float]] = []
    y: list[int] = []
    for k in range(classes):
        for r in _linspace(0.0, 1.0, n_per_class):
            theta = 4.0 * k + 4.0 * r + rng.gauss(0.0, noise)
            X.append([r * math.sin(theta), r * math.cos(theta)])
            y.append(k)
    return _shuffled(X, y, rng)


def blobs(
    n: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    std: float = 1.0,
    seed: int = 0,
    box: tuple[float, float] = (-10.0, 10.0),
) -> Dataset:
    """Gaussian blobs: `n` points split as evenly as possible between the centres, shuffled.

    `centers` is a list of centre points, or a number of 2-D centres drawn uniformly from `box`.
    Each point is its centre plus Gaussian noise of standard deviation `std` per coordinate;
    its label is the index of its centre.
    """
    positive_int("blobs", "n", n)
    std = number("blobs", "std", std, low=0.0)
    rng = random.Random(seed)
    if isinstance(centers, int):  # a count (bools are rejected by positive_int)
        positive_int("blobs", "centers", centers)
        lo, hi = box
        points = [[rng.uniform(lo, hi), rng.uniform(lo, hi)] for _ in range(centers)]
    else:
        points = [[float(c) for c in centre] for centre in centers]
        if not points or len({len(p) for p in points}) != 1:
            raise ValueError(
                f"blobs: centers must be a non-empty list of equally long points, got {centers!r}"
            )
    X: list[list[float]] = []
    y: list[int] = []
    for i in range(n):
        k = i % len(points)
        X.append([c + rng.gauss(0.0, std) for c in points[k]])
        y.append(k)
    return _shuffled(X, y, rng)


DATASETS = ("moons", "circles", "spirals", "blobs", "xor")


def make_dataset(name: str, n: int = 200, noise: float | None = None, seed: int = 0) -> Dataset:
    """One of `DATASETS` by name with about `n` points (what the command line uses).

    `noise` None picks each generator's default (blobs: std 1.0 around 3 centres).
    """
    if name == "xor":
        return xor()
    if name == "moons":
        return moons(n, 0.1 if noise is None else noise, seed=seed)
    if name == "circles":
        return circles(n, 0.05 if noise is None else noise, seed=seed)
    if name == "spirals":
        return spirals(max(1, n // 3), 3, 0.2 if noise is None else noise, seed=seed)
    if name == "blobs":
        return blobs(n, 3, 1.0 if noise is None else noise, seed=seed)
    raise ValueError(f"make_dataset: unknown data set {name!r}; choose one of {', '.join(DATASETS)}")


def num_classes(y: Sequence[int]) -> int:
    """The number of classes k for labels 0 .. k-1 (max label + 1)."""
    if not y:
        raise ValueError("num_classes: no labels")
    return max(y) + 1


def _check_pair(name: str, X: Sequence[object], y: Sequence[object]) -> None:
    if len(X) != len(y):
        raise ValueError(f"{name}: X has {len(X)} rows but y has {len(y)} labels")


def train_val_test_split(
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    seed: int = 0,
) -> tuple[Dataset, Dataset, Dataset]:
    """Shuffle, then cut into ``(train, val, test)`` ``(X, y)`` pairs (~80/10/10: docs/lectures.md item 14).

    The validation and test sizes are round(fraction · n); training gets the rest. Every row
    lands in exactly one part.

        >>> (Xtr, ytr), (Xv, yv), (Xte, yte) = train_val_test_split(*moons(100), seed=1)
        >>> len(Xtr), len(Xv), len(Xte)
        (80, 10, 10)
    """
    _check_pair("train_val_test_split", X, y)
    if len(fractions) != 3 or any(not f >= 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(
            f"train_val_test_split: fractions must be three numbers >= 0 that add up to 1, got {fractions!r}"
        )
    n = len(X)
    order = list(range(n))
    random.Random(seed).shuffle(order)
    n_val = round(fractions[1] * n)
    n_test = round(fractions[2] * n)
    n_train = n - n_val - n_test
    parts = (order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :])
    train, val, test = (([list(map(float, X[i])) for i in idx], [int(y[i]) for i in idx]) for idx in parts)
    return train, val, test


def _spread(deviations: list[float]) -> float:
    """sqrt(mean of d²), scaled by the largest |d| so that squaring cannot overflow."""
    scale = max(map(abs, deviations))
    if scale == 0.0 or not math.isfinite(scale):
        return scale
    return scale * math.sqrt(math.fsum((d / scale) ** 2 for d in deviations) / len(deviations))


class Standardizer:
    """Shift and scale every feature to mean 0 and standard deviation 1 (lecture item 14, docs/lectures.md).

    ``fit`` learns μ_j = mean of column j and σ_j = sqrt(mean((x_j − μ_j)²)) on the *training*
    set; ``transform`` maps x_j to (x_j − μ_j) / σ_j, for training, validation and test data alike
    (so no information leaks from the held-out sets). A constant column keeps σ_j = 1.

        >>> s = Standardizer().fit([[1.0, 10.0], [3.0, 10.0]])
        >>> s.mean, s.std
        ([2.0, 10.0], [1.0, 1.0])
        >>> s.transform([[5.0, 12.0]])
        [[3.0, 2.0]]
    """

    def __init__(self) -> None:
        self.mean: list[float] = []
        self.std: list[float] = []

    def fit(self, X: Sequence[Sequence[float]]) -> Standardizer:
        """Learn each column's mean and (population) standard deviation from X; returns self."""
        if not X:
            raise ValueError("Standardizer.fit: X has no rows")
        width = len(X[0])
        if any(len(row) != width for row in X):
            raise ValueError("Standardizer.fit: rows of X have different lengths")
        n = len(X)
        try:
            mean = [math.fsum(row[j] for row in X) / n for j in range(width)]
            std = [_spread([row[j] - m for row in X]) for j, m in enumerate(mean)]
        except OverflowError:
            raise ValueError(
                "Standardizer.fit: the mean or spread of a column overflows a float "
                f"(values up to {max(abs(x) for row in X for x in row):g})"
            ) from None
        if not all(math.isfinite(x) for x in (*mean, *std)):
            raise ValueError(
                "Standardizer.fit: X holds values that are not finite, or whose spread overflows"
            )
        self.mean, self.std = mean, [s if s > 0.0 else 1.0 for s in std]
        return self

    def transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """(x − μ) / σ per column, with the fitted μ and σ."""
        if not self.mean:
            raise ValueError("Standardizer.transform: call fit() on the training set first")
        width = len(self.mean)
        for row in X:
            if len(row) != width:
                raise ValueError(
                    f"Standardizer.transform: fitted on {width} features, got a row of {len(row)}"
                )
        return [[(x - m) / s for x, m, s in zip(row, self.mean, self.std)] for row in X]

    def fit_transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """x · σ + μ per column: back to the original units."""
        return [[x * s + m for x, m, s in zip(row, self.mean, self.std)] for row in X]

    def state_dict(self) -> dict[str, list[float]]:
        """The fitted statistics as a JSON-able dict."""
        return {"mean": list(self.mean), "std": list(self.std)}

    def __repr__(self) -> str:
        return f"Standardizer(mean={self.mean}, std={self.std})"


def one_hot(y: Sequence[int], k: int | None = None) -> list[list[float]]:
    """Each label i as a row of k numbers with 1.0 at position i and 0.0 elsewhere.

    >>> one_hot([0, 2, 1])
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    k = num_classes(y) if k is None else k
    rows = []
    for label in y:
        integer("one_hot", "every label", label, low=0, high=k - 1)
        row = [0.0] * k
        row[label] = 1.0
        rows.append(row)
    return rows


def batches(
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
) -> Iterator[Dataset]:
    """Yield ``(X_batch, y_batch)`` pairs covering the data once (an epoch; lecture item 6, docs/lectures.md).

    ``batch_size=1`` is online training, e.g. 32 is mini-batch training, and None (or any size
    >= len(X)) is full-batch training. With `shuffle` the order is a permutation drawn from
    ``random.Random(seed)``; the last batch may be smaller.

        >>> [yb for _, yb in batches([[0.0]] * 5, [0, 1, 2, 3, 4], batch_size=2, shuffle=False)]
        [[0, 1], [2, 3], [4]]
    """
    _check_pair("batches", X, y)
    n = len(X)
    if batch_size is None:
        batch_size = max(n, 1)
    positive_int("batches", "batch_size", batch_size)
    order = list(range(n))
    if shuffle:
        random.Random(seed).shuffle(order)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        yield [list(X[i]) for i in idx], [y[i] for i in idx]
