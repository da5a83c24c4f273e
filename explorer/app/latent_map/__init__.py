"""The live latent map: a gradio component (component.py) over pure payloads (payload.py), the decoder and
inverse exported for the browser (browser_export.py), and its browser side (static/: ES modules, CSS, HTML).
Only component.py imports gradio: the static site (explorer/site) uses the rest without it."""
