"""The Gradio app: the views, the named API, the input readers they share, and the live map (whose payloads and
browser exports, latent_map/payload.py and browser_export.py, the static site uses without gradio).

Data flows one way: explorer's core (bundles, models, maps, operations) -> these modules -> the browser.
"""
