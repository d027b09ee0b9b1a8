"""Reading a Graphviz SVG back: where each node and cluster was drawn (for tests of layouts)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def svg_extents(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Each node's and cluster's <title> -> (x min, y min, x max, y max) of the shapes Graphviz drew
    for it (polygons, paths, ellipses), in SVG coordinates: y grows downwards."""
    extents = {}
    for g in ET.fromstring(svg).iter(SVG + "g"):
        if g.get("class") not in ("node", "cluster"):
            continue
        points = []
        for shape in g.iter():
            text = shape.get("points") or shape.get("d") or ""
            points += [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", text)]
            if shape.tag == SVG + "ellipse":
                cx, cy, rx, ry = (float(shape.get(k, "nan")) for k in ("cx", "cy", "rx", "ry"))
                points += [(cx - rx, cy - ry), (cx + rx, cy + ry)]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        extents[g.find(SVG + "title").text or ""] = (min(xs), min(ys), max(xs), max(ys))
    return extents


def svg_centres(svg: str) -> dict[str, tuple[float, float]]:
    """Each node's and cluster's <title> -> the centre of what Graphviz drew for it."""
    return {name: ((x0 + x1) / 2, (y0 + y1) / 2) for name, (x0, y0, x1, y1) in svg_extents(svg).items()}


def svg_frame(svg: str) -> str:
    """The picture's size and the transform that places the graph in it (its <svg> and first <g> tags)."""
    found = re.search(r"<svg[^>]*>.*?<g id=\"graph0\"[^>]*>", svg, re.S)
    assert found is not None
    return found.group(0)
