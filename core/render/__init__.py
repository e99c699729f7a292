"""Pictures and text of the explanation: heatmap overlays and collage, the table (PNG, text, CSV,
JSON) and the region outlines.

Every function returns PNG bytes or a string. Matplotlib is imported only inside the functions
that draw, on the Agg canvas. Colours follow OpenCV's JET map: red = most important, blue =
least important. Left/right in region names are the subject's own: the person's left eye appears
on the VIEWER'S RIGHT of the image.
"""

from core.render.collage import render_collage
from core.render.colors import jet_rgb, level_rgb, overlay
from core.render.regions_png import render_regions
from core.render.table_png import render_table_png
from core.render.table_text import table_csv, table_json, table_text

__all__ = [
    "jet_rgb",
    "level_rgb",
    "overlay",
    "render_collage",
    "render_regions",
    "render_table_png",
    "table_csv",
    "table_json",
    "table_text",
]
