"""backward() visits nodes in exactly the order `topological_order` reports (reversed), on the fast
path and on the general one (hooks), and a failed pass leaves nothing behind that skews the next."""

import random

import pytest

from autograd_lite import Rule, Value, apply, topological_order


def _recording_rule(visits: list[float]) -> Rule:
    """x + y (or x alone), whose local-derivative function notes the node it is evaluated at."""

    def local(*xs_out: float) -> tuple[float, ...]:
        visits.append(xs_out[-1])
        return (1.0,) * (len(xs_out) - 1)

    return Rule("tag", "tag", lambda *xs: sum(xs), local)


def _random_graph(rule: Rule, rng: random.Random, n_leaves: int = 5, n_ops: int = 40) -> Value:
    """A random DAG with fan-out; every node's data is distinct so it names the node."""
    pool = [Value(rng.uniform(1, 2) + i * 10) for i in range(n_leaves)]
    for _ in range(n_ops):
        k = rng.choice([1, 2, 3])
        operands = [rng.choice(pool[-8:]) for _ in range(k)]
        pool.append(apply(rule, *operands, rng.uniform(0.001, 0.002)))
    return apply(rule, *pool[-6:])


@pytest.mark.parametrize("seed", range(10))
def test_backward_visits_nodes_in_reverse_topological_order(seed: int) -> None:
    visits: list[float] = []
    root = _random_graph(_recording_rule(visits), random.Random(seed))
    expected = [v.data for v in reversed(topological_order(root)) if not v.is_leaf]
    root.backward()
    assert visits == expected
    visits.clear()
    root.register_hook(lambda g: None)  # a hook sends backward down the general path
    root.backward()
    assert visits == expected


def test_a_failed_backward_leaves_no_state_that_skews_the_next_one() -> None:
    x = Value(0.0)
    y = x**0.5 + x * 2.0  # d/dx x**0.5 is infinite at 0: backward fails
    with pytest.raises(ZeroDivisionError):
        y.backward()
    w = x * 3.0 + x  # shares x with the failed graph
    w.backward()
    assert x.grad == 4.0
    assert [v.data for v in topological_order(w)] == [0.0, 3.0, 0.0, 0.0]
