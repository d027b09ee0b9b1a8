"""Seeing backprop: graph drawings (Graphviz), the `stepper`, the printed `table`, `widgets`."""

from .graph import GRAD_DECADES, ROLE_COLOURS, Drawing, GraphvizNotFoundError, draw_graph, grad_colour, render

__all__ = [
    "GRAD_DECADES",
    "ROLE_COLOURS",
    "Drawing",
    "GraphvizNotFoundError",
    "draw_graph",
    "grad_colour",
    "render",
]
