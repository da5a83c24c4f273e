"""The guided lesson: seven steps for a 50-minute class, each one a screen the app sets up (pair, map, tab, where
each map's cursor stands) with a few sentences and one question for the class. Plain data and the arithmetic that
places the cursors; explorer/app/lesson.py shows it.
"""
from dataclasses import dataclass

import numpy as np

from explorer.bundle import Bundle
from explorer.projection import LatentMap


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    question: str
    pair: str                 # the model pair the step shows (the first shipped pair it names that exists)
    tab: str                  # the view under the maps: "reconstruct", "generate" or "compare"
    cursor: tuple = ("start",)   # where both cursors go: ("class", index) | ("hole",) | ("origin",) | ("start",)
    map: str | None = None    # for a latent above 2: "pca" or "umap"


PAIR_2D = "fashion-mnist-mlp-z2"
PAIR_16 = "fashion-mnist-conv-z16"

LESSON = (
    Step("An autoencoder squeezes every image into two numbers",
         "Each dot is one test image, placed at the two numbers the encoder turned it into. The cursor stands on "
         "the trousers; the picture beside each map is what the decoder draws back from those two numbers. "
         "Drag the cursor from one colour to the next and watch the picture change.",
         "784 pixels went in and two numbers came out: what had to be thrown away?",
         PAIR_2D, "reconstruct", ("class", 1)),
    Step("The plain autoencoder's map has holes",
         "On the right, the autoencoder (AE) packs each kind of clothing into its own island, with empty sea "
         "between them. The cursor now stands in that sea, shaded grey: no training image was ever encoded "
         "there, so nothing taught the decoder what to draw.",
         "Look at the AE's picture in the hole: would you call it a piece of clothing?",
         PAIR_2D, "reconstruct", ("hole",)),
    Step("A VAE encodes a cloud, not a point",
         "The VAE on the left is trained to encode each image as a small cloud of likely codes, q(z|x), and every "
         "decode from that cloud must still look like the image. Pick a test image in the Reconstruct tab below: "
         "its cloud appears as rings on the VAE's map, and 16 draws from it are decoded.",
         "Why would encoding a cloud, rather than a point, fill in the holes between the islands?",
         PAIR_2D, "reconstruct", ("origin",)),
    Step("Sampling: new images from the prior",
         "The VAE also pulls all the clouds toward one standard bell curve, the prior N(0, I): the dashed rings "
         "are 1, 2 and 3 standard deviations. Press 'Sample from the prior' below: random codes from the bell "
         "curve, decoded. The same random codes are marked on the AE's map too.",
         "Which model's samples look like clothes, and why does the AE's look worse?",
         PAIR_2D, "generate", ("origin",)),
    Step("The trade-off: sharp reconstructions or an organised map",
         "The VAE's loss has two parts: how well it redraws the image (reconstruction, in nats) and how far each "
         "cloud strays from the prior (KL, in nats). The Compare tab puts both models side by side on the whole "
         "test set: the AE redraws a little better, the VAE has far fewer holes.",
         "If the KL term weighed four times as much, what would happen to the map, and to the reconstructions?",
         PAIR_2D, "compare", ("origin",)),
    Step("Walking between two images",
         "In Generate, 'Interpolate' walks in a straight line (or along a great circle) from one image's code to "
         "another's and decodes every step; the path is drawn on both maps. On the AE's map the walk crosses the "
         "sea; on the VAE's it stays on land.",
         "Where along the AE's walk do the pictures stop looking like clothes?",
         PAIR_2D, "generate", ("class", 7)),
    Step("Sixteen numbers, and the ones the VAE leaves unused",
         "This pair uses 16 numbers per image, shown flat through PCA. Open 'Every latent dimension' beside the "
         "VAE's map: one slider per number, most used first. The VAE keeps only some of them busy; the others "
         "it sets to the prior, because using them costs KL and buys little reconstruction.",
         "Move a slider of an unused dimension: what changes in the picture, and why?",
         PAIR_16, "reconstruct", ("class", 1), "pca"),
)


def class_point(m: LatentMap, labels: np.ndarray, label: int) -> list[float]:
    """The dot of class `label` nearest the class's median on map `m` (a real image, never between islands)."""
    xy = m.xy[labels == label] if (labels == label).any() else m.xy
    centre = np.median(xy, axis=0)
    return [float(v) for v in xy[np.argmin(((xy - centre) ** 2).sum(1))]]


def hole_point(m: LatentMap) -> list[float] | None:
    """The far-from-data grid node nearest the dots' median: a hole among the data, not the empty space around
    it. None when the map has no far region."""
    if m.far is None or not np.isfinite(m.far_limit) or not (m.far > m.far_limit).any():
        return None
    g = m.far.shape[0]
    x0, x1, y0, y1 = m.far_extent
    xs, ys = np.linspace(x0, x1, g), np.linspace(y0, y1, g)
    rows, cols = np.nonzero(m.far > m.far_limit)   # row = y, col = x
    nodes = np.stack([xs[cols], ys[rows]], 1)
    centre = np.median(m.xy, axis=0)
    return [float(v) for v in nodes[np.argmin(((nodes - centre) ** 2).sum(1))]]


def cursor_point(step: Step, bundle: Bundle, map_name: str) -> list[float] | None:
    """Where the step puts the cursor on `bundle`'s map `map_name`; None leaves it at the map's start."""
    m = bundle.maps[map_name]
    kind = step.cursor[0]
    if kind == "class":
        return class_point(m, np.asarray(bundle.latents["labels"]), step.cursor[1])
    if kind == "hole":
        return hole_point(m)
    if kind == "origin":
        return [0.0, 0.0]
    return None
