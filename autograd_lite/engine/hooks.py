"""Gradient hooks: watching (or changing) the gradient that reaches a node during backprop.

A node keeps its own hooks (in its `_hooks` slot: a dict from handle id to function, in the
order they were registered, as PyTorch keeps them per tensor). `RemovableHandle.remove()` takes
off exactly the registration it was returned for, even if the same function was registered
twice; the handle also works as a context manager (the hook is on inside the block).

Backprop needs its general path only for a graph that holds a hooked node. To decide that per
graph in time independent of the graph's size, this module also keeps a weak set of the nodes
that have hooks: after the sort has counted the uses of each node in the graph, a hooked node is
in the graph exactly when it is the root or its count is positive (`any_in_graph`).
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .value import Value

__all__ = ["RemovableHandle", "register_hook", "any_in_graph", "hooks_of"]

Hook = Callable[[Any], Any]

_HOOKED: weakref.WeakSet[Value] = weakref.WeakSet()  # every live node with at least one hook
_ids = itertools.count()


class RemovableHandle:
    """Returned by `Value.register_hook`: `remove()` takes exactly that registration off again.

    ``with x.register_hook(f): ...`` keeps the hook on for the block only.
    """

    def __init__(self, node: Value) -> None:
        self.id = next(_ids)
        self._node = weakref.ref(node)

    def remove(self) -> None:
        """Take the hook off (nothing happens if it is already off or its node is gone)."""
        node = self._node()
        if node is None or node._hooks is None:
            return
        node._hooks.pop(self.id, None)
        if not node._hooks:
            node._hooks = None
            _HOOKED.discard(node)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def __repr__(self) -> str:
        node = self._node()
        on = node is not None and node._hooks is not None and self.id in node._hooks
        return f"<RemovableHandle {self.id}: {'on' if on else 'removed'}>"


def register_hook(node: Value, hook: Hook) -> RemovableHandle:
    """See `Value.register_hook`."""
    if not callable(hook):
        raise TypeError(
            f"register_hook: hook must be a function of the gradient, got {type(hook).__name__} {hook!r}"
        )
    handle = RemovableHandle(node)
    if node._hooks is None:
        node._hooks = {}
        _HOOKED.add(node)
    node._hooks[handle.id] = hook
    return handle


def hooks_of(node: Value) -> Iterable[Hook]:
    """The hooks on `node`, in the order they were registered (a snapshot)."""
    return list(node._hooks.values()) if node._hooks is not None else ()


def any_in_graph(root: Value) -> bool:
    """True if some node of root's graph has a hook. Only valid right after `count_uses(root)`:
    a node is in the graph when it is the root or some node of the graph uses it."""
    return any(node is root or node._uses for node in _HOOKED) if _HOOKED else False
