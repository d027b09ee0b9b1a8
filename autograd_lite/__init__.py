"""autograd_lite: a scalar reverse-mode automatic differentiation engine, written to be read.

Every number is a `Value`; every operation records itself into a graph; `backward()` applies
the chain rule from the output back to every input. See README.md for a tour.

The folders are the layers, each importing only from the ones above it in this list:

- `engine/`    the rule table, `Value`, backprop, grad and anomaly modes, hooks (pure Python)
- `autograd/`  transforms on functions (`functional`) and finite-difference checks (`gradcheck`)
- `compiler/`  `compile(fn, *inputs)`: trace once, replay the graph as generated Python code
- `nn/`        modules, losses, checkpoints, the PyTorch bridge, diagnostics; `optim/` optimizers
- `training/`  data sets, `fit`, predictions, plots
- `viz/`       graph drawings, the stepper, the printed table, Jupyter widgets
- `cli.py`, `demo.py` on top
"""

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Any

from .autograd import functional
from .autograd.gradcheck import GradcheckError, GradcheckResult, gradcheck, gradgradcheck
from .compiler import Compiled, GraphChanged, compile
from .engine.backprop import grad, topological_order, zero_grad
from .engine.hooks import RemovableHandle
from .engine.modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .engine.rules import RULES, Rule
from .engine.value import Value, apply
from .nn.modules import MLP
from .optim.optimizers import SGD, Adam
from .viz.graph import draw_graph
from .viz.stepper import Stepper

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Compiled",
    "GraphChanged",
    "GradcheckError",
    "GradcheckResult",
    "RULES",
    "RemovableHandle",
    "Rule",
    "Stepper",
    "Value",
    "apply",
    "compile",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "topological_order",
    "zero_grad",
]

# Modules that lived at the top of the package before it had folders. `autograd_lite.losses`,
# `from autograd_lite.data import moons` and the like keep working: each old name is the new module.
MOVED = {
    "rules": "autograd_lite.engine.rules",
    "backprop": "autograd_lite.engine.backprop",
    "gradcheck": "autograd_lite.autograd.gradcheck",
    "losses": "autograd_lite.nn.losses",
    "checkpoint": "autograd_lite.nn.checkpoint",
    "torch_bridge": "autograd_lite.nn.torch_bridge",
    "diagnostics": "autograd_lite.nn.diagnostics",
    "data": "autograd_lite.training.data",
    "plot": "autograd_lite.training.plot",
    "stepper": "autograd_lite.viz.stepper",
    "table": "autograd_lite.viz.table",
    "widgets": "autograd_lite.viz.widgets",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports `autograd_lite.<old name>` as the module it moved to (no copy, the same object)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        prefix, _, short = name.rpartition(".")
        if prefix == __name__ and short in MOVED:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec: Any) -> ModuleType:
        module = importlib.import_module(MOVED[spec.name.rpartition(".")[2]])
        self.spec = module.__spec__  # importlib replaces it with the alias's spec; put it back below
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self.spec  # already executed under its new name


if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
    sys.meta_path.append(_MovedModules())


def __getattr__(name: str) -> ModuleType:
    if name in MOVED:
        return importlib.import_module(MOVED[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
