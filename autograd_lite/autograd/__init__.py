"""Transforms built on the engine, named as in `torch.autograd`: `functional` (grad, jacobian,
hessian of functions of floats, JAX-style) and `gradcheck` (finite-difference checks)."""

from . import functional
from .gradcheck import GradcheckError, GradcheckResult, gradcheck, gradgradcheck

__all__ = ["GradcheckError", "GradcheckResult", "functional", "gradcheck", "gradgradcheck"]
