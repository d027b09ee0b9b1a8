"""Code generation: a tape written as Python, one line per node, the chain rule spelled out.

Every node becomes a local variable named after its label (``a``, ``L0_N3_w1``) or, without one,
after its rule and place on the tape (``mul7``, ``relu12``); constants are written as numbers.
The forward pass is each rule's ``code`` forward expression; the backward pass walks the tape
backwards and, for every edge, adds the gradient arriving at the node times the rule's local
derivative, ``g_parent += d(node)/d(parent) * g_node`` -- the line backprop executes, as text:

    g_c = 2 * c * g_e        # e = c ** 2: d e/d c = 2c

A derivative of exactly 1 passes the gradient on unchanged (``g_a = g_c``); the first contribution
to a gradient is an assignment, later ones add to it. Three programs are written from one tape:

- ``value_and_grad(inputs..., params...)``: one sample, returning the output and every gradient;
- ``batch(rows, params, seed)``: a loop over the samples, the per-sample lines inside it; nodes that
  depend on parameters only are computed once before the loop and differentiated once after it,
  their gradients summed over the batch inside it (``G_w += x1 * g_mul3``);
- ``batch_arrays(columns, params, seed, n)``: the same lines once, each input a NumPy vector over
  the batch, parameter gradients reduced with a dot product; a layer of neurons (`layers.py`) is
  one matrix product forward and two backward instead of a line per product.
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass

from ..engine.rules import CODE_NAMES, literal
from .layers import Layer, find_layers
from .trace import CONST, INPUT, OP, Tape, TraceError

__all__ = ["Program", "write"]

INDENT = "    "


@dataclass(frozen=True)
class Program:
    """The generated source of one tape."""

    forward: str  # def forward(inputs..., params...): the forward pass alone
    value_and_grad: str  # def value_and_grad(...): forward and backward for one sample
    backward_lines: list[str]  # the backward half of value_and_grad, as written there
    batch: str  # def batch(_rows, _params, _seed): the per-sample lines in a loop
    batch_arrays: str  # def batch_arrays(_columns, _params, _seed, _n): on NumPy vectors
    layers: tuple[Layer, ...] = ()  # the layers batch_arrays writes as matrix products (`layers.py`)


# --- names -----------------------------------------------------------------------------------------


def _identifier(text: str) -> str:
    name = re.sub(r"\W", "_", text)
    if not name or name[0].isdigit() or name.startswith("_"):
        name = "v" + name
    return name


def _names(tape: Tape) -> tuple[list[str], list[str], list[str]]:
    """(variable of each tape node, of each argument, of each parameter): labels made into unique
    identifiers; no name is a keyword, a function of CODE_NAMES, or starts like a gradient."""
    taken: set[str] = {*CODE_NAMES, "dot", "full", "where"}

    def claim(wanted: str, fallback: str) -> str:
        name = _identifier(wanted) if wanted else fallback
        if keyword.iskeyword(name) or name[:2] in ("g_", "G_") or name in taken:
            base, k = (fallback if name[:2] in ("g_", "G_") else name), 1
            name = base
            while keyword.iskeyword(name) or name in taken:
                name, k = f"{base}_{k}", k + 1
        taken.add(name)
        return name

    var = [""] * len(tape.nodes)
    args = [claim(n, f"x{i}") for i, n in enumerate(tape.input_names)]
    for i, pos in zip(range(len(args)), tape.inputs):
        if pos >= 0:
            var[pos] = args[i]
    params = []
    for j, pos in enumerate(tape.params):
        params.append(claim(tape.nodes[pos].label if pos >= 0 else "", f"p{j}"))
        if pos >= 0:
            var[pos] = params[-1]
    for k, node in enumerate(tape.nodes):
        if node.kind == CONST:
            var[k] = literal(node.data)
        elif node.kind == OP:
            assert node.rule is not None
            var[k] = claim(node.label, f"{_identifier(node.rule.name)}{k}")
        elif node.kind == INPUT and not var[k]:  # the same Value passed twice
            var[k] = claim(node.label, f"x{k}")
    return var, args, params


# --- expressions ------------------------------------------------------------------------------------


def _emit(tape: Tape, var: list[str], k: int) -> tuple[str, tuple[str, ...]]:
    node = tape.nodes[k]
    assert node.rule is not None
    if node.rule.code is None:
        raise TraceError(f"compile: the rule {node.rule.name!r} has no code; add it to the rule table")
    return node.rule.code(*[var[i] for i in node.operands], var[k])


def _times(local: str, g: str) -> str | None:
    """local · g as source, or None when local is 0. A conditional derivative multiplies inside its
    branches: ``g_r if z > 0.0 else 0.0`` rather than ``(1 if z > 0.0 else 0) * g_r``."""
    if local in ("0", "0.0"):
        return None
    if local in ("1", "1.0"):
        return g
    if local in ("-1", "-1.0", "(-1)"):
        return f"-{g}"
    tree = ast.parse(local, mode="eval").body
    if isinstance(tree, ast.IfExp):
        body, orelse = (_times(ast.unparse(branch), g) or "0.0" for branch in (tree.body, tree.orelse))
        return f"{body} if {ast.unparse(tree.test)} else {orelse}"
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div) and _is_one(tree.left):
        # (1 / b) · g is g / b, as the engine's vjp computes it: 1/b is infinite for a subnormal b
        divisor = ast.unparse(tree.right)
        return f"{g} / {divisor if _binds_tightly(tree.right, divisor) else f'({divisor})'}"
    return f"{_factor(local)} * {g}"


def _is_one(tree: ast.expr) -> bool:
    return isinstance(tree, ast.Constant) and tree.value == 1


def _binds_tightly(tree: ast.expr, text: str) -> bool:
    """True when `text` can follow a division sign unparenthesised: a name, a number, a call, a power."""
    return (
        _enclosed(text)
        or isinstance(tree, (ast.Name, ast.Constant, ast.Call))
        or (isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Pow))
    )


class _Where(ast.NodeTransformer):
    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.orelse, ast.Constant) and node.orelse.value == 0:  # a · [test]: faster than where
            return ast.BinOp(node.body, ast.Mult(), node.test)
        return ast.Call(ast.Name("where", ast.Load()), [node.test, node.body, node.orelse], [])


def vectorized(text: str) -> str:
    """An expression for NumPy vectors: each conditional ``a if test else b`` as ``where(test, a, b)``,
    or as ``a * (test)`` when b is 0 (a boolean vector counts as 1 or 0)."""
    if " if " not in text:
        return text
    tree = _Where().visit(ast.parse(text, mode="eval"))
    return ast.unparse(ast.fix_missing_locations(tree))


def _factor(text: str) -> str:
    """`text` ready to be multiplied on the right: in parentheses unless it binds at least as tightly."""
    tree = ast.parse(text, mode="eval").body
    if _enclosed(text):
        return text  # already in parentheses, e.g. "(x > 0.0)"
    tight = isinstance(tree, (ast.Name, ast.Constant, ast.Call, ast.UnaryOp)) or (
        isinstance(tree, ast.BinOp) and isinstance(tree.op, (ast.Mult, ast.Div, ast.Pow))
    )
    return text if tight else f"({text})"


def _enclosed(text: str) -> bool:
    """True when the whole text is one parenthesised group: "(a + b)" but not "(a) + (b)"."""
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and k < len(text) - 1:
            return False
    return text.startswith("(")


def _names_in(text: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}


# --- which nodes need what --------------------------------------------------------------------------


def _ancestors_of_output(tape: Tape) -> set[int]:
    seen = {tape.output}
    for k in range(tape.output, -1, -1):
        if k in seen:
            seen.update(tape.nodes[k].operands)
    return seen


def _needs_grad(tape: Tape, wanted: set[int]) -> list[bool]:
    """Which nodes lie on a path from a wanted leaf to the output (only they need a gradient)."""
    on_path = _ancestors_of_output(tape)
    needs = [False] * len(tape.nodes)
    for k, node in enumerate(tape.nodes):
        if k in on_path:
            needs[k] = k in wanted if node.kind != OP else any(needs[i] for i in node.operands)
    return needs


def _depends_on_inputs(tape: Tape) -> list[bool]:
    row = [False] * len(tape.nodes)
    for k, node in enumerate(tape.nodes):
        row[k] = node.kind == INPUT or (node.kind == OP and any(row[i] for i in node.operands))
    return row


class _Grads:
    """Writes the backward lines: for each edge, g_parent = / += local · g_node.

    With `alias`, a gradient passed on unchanged to a node with no other contribution gets no line
    of its own: the node's gradient *is* the other name (the batch programs; the one-sample source
    keeps every line, to read like the lecture's table). With `arrays`, sums are written
    ``g = g + c``: ``+=`` would change a NumPy vector that another name may share.
    """

    def __init__(self, grad_name: list[str], uses: list[int], alias: bool = False, arrays: bool = False):
        self.name = grad_name
        self.uses = uses
        self.alias = alias
        self.arrays = arrays
        self.assigned: set[int] = set()
        self.lines: list[str] = []

    def add(self, target: int, contribution: str) -> None:
        name = self.name[target]
        if target not in self.assigned:
            self.assigned.add(target)
            if self.alias and self.uses[target] == 1 and contribution.isidentifier():
                self.name[target] = contribution
            else:
                self.lines.append(f"{name} = {contribution}")
        elif self.arrays:
            self.lines.append(f"{name} = {name} + {contribution}")
        else:
            self.lines.append(f"{name} += {contribution}")


def _uses(tape: Tape, needs: list[bool]) -> list[int]:
    """How many gradient contributions each node receives (edges from nodes that need one)."""
    uses = [0] * len(tape.nodes)
    for k, node in enumerate(tape.nodes):
        if needs[k] and node.kind == OP:
            for i in node.operands:
                uses[i] += needs[i]
    return uses


SKIP_ZERO = 3
"""In the batch loop, the additions multiplied by one gradient go under ``if g_node:`` when there are
at least this many: a gradient of exactly 0 (a relu that is off) has nothing to add, and the engine
skips such nodes the same way."""


def _backward(
    tape: Tape, var: list[str], needs: list[bool], nodes: list[int], grads: _Grads, skip_zero: bool = False
) -> None:
    """The chain rule over `nodes` (reverse topological order) into `grads`.

    With `skip_zero`, a node whose gradient is passed on unchanged to an operand used nowhere else
    (a sum's terms) has that operand processed at once: its gradient is the same name, so all the
    additions it multiplies can share one ``if g_node:``.
    """

    def contributions(k: int) -> list[tuple[int, str]]:
        _, local = _emit(tape, var, k)
        found = []
        for i, d in zip(tape.nodes[k].operands, local, strict=True):
            c = _times(d, grads.name[k]) if needs[i] else None
            if c is not None:
                found.append((i, c))
        return found

    todo = set(nodes)
    for k in nodes:
        if k not in todo or not needs[k] or tape.nodes[k].kind != OP or k not in grads.assigned:
            continue  # done already, a leaf, or a node whose gradient is 0 (it never received one)
        todo.discard(k)
        queue, later = contributions(k), []
        while queue:
            i, c = queue.pop(0)
            if skip_zero and i in grads.assigned:
                later.append((i, c))  # an addition: can wait, and be skipped when the gradient is 0
                continue
            grads.add(i, c)
            if skip_zero and grads.name[i] == c and i in todo and tape.nodes[i].kind == OP:
                todo.discard(i)  # aliased: its gradient is complete, and is the same name
                queue.extend(contributions(i))
        if len(later) >= SKIP_ZERO:
            grads.lines.append(f"if {grads.name[k]}:")
            start = len(grads.lines)
            for i, c in later:
                grads.add(i, c)
            grads.lines[start:] = [INDENT + line for line in grads.lines[start:]]
        else:
            for i, c in later:
                grads.add(i, c)


# --- the programs -----------------------------------------------------------------------------------


def _returned(tape: Tape, var: list[str]) -> str:
    out = var[tape.output]
    return f"{out}, ({', '.join(var[k] for k in tape.aux)},)" if tape.aux else out


def _function(name: str, args: list[str], body: list[str]) -> str:
    return f"def {name}({', '.join(args)}):\n" + "".join(f"{INDENT}{line}\n" for line in body)


def write(tape: Tape, layers: bool = True) -> Program:
    """Generate the source of every program of `tape`; with `layers`, the NumPy program writes the
    layers it recognises (`layers.py`) as matrix products, else every node on its own."""
    var, args, params = _names(tape)
    n = len(tape.nodes)
    forward = {k: _emit(tape, var, k)[0] for k in range(n) if tape.nodes[k].kind == OP}
    forward_lines = [f"{var[k]} = {expr}" for k, expr in forward.items()]

    # one sample: every input and parameter gets its gradient
    wanted = {k for k in [*tape.inputs, *tape.params] if k >= 0}
    needs = _needs_grad(tape, wanted)
    grads = _Grads([f"g_{v}" for v in var], _uses(tape, needs))
    grads.add(tape.output, "1.0")
    _backward(tape, var, needs, list(range(n - 1, -1, -1)), grads)
    backward_lines = grads.lines
    result = [
        grads.name[k] if k >= 0 and k in grads.assigned else "0.0" for k in [*tape.inputs, *tape.params]
    ]
    value_and_grad = _function(
        "value_and_grad",
        args + params,
        forward_lines + backward_lines + [f"return {_returned(tape, var)}, [{', '.join(result)}]"],
    )
    forward_source = _function("forward", args + params, forward_lines + [f"return {_returned(tape, var)}"])
    batch = _write_batch(tape, var, args, params, forward)
    found = find_layers(tape, _depends_on_inputs(tape)) if layers and _distinct(tape.params) else []
    arrays = _write_batch_arrays(tape, var, args, params, forward, found)
    return Program(forward_source, value_and_grad, backward_lines, batch, arrays, tuple(found))


def _unpack(names: list[str], source: str) -> list[str]:
    if not names:
        return []
    return [f"{', '.join(names)}{',' if len(names) == 1 else ''} = {source}"]


def _batch_grads(tape: Tape, var: list[str], arrays: bool) -> tuple[list[bool], list[bool], _Grads]:
    """For batches only parameters get gradients: g_ for per-sample nodes, G_ (summed over the
    batch) for nodes of parameters and constants only."""
    needs = _needs_grad(tape, {k for k in tape.params if k >= 0})
    row = _depends_on_inputs(tape)
    names = [f"g_{v}" if row[k] else f"G_{v}" for k, v in enumerate(var)]
    return needs, row, _Grads(names, _uses(tape, needs), alias=True, arrays=arrays)


def _write_batch(tape: Tape, var: list[str], args: list[str], params: list[str], forward: dict) -> str:
    needs, row, grads = _batch_grads(tape, var, arrays=False)
    n = len(tape.nodes)
    static_forward = [f"{var[k]} = {e}" for k, e in forward.items() if not row[k]]
    row_forward = [f"{var[k]} = {e}" for k, e in forward.items() if row[k]]
    static_grads = [k for k in range(n) if needs[k] and not row[k]]
    head = _unpack(params, "_params") + static_forward
    head += [f"{grads.name[k]} = 0.0" for k in static_grads]
    grads.assigned.update(static_grads)  # summed across the batch: always +=
    grads.add(tape.output, "_seed")  # inside the loop: g_out = _seed, or G_out += _seed
    _backward(tape, var, needs, [k for k in range(n - 1, -1, -1) if row[k]], grads, skip_zero=True)
    loop = row_forward + [f"_append(({_returned(tape, var)}))"] + grads.lines
    after_start = len(grads.lines)
    _backward(tape, var, needs, [k for k in range(n - 1, -1, -1) if not row[k]], grads)
    after = grads.lines[after_start:]
    target = ", ".join(args) + ("," if len(args) == 1 else "") if args else "_row"
    result = [grads.name[k] if k >= 0 and needs[k] else "0.0" for k in tape.params]
    body = (
        head
        + ["_values = []", "_append = _values.append", f"for {target} in _rows:"]
        + [INDENT + line for line in loop]
        + after
        + [f"return _values, [{', '.join(result)}]"]
    )
    return _function("batch", ["_rows", "_params", "_seed"], body)


def _reduce(local: str, g: str, row_names: set[str]) -> str | None:
    """Σ over the batch of local · g (g a vector), as source."""
    if local in ("0", "0.0"):
        return None
    if local in ("1", "1.0"):
        return f"{g}.sum()"
    if local in ("-1", "-1.0", "(-1)"):
        return f"-{g}.sum()"
    if local in row_names:
        return f"dot({local}, {g})"
    if not (_names_in(local) & row_names):
        return f"{_factor(local)} * {g}.sum()"
    return f"({_factor(local)} * {g}).sum()"


def _write_batch_arrays(
    tape: Tape, var: list[str], args: list[str], params: list[str], forward: dict, found: list[Layer]
) -> str:
    needs, row, grads = _batch_grads(tape, var, arrays=True)
    if not found:
        return _per_node_arrays(tape, var, args, params, forward, needs, row, grads)
    return _layered_arrays(tape, var, args, params, forward, needs, row, grads, found)


def _distinct(positions: list[int]) -> bool:
    used = [k for k in positions if k >= 0]
    return len(set(used)) == len(used)


def _chain_rule_arrays(
    tape: Tape, var: list[str], needs: list[bool], row: list[bool], row_names: set[str], grads: _Grads, k: int
) -> None:
    """The backward lines of node k on vectors: per-sample into shared nodes is a reduction."""
    _, local = _emit(tape, var, k)
    for i, d in zip(tape.nodes[k].operands, local, strict=True):
        if needs[i]:
            c = _reduce(d, grads.name[k], row_names) if row[k] and not row[i] else _times(d, grads.name[k])
            if c is not None:
                grads.add(i, vectorized(c))


def _per_node_arrays(
    tape: Tape,
    var: list[str],
    args: list[str],
    params: list[str],
    forward: dict,
    needs: list[bool],
    row: list[bool],
    grads: _Grads,
) -> str:
    n = len(tape.nodes)
    lines = _unpack(params, "_params") + _unpack(args, "_columns")
    lines += [f"{var[k]} = {vectorized(e)}" for k, e in forward.items() if not row[k]]
    lines += [f"{var[k]} = {vectorized(e)}" for k, e in forward.items() if row[k]]
    out = tape.output
    grads.add(out, "full(_n, _seed)" if row[out] else "_seed * _n")
    row_names = {var[k] for k in range(n) if row[k]}
    for k in range(n - 1, -1, -1):  # the chain rule; per-sample into shared nodes is a reduction
        if needs[k] and tape.nodes[k].kind == OP and k in grads.assigned:
            _chain_rule_arrays(tape, var, needs, row, row_names, grads, k)
    lines += grads.lines
    result = [grads.name[k] if k >= 0 and k in grads.assigned else "0.0" for k in tape.params]
    lines.append(f"return ({_returned(tape, var)}), [{', '.join(result)}]")
    return _function("batch_arrays", ["_columns", "_params", "_seed", "_n"], lines)


def _layered_arrays(
    tape: Tape,
    var: list[str],
    args: list[str],
    params: list[str],
    forward: dict,
    needs: list[bool],
    row: list[bool],
    grads: _Grads,
    found: list[Layer],
) -> str:
    """The NumPy program with each layer as matrix products (`layers.py`); the rest per node.

    Layer number L: ``_Z{L} = _W{L} @ _X{L} + _b{L}`` (X stacked inputs, one column per sample),
    ``_A{L} = f(_Z{L})``; backward ``_GZ{L} = _GA{L} · f'(_Z{L})``, ``_GX{L} = _W{L}.T @ _GZ{L}``
    (the inputs' gradients), ``_GW{L} = _GZ{L} @ _X{L}.T`` and ``_GB{L} = Σ_batch _GZ{L}`` (the
    weights' and biases' gradients, summed over the batch).
    """
    n = len(tape.nodes)
    slot = {k: j for j, k in enumerate(tape.params) if k >= 0}
    fused = set().union(*(layer.nodes for layer in found))
    fused_params = {p for layer in found for p in (*layer.biases, *(w for ws in layer.weights for w in ws))}
    start = {min(layer.products): L for L, layer in enumerate(found)}
    finish = {min(layer.outputs): L for L, layer in enumerate(found)}
    # a layer whose inputs are exactly another layer's outputs (or the batch's columns) reads the matrix
    matrix = {layer.outputs: f"_A{L}" if layer.activations else f"_Z{L}" for L, layer in enumerate(found)}
    if tape.inputs and all(k >= 0 for k in tape.inputs) and _distinct(tape.inputs):
        matrix[tuple(tape.inputs)] = "_columns"
    owner = {layer.outputs: L for L, layer in enumerate(found)}
    others = [k for k in range(n) if tape.nodes[k].kind == OP and k not in fused]
    per_node_readers: set[int] = {i for k in others for i in tape.nodes[k].operands}
    per_node_readers |= {tape.output, *tape.aux}  # outputs read by name, not as a layer's matrix
    per_node_readers |= {i for layer in found if layer.inputs not in matrix for i in layer.inputs}

    head = [
        f"_IW{L} = _np.array({[[slot[w] for w in ws] for ws in layer.weights]})"
        for L, layer in enumerate(found)
    ] + [f"_IB{L} = _np.array({[[slot[b]] for b in layer.biases]})" for L, layer in enumerate(found)]
    kept = [name if k < 0 or k not in fused_params else "_" for name, k in zip(params, tape.params)]
    lines = ["_P = _np.array(_params)"] + (_unpack(kept, "_params") if set(kept) != {"_"} else [])
    lines += _unpack(args, "_columns")
    lines += [f"{var[k]} = {vectorized(e)}" for k, e in forward.items() if not row[k] and k not in fused]
    for k, e in forward.items():
        if not row[k]:
            continue
        if k in start:
            L = start[k]
            layer = found[L]
            stacked = matrix.get(layer.inputs) or f"_np.stack([{', '.join(var[i] for i in layer.inputs)}])"
            lines += [f"_X{L} = {stacked}", f"_W{L} = _P[_IW{L}]", f"_Z{L} = _W{L} @ _X{L} + _P[_IB{L}]"]
            if layer.activations:
                code = _layer_rule(tape, layer, L)[0]
                lines.append(f"_A{L} = {vectorized(code)}")
            for j, o in enumerate(layer.outputs):
                if o in per_node_readers:
                    lines.append(f"{var[o]} = {matrix[layer.outputs]}[{j}]")
        if k not in fused:
            lines.append(f"{var[k]} = {vectorized(e)}")

    out = tape.output
    grads.add(out, "full(_n, _seed)" if row[out] else "_seed * _n")
    row_names = {var[k] for k in range(n) if row[k]}
    from_layers: dict[int, list[str]] = {}  # layer -> matrices added to the gradient of its outputs
    done: list[int] = []
    for k in range(n - 1, -1, -1):
        if k in finish:
            L = finish[k]
            layer = found[L]
            parts = list(from_layers.get(L, []))
            if any(o in grads.assigned for o in layer.outputs):
                zeros = "_np.zeros(_n)"
                names = [grads.name[o] if o in grads.assigned else zeros for o in layer.outputs]
                parts.append(f"_np.stack([{', '.join(names)}])")
            if not parts:
                continue  # no gradient reaches the layer
            grads.lines.append(f"{'_GA' if layer.activations else '_GZ'}{L} = {' + '.join(parts)}")
            if layer.activations:
                (local,) = _layer_rule(tape, layer, L)[1]
                grads.lines.append(f"_GZ{L} = {vectorized(_times(local, f'_GA{L}') or '0.0 * _GA{L}')}")
            grads.lines += [f"_GW{L} = _GZ{L} @ _X{L}.T", f"_GB{L} = _GZ{L}.sum(axis=1, keepdims=True)"]
            done.append(L)
            if any(needs[i] for i in layer.inputs):
                grads.lines.append(f"_GX{L} = _W{L}.T @ _GZ{L}")
                if layer.inputs in owner:
                    from_layers.setdefault(owner[layer.inputs], []).append(f"_GX{L}")
                else:
                    for i, x in enumerate(layer.inputs):
                        if needs[x]:
                            grads.add(x, f"_GX{L}[{i}]")
            continue
        if k in fused or not needs[k] or tape.nodes[k].kind != OP or k not in grads.assigned:
            continue
        _chain_rule_arrays(tape, var, needs, row, row_names, grads, k)
    lines += grads.lines
    lines.append("_G = _np.zeros(len(_params))")
    for L in done:
        lines += [f"_G[_IW{L}] = _GW{L}", f"_G[_IB{L}] = _GB{L}"]
    rest = [(j, grads.name[k]) for j, k in enumerate(tape.params) if k >= 0 and k not in fused_params]
    rest = [(j, g) for j, g in rest if tape.params[j] in grads.assigned]
    if rest:
        lines.append(f"_G[{[j for j, _ in rest]}] = [{', '.join(g for _, g in rest)}]")
    lines.append(f"return ({_returned(tape, var)}), _G.tolist()")
    return (
        "\n".join(head) + "\n\n\n" + _function("batch_arrays", ["_columns", "_params", "_seed", "_n"], lines)
    )


def _layer_rule(tape: Tape, layer: Layer, L: int) -> tuple[str, tuple[str, ...]]:
    """The activation's rule written on the layer's matrices: (forward of _Z{L}, (f' as source,))."""
    rule = tape.nodes[layer.activations[0]].rule
    assert rule is not None and rule.code is not None
    return rule.code(f"_Z{L}", f"_A{L}")
