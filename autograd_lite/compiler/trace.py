"""Tracing: run a function once on `Value`s and record its graph as a flat list of nodes (a tape).

The tape is the graph in topological order (operands before the nodes that use them). Each entry
is a leaf -- an *input* (an argument of the function), a *parameter* (a `Value` the function reads,
named in ``params``, whose number is read again at every call) or a *constant* (every other leaf,
and every node computed from constants only: its number is fixed at trace time) -- or an
operation: a rule of the table and the positions of its operands on the tape.

A tape records what the function did for the example numbers, nothing more. Python control flow on
numbers (``if x.data > 0``) is not an operation: it picked one graph at trace time, and that graph
is what replays. Operations whose derivative has a kink (relu: x·[x > 0]) are fine, since the
kink is inside the rule. `signature` summarises a tape so that two traces can be compared.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.backprop import topological_order
from ..engine.modes import enable_grad
from ..engine.rules import Rule
from ..engine.value import Value

__all__ = ["Node", "Tape", "TraceError", "trace", "signature"]

INPUT, PARAM, CONST, OP = "input", "param", "const", "op"


class TraceError(ValueError):
    """The function cannot be traced (or its graph no longer matches the traced one)."""


@dataclass(frozen=True)
class Node:
    """One entry of the tape: a leaf (input, param, const) or an operation on earlier entries."""

    kind: str  # INPUT, PARAM, CONST or OP
    data: float  # the number at trace time (for a constant: its value forever)
    label: str = ""  # the Value's label, used to name the variable in generated code
    rule: Rule | None = None  # for OP
    operands: tuple[int, ...] = ()  # for OP: positions on the tape, in argument order


@dataclass(frozen=True)
class Tape:
    """A traced function: its nodes in topological order, and which of them are what."""

    nodes: list[Node]
    inputs: list[int]  # tape position of each argument, in order (-1 if the output ignores it)
    input_names: list[str]  # the function's parameter names (x0, x1, ... when it has none)
    params: list[int]  # tape position of each parameter, in the order given (-1 if unused)
    output: int  # the differentiated output
    aux: list[int]  # further outputs, returned as numbers only


def _argument_names(fn: Callable[..., Any], n: int) -> list[str]:
    try:
        ps = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        ps = []
    names = [p.name for p in ps if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:n]
    return names + [f"x{i}" for i in range(len(names), n)]


def trace(
    fn: Callable[..., Any], example_inputs: Sequence[float], params: Sequence[Value] = ()
) -> tuple[Tape, list[Value]]:
    """Call ``fn(*inputs)`` once on fresh `Value` leaves and record the graph it builds.

    `fn` returns a `Value` (the output that is differentiated) or a tuple/list of Values whose
    first entry is that output and the rest auxiliary outputs. Returns the tape and the live
    roots (output first), which the caller may drop.
    """
    names = _argument_names(fn, len(example_inputs))
    leaves = [Value(x, name) for x, name in zip(example_inputs, names, strict=True)]
    with enable_grad():
        result = fn(*leaves)
    roots = list(result) if isinstance(result, (tuple, list)) else [result]
    if not roots or not all(isinstance(r, Value) for r in roots):
        raise TraceError(
            f"compile: the function must return a Value or a tuple of Values, got {type(result).__name__}"
        )
    order: list[Value] = []
    position: dict[Value, int] = {}
    for root in roots:  # each list is topological; appending the unseen keeps it so
        for v in topological_order(root):
            if v not in position:
                position[v] = len(order)
                order.append(v)
    input_ids = {id(v): i for i, v in enumerate(leaves)}
    param_ids = {id(p) for p in params}
    nodes: list[Node] = []
    for v in order:
        parents = v.parents
        if not parents:
            kind = INPUT if id(v) in input_ids else PARAM if id(v) in param_ids else CONST
            nodes.append(Node(kind, v.data, v.label))
            continue
        operands = tuple(position[p] for p in parents)
        if all(nodes[i].kind == CONST for i in operands):  # folded: computed from constants only
            nodes.append(Node(CONST, v.data, v.label))
        else:
            nodes.append(Node(OP, v.data, v.label, v.rule, operands))
    tape = Tape(
        nodes=nodes,
        inputs=[position.get(v, -1) for v in leaves],
        input_names=names,
        params=[position.get(p, -1) for p in params],
        output=position[roots[0]],
        aux=[position[r] for r in roots[1:]],
    )
    return tape, roots


def signature(tape: Tape) -> list[tuple[Any, ...]]:
    """What must stay the same for a replay to be valid: each node's kind, rule and operands, and
    each constant's number (a constant computed from the inputs, like a max subtracted for
    stability, changes with them)."""
    return [
        (n.kind, n.rule.name if n.rule else "", n.rule.symbol if n.rule else "", n.operands)
        + ((n.data,) if n.kind == CONST else ())
        for n in tape.nodes
    ] + [("inputs", *tape.inputs), ("params", *tape.params), ("out", tape.output, *tape.aux)]


def describe_difference(old: Tape, new: Tape) -> str:
    """The first place where two traces differ, in words."""
    a, b = signature(old), signature(new)
    for k, (x, y) in enumerate(zip(a, b)):
        if x != y:
            if k < min(len(old.nodes), len(new.nodes)):
                return f"node {k}: traced {_describe(old, k)}, now {_describe(new, k)}"
            return f"{x[0]}: traced {x[1:]}, now {y[1:]}"
    return f"the traced graph has {len(old.nodes)} nodes, now {len(new.nodes)}"


def _describe(tape: Tape, k: int) -> str:
    n = tape.nodes[k]
    if n.kind == OP:
        assert n.rule is not None
        return f"{n.rule.name} ({n.rule.symbol}) of nodes {list(n.operands)}"
    return f"the {n.kind} {n.data!r}" if n.kind == CONST else f"a {n.kind}"
