"""Trace once, replay as code: a function on `Value`s written out as a flat Python program.

- `trace.py`   run the function once on Values and record its graph as a tape
- `codegen.py` write the tape as Python, one line per node, from each rule's `code`
- `replay.py`  `compile(fn, *example_inputs)`: the callable program, batches, guards, fallbacks
- `arrays.py`  the NumPy functions for batched replay on vectors (optional, imported lazily)
"""

from .replay import BACKENDS, Batch, Compiled, GraphChanged, Replay, compile
from .trace import TraceError

__all__ = ["BACKENDS", "Batch", "Compiled", "GraphChanged", "Replay", "TraceError", "compile"]
