"""A deterministic 2-D map of an axis's post-its, drawn as inline SVG (no JavaScript library).

Points are the post-its' embeddings projected by PCA (the sign of each
component is fixed, so the same post-its always give the same picture),
coloured by cluster; singular ideas are drawn in a band of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup, escape

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f"]
WIDTH, HEIGHT, BAND = 640, 360, 120
#: Points drawn at most: beyond ~1,500 dots a 640-pixel map is a blot, and the page's cost grows
#: with them (20,000 post-its once took 14.5 s of PCA on the event loop).
MAX_POINTS = 1500


@dataclass(frozen=True)
class MapPoint:
    """One post-it on the map."""

    postit_id: str
    text: str
    group: int  # cluster position, -1 for singular ideas
    label: str
    new: bool = False  # arrived since the last synthesis: in no cluster yet


def project(vectors: np.ndarray) -> np.ndarray:
    """PCA to two dimensions with deterministic signs, scaled to [0, 1]."""
    n = len(vectors)
    if n == 0:
        return np.zeros((0, 2))
    if n < 3:
        return np.array([[0.5, 0.5 + 0.2 * i] for i in range(n)])
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:2]
    signs = np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])
    xy = centred @ (components * signs[:, None]).T
    span = np.ptp(xy, axis=0)
    return (xy - xy.min(axis=0)) / np.where(span > 0, span, 1.0)


def sample(points: Sequence[MapPoint], limit: int = MAX_POINTS) -> list[int]:
    """Positions of the points drawn: all of them, or ``limit`` chosen by a hash of their ids.

    The choice depends on ids only (``hashlib``, not ``hash()``), so a refresh draws the same dots,
    and each cluster keeps its share of the map.

    >>> pts = [MapPoint(str(i), "", 0, "") for i in range(10)]
    >>> len(sample(pts, 4)), sample(pts, 4) == sample(list(pts), 4), sample(pts[:3], 4)
    (4, True, [0, 1, 2])
    """
    if len(points) <= limit:
        return list(range(len(points)))
    ranked = sorted(range(len(points)), key=lambda i: hashlib.sha256(points[i].postit_id.encode()).digest())
    return sorted(ranked[:limit])


#: How the map draws (inside the SVG: the same inline in a page and as an image on the projector).
STYLE = (".axis-map .band{fill:#f4f4f4}.axis-map .band-title{font-size:11px;fill:#666;font-family:sans-serif}"
         ".axis-map .singular{fill:#fff;stroke:#777;stroke-width:1.5}.axis-map .point{cursor:pointer}"
         ".axis-map .new{fill:#ffd400;stroke:#222;stroke-width:2.5}")


def render_svg(points: Sequence[MapPoint], vectors: np.ndarray, title: str = "Carte des idées",
               band: str = "Idées singulières", standalone: bool = False) -> Markup:
    """SVG of the map; each point carries its text in a ``<title>`` (hover) and a data attribute (click).

    ``title`` and ``band`` are the map's name and its singular ideas' band, in the page's language;
    ``standalone`` makes it a document of its own (an ``image/svg+xml`` answer). New points (in no
    cluster yet) are drawn larger, in yellow, over the others."""
    xy = project(vectors)
    main_w = WIDTH - BAND
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts = [f'<svg{namespace} class="axis-map" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}"><style>{STYLE}</style>',
             f'<rect x="{main_w}" y="0" width="{BAND}" height="{HEIGHT}" class="band"/>',
             f'<text x="{main_w + 8}" y="16" class="band-title">{escape(band)}</text>']
    order = sorted(range(len(points)), key=lambda i: points[i].new)  # new points drawn last: on top
    for point, (x, y) in ((points[i], xy[i]) for i in order):
        text = escape(point.text)
        label = escape(point.label)
        if point.new:
            cx, cy = 20 + x * (main_w - 40), 20 + y * (HEIGHT - 40)
            shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10" class="new"/>'
        elif point.group < 0:
            cx, cy = main_w + 20 + x * (BAND - 40), 30 + y * (HEIGHT - 50)
            shape = f'<rect x="{cx - 5:.1f}" y="{cy - 5:.1f}" width="10" height="10" class="singular"/>'
        else:
            cx, cy = 20 + x * (main_w - 40), 20 + y * (HEIGHT - 40)
            colour = PALETTE[point.group % len(PALETTE)]
            shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{colour}"/>'
        parts.append(f'<g class="point" tabindex="0" data-postit="{escape(point.postit_id)}" data-text="{text}">'
                     f"<title>{label} — {text}</title>{shape}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
