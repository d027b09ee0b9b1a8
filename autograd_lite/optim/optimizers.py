"""Optimizers and learning-rate schedules: gradient descent w ← w - η·∇L and its refinements.

`SGD`, `Adam` and `AdamW` follow PyTorch's update rules exactly (torch.optim.SGD, Adam, AdamW),
so a model trained here and one trained in PyTorch from the same start take the same steps.
Updates change each parameter's `.data` in place and record no graph. A step that would
make a parameter or the optimizer's state infinite or NaN (a gradient of 1e200 squared in Adam's
second moment, ``SGD(lr=1e10)`` with a gradient of 1e300, a NaN gradient) is refused with a
ValueError naming the parameter, and changes nothing. `StepLR` and
`LinearLR` set the optimizer's `lr` like torch.optim.lr_scheduler does (lecture item 6, docs/lectures.md).

    >>> from autograd_lite import Value
    >>> w = Value(3.0)
    >>> opt = SGD([w], lr=0.1)
    >>> loss = w * w          # dL/dw = 2w = 6
    >>> loss.backward()
    >>> opt.step()            # w ← 3 - 0.1·6
    >>> round(w.data, 12)
    2.4
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable

from ..engine.checks import boolean, fail, number, positive_int
from ..engine.value import Value

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "LRScheduler", "StepLR", "LinearLR"]


def _grad_of(p: Value) -> float:
    """A parameter's gradient as a float (also after backward(create_graph=True))."""
    g = p.grad
    return g if type(g) is float else float(g.data if isinstance(g, Value) else g)


class Optimizer(ABC):
    """Holds the parameters and the learning rate; `step()` updates, `zero_grad()` clears grads."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        op = type(self).__name__
        self.params = list(params)
        if not self.params:
            fail(op, "params", "a non-empty list of Values (got an empty parameter list)", self.params)
        for p in self.params:
            if not isinstance(p, Value):
                fail(op, "parameters", "Values", p)
        self.lr = number(op, "lr", lr, low=0.0)

    def zero_grad(self) -> None:
        """Set the grad of the parameters THIS optimizer steps to 0 before the next backward pass
        (`Module.zero_grad`: a model's parameters; `Value.zero_grad`: a node and every node it
        depends on; `autograd_lite.zero_grad(values)`: exactly the values given)."""
        for p in self.params:
            p.grad = 0.0

    @abstractmethod
    def step(self) -> None:
        """Apply one update to every parameter's data."""

    def _grads(self) -> list[float]:
        """Every parameter's gradient as a float; a non-finite one refuses the step."""
        grads = [_grad_of(p) for p in self.params]
        if not math.isfinite(sum(grads)):  # one C loop; a false alarm (finite overflow) is harmless
            for i, g in enumerate(grads):
                if not math.isfinite(g):
                    raise ValueError(f"{self._refusal(i)} has a non-finite gradient {g!r}{self._unchanged}")
        return grads

    def _commit(self, data: list[float], grads: list[float], **state: list[float]) -> None:
        """Write the new `data` into the parameters, once it and every `state` list are all finite.

        Otherwise raise a ValueError naming the first parameter whose new value or state is not
        finite (with its gradient), before anything is written.
        """
        for what, xs in (("value", data), *state.items()):
            if not math.isfinite(sum(xs)):
                for i, x in enumerate(xs):
                    if not math.isfinite(x):
                        raise ValueError(
                            f"{self._refusal(i)} would get a non-finite {what} = {x!r} from gradient "
                            f"{grads[i]!r}{self._unchanged}"
                        )
        for p, x in zip(self.params, data, strict=True):
            p.data = x

    _unchanged = "; the step was refused and no parameter changed"

    def _refusal(self, i: int) -> str:
        label = self.params[i].label
        return f"{type(self).__name__}.step: parameter " + (f"{label!r} (#{i})" if label else f"#{i}")


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
    decay, as torch.optim.SGD.

    d = g + λ·w;  buf = μ·buf + (1 - τ)·d (buf = d on the first step);
    w ← w - η·buf, or with Nesterov w ← w - η·(d + μ·buf);  w ← w - η·d without momentum.
    τ is the dampening; Nesterov needs μ > 0 and τ = 0 (as PyTorch).
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = number("SGD", "momentum", momentum, low=0.0)
        self.weight_decay = number("SGD", "weight_decay", weight_decay, low=0.0)
        self.dampening = number("SGD", "dampening", dampening, low=0.0, high=1.0)
        nesterov = boolean("SGD", "nesterov", nesterov)
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError(
                f"SGD: nesterov momentum needs momentum > 0 and dampening = 0, "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        self.nesterov = nesterov
        self._buf: list[float] | None = None

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        grads = self._grads()
        d = [g + wd * p.data for g, p in zip(grads, self.params, strict=True)] if wd else grads
        if mu == 0.0:
            self._commit([p.data - lr * di for p, di in zip(self.params, d, strict=True)], grads)
            return
        old = self._buf
        keep = 1.0 - self.dampening
        buf = d if old is None else [mu * b + keep * di for b, di in zip(old, d, strict=True)]
        step = [di + mu * b for di, b in zip(d, buf, strict=True)] if self.nesterov else buf
        new = [p.data - lr * s for p, s in zip(self.params, step, strict=True)]
        self._commit(new, grads, **{"momentum buffer": buf})
        self._buf = buf


class Adam(Optimizer):
    """Adam (torch.optim.Adam, L2 weight decay added to the gradient, not AdamW).

    g = ∇L + λ·w;  m = β₁·m + (1-β₁)·g;  v = β₂·v + (1-β₂)·g²;  at step t
    w ← w - (η / (1-β₁ᵗ)) · m / (sqrt(v) / sqrt(1-β₂ᵗ) + ε).
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        op = type(self).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            fail(op, "betas", "a pair (beta1, beta2)", betas)
        self.betas = (
            number(op, "beta1", betas[0], low=0.0, high=1.0, high_open=True),
            number(op, "beta2", betas[1], low=0.0, high=1.0, high_open=True),
        )
        self.eps = number(op, "eps", eps, low=0.0)
        self.weight_decay = number(op, "weight_decay", weight_decay, low=0.0)
        self.t = 0
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    _decoupled = False  # AdamW: weight decay shrinks w directly instead of joining the gradient

    def step(self) -> None:
        t = self.t + 1
        b1, b2 = self.betas
        wd, eps = self.weight_decay, self.eps
        step_size = self.lr / (1.0 - b1**t)
        correction2 = math.sqrt(1.0 - b2**t)
        grads = self._grads()
        if self._decoupled:  # AdamW: w ← (1 - η·λ)·w, the gradient stays ∇L
            shrink = 1.0 - self.lr * wd
            start = [p.data * shrink for p in self.params] if wd else [p.data for p in self.params]
            g = grads
        else:
            start = [p.data for p in self.params]
            g = [gi + wd * w for gi, w in zip(grads, start, strict=True)] if wd else grads
        m = [b1 * mi + (1.0 - b1) * gi for mi, gi in zip(self._m, g, strict=True)]
        v = [b2 * vi + (1.0 - b2) * gi * gi for vi, gi in zip(self._v, g, strict=True)]
        new = [
            w - step_size * mi / (math.sqrt(vi) / correction2 + eps)
            for w, mi, vi in zip(start, m, v, strict=True)
        ]
        self._commit(new, grads, **{"first moment m": m, "second moment v": v})
        self.t, self._m, self._v = t, m, v


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019; torch.optim.AdamW).

    The decay shrinks each weight by the factor 1 - η·λ before the Adam step instead of adding λ·w to
    the gradient (where Adam's scaling by 1/sqrt(v) would weaken it for weights with large gradients):
    w ← (1 - η·λ)·w;  then m, v and the update from the plain gradient g = ∇L, as in `Adam`.
    The default λ is 0.01, as PyTorch's.
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)


class LRScheduler(ABC):
    """Sets `optimizer.lr` = base_lr · factor(epoch); call `step()` once per epoch (or per step)."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        optimizer.lr = self.base_lr * self.factor(0)

    @abstractmethod
    def factor(self, epoch: int) -> float:
        """The multiplier of the base learning rate after `epoch` calls of step()."""

    @property
    def lr(self) -> float:
        """The learning rate the optimizer uses now."""
        return self.optimizer.lr

    def step(self) -> None:
        """Advance one epoch and set the optimizer's learning rate for it."""
        self.last_epoch += 1
        self.optimizer.lr = self.base_lr * self.factor(self.last_epoch)


class StepLR(LRScheduler):
    """lr = base_lr · γ^⌊epoch / step_size⌋: multiply by γ every `step_size` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = positive_int("StepLR", "step_size", step_size)
        self.gamma = number("StepLR", "gamma", gamma, low=0.0)
        super().__init__(optimizer)

    def factor(self, epoch: int) -> float:
        return float(self.gamma ** (epoch // self.step_size))


class LinearLR(LRScheduler):
    """lr = base_lr · (s + (e - s)·min(epoch, T)/T): from start_factor s to end_factor e over T epochs."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        self.start_factor = number("LinearLR", "start_factor", start_factor, low=0.0, high=1.0, low_open=True)
        self.end_factor = number("LinearLR", "end_factor", end_factor, low=0.0, high=1.0)
        self.total_iters = positive_int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer)

    def factor(self, epoch: int) -> float:
        s, e = self.start_factor, self.end_factor
        return s + (e - s) * min(epoch, self.total_iters) / self.total_iters
