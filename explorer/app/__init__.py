"""Everything that imports gradio: the views, the named API, the input readers they share, and the live map.

Data flows one way: explorer's core (bundles, models, maps, operations) -> these modules -> the browser.
"""
