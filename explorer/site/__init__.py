"""The static build: the explorer as a folder of files that runs with no server (python -m explorer.site OUT_DIR).

data.py turns bundles into the page's data; build.py writes the folder, with the ES modules (the live map's and
page/'s) joined into one classic script (explorer/app/latent_map/joined_script.py), as a page opened from file://
needs. No gradio anywhere here.
"""
