"""The live latent map: a gradio component (component.py) over pure payloads (payload.py), the decoder and
inverse exported for the browser (browser_export.py), and its browser side (static/: ES modules, CSS, HTML)."""
from explorer.app.latent_map.component import latent_map, map_value, routes

__all__ = ["latent_map", "map_value", "routes"]
