"""Seeing backprop: graph drawings (Graphviz), the `stepper`, the printed `table`, `widgets`."""

from .graph import (
    GRAD_DECADES,
    ROLE_COLOURS,
    Drawing,
    GraphvizNotFoundError,
    Overlay,
    draw_graph,
    grad_colour,
    number_format,
    render,
)

__all__ = [
    "GRAD_DECADES",
    "ROLE_COLOURS",
    "Drawing",
    "GraphvizNotFoundError",
    "Overlay",
    "draw_graph",
    "grad_colour",
    "number_format",
    "render",
]
