"""Backprop through graphs of a million nodes: no RecursionError, exact analytic gradients.

micrograd sorts its graph recursively and fails at about 1,000 nodes deep; these graphs are a
thousand times deeper or wider. Marked slow (a few seconds each); they still run in `make test`.
"""

from __future__ import annotations

import math
import random

import pytest

from autograd_lite import Value, grad

N = 1_000_000


@pytest.mark.slow
def test_chain_of_a_million_multiplications() -> None:
    # y = x * c**N, built one node at a time: dy/dx = c**N and dy/dc = N x c**(N-1).
    x, c = Value(0.5, "x"), Value(1.0 + 1e-7, "c")
    y = x
    for _ in range(N):
        y = y * c
    y.backward()
    scale = math.exp(N * math.log1p(1e-7))  # c**N, about e**0.1
    assert math.isclose(y.data, 0.5 * scale, rel_tol=1e-9)
    assert math.isclose(x.grad, scale, rel_tol=1e-9)
    assert math.isclose(c.grad, N * 0.5 * scale / (1.0 + 1e-7), rel_tol=1e-9)


@pytest.mark.slow
def test_chain_of_a_million_alternating_tanh_and_add() -> None:
    # y <- tanh(y) + eps with eps = 0 shared by every step. tanh creeps towards its fixed point 0
    # so slowly (y_k^2 ~ 3 / 2k) that the gradient survives a million nodes. By the chain rule
    # dy/dx = prod_k (1 - t_k^2) with t_k = tanh(y_k), and dy/deps sums that product's tails.
    x, eps = Value(1.0, "x"), Value(0.0, "eps")
    y, t = x, list[float]()
    for _ in range(N // 2):
        y = y.tanh() + eps
        t.append(math.tanh(t[-1] if t else 1.0))
    gx, geps = grad(y, [x, eps])
    want_x, want_eps = 1.0, 0.0
    for tk in reversed(t):  # the backward pass by hand, in plain floats
        want_eps += want_x
        want_x *= 1.0 - tk * tk
    assert y.data == t[-1]
    assert 1e-10 < want_x < 1e-7  # small but far from underflow
    assert math.isclose(gx, want_x, rel_tol=1e-9)
    assert math.isclose(geps, want_eps, rel_tol=1e-9)


@pytest.mark.slow
def test_deep_chain_with_a_surviving_gradient() -> None:
    # neg twice is the identity: a million negations give exactly dy/dx = 1.
    x = Value(-2.5, "x")
    y = x
    for _ in range(N):
        y = -y
    y.backward()
    assert y.data == -2.5 and x.grad == 1.0


@pytest.mark.slow
def test_sum_node_over_a_million_leaves() -> None:
    rng = random.Random(0)
    leaves = [Value(rng.uniform(-1, 1)) for _ in range(N)]
    total = Value.sum(leaves)
    total.backward()
    assert math.isclose(total.data, math.fsum(v.data for v in leaves), rel_tol=1e-12)
    for i in [0, 1, 12_345, N // 2, N - 1, *rng.sample(range(N), 20)]:
        assert leaves[i].grad == 1.0


@pytest.mark.slow
def test_python_chain_of_a_million_additions() -> None:
    rng = random.Random(1)
    leaves = [Value(rng.uniform(-1, 1)) for _ in range(N)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf  # a chain N nodes deep
    total.backward()
    assert math.isclose(total.data, math.fsum(v.data for v in leaves), rel_tol=1e-9)
    for i in [0, 1, 12_345, N // 2, N - 1, *rng.sample(range(N), 20)]:
        assert leaves[i].grad == 1.0
    assert all(leaf.grad == 1.0 for leaf in leaves)
