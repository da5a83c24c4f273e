"""The top of the page: the model-pair picker, the map switch, a line about the pair, and its two live maps."""
from dataclasses import dataclass

import gradio as gr

from explorer.app import presenter
from explorer.app.display import friendly
from explorer.app.latent_map.component import latent_map, map_value, payload_url, preload_head
from explorer.registry import Registry


@dataclass
class Header:
    pair_box: gr.Dropdown
    map_box: gr.Radio
    vae_map: gr.HTML
    ae_map: gr.HTML
    lesson_button: gr.Button
    switched: list     # the events that show another pair or map; views chain `.then(...)` on them (a lesson
                       # step's event joins them: lesson.wire)


def describe(registry: Registry, pair: str | None) -> str:
    """One line about the pair: data, backbone, latent size, beta, likelihood."""
    if pair not in registry.pairs:
        return ""
    b = registry.model_of(pair)
    m, t = b.config["model"], b.config.get("training", {})
    trained = f" · β = {t['beta']:g} · {t['epochs']} epochs" if {"beta", "epochs"} <= set(t) else ""
    c, h, w = b.image_shape
    return (f"**{b.dataset}** · {b.backbone} backbone · {w}×{h} {'colour' if c == 3 else 'grey'} · "
            f"latent size {b.latent_dim} · {m['likelihood']} likelihood{trained}")


def map_values(registry: Registry, pair: str, map_name: str | None, cursor=None) -> tuple[str, str, str]:
    """The VAE map's value, the AE map's value, and the map actually shown (`map_name` if both have it);
    `cursor(bundle, map)`, if given, says where each map's cursor goes ([x, y], or None to leave it)."""
    names = registry.shared_maps(pair)
    shown = map_name if map_name in names else names[0]
    keys = registry.pairs[pair]

    def value(key, kind="vae"):
        if key is None:   # a model trained alone (the β family, the Train view's): the other side says so
            twin = "plain-autoencoder twin" if kind == "ae" else "VAE twin"
            return map_value(None, note=f"This model was trained without a {twin}.")
        point = cursor(registry.bundles[key], shown) if cursor else None
        return map_value(key, shown, url=key and payload_url(registry.bundles[key], key, shown),
                         **({"cursor": point} if point else {}))
    return value(keys.get("vae")), value(keys.get("ae"), "ae"), shown


def switch_to(registry: Registry, pair: str | None, map_name: str | None, cursor=None) -> tuple[str, str, gr.Radio]:
    """What the header shows for `pair`: both maps' values (map_values) and the map switch; a sentence (UnknownModel)
    for an unknown pair."""
    registry.pair(pair)
    vae, ae, shown = map_values(registry, pair, map_name, cursor)
    names = registry.shared_maps(pair)
    return vae, ae, gr.Radio(choices=names, value=shown, visible=len(names) > 1)


def preload(registry: Registry, first_pair: str | None) -> str:
    """The page head's preload links for the maps the page opens on (app.py gives them to launch)."""
    shown = registry.shared_maps(first_pair)[0] if first_pair else None
    maps = [(key, shown) for key in registry.pairs[first_pair].values()] if first_pair else []
    return preload_head(registry.bundles, maps)


def build(registry: Registry, first_pair: str | None) -> Header:
    """Lay out the header (inside the page's Blocks) and wire its switches."""
    names = registry.shared_maps(first_pair) if first_pair else []
    vae_value, ae_value, shown = (map_values(registry, first_pair, None) if first_pair
                                  else (map_value(None), map_value(None), None))
    with gr.Row(elem_id="header-row"):
        pair_box = gr.Dropdown(choices=[(registry.label(p), p) for p in registry.pairs], value=first_pair,
                               label="Model pair (a VAE and its AE twin)", scale=2)
        map_box = gr.Radio(choices=names, value=shown, label="Map of the latent space", scale=1,
                           visible=len(names) > 1)
        lesson_button = gr.Button("Lesson", elem_id="lesson-button", size="md", scale=0)
        presenter.build()
    about = gr.Markdown(describe(registry, first_pair), elem_id="pair-about")
    with gr.Row(equal_height=False, elem_id="maps-row"):
        with gr.Column():
            vae_map = latent_map(registry.bundles, elem_id="map-vae", value=vae_value)
        with gr.Column():
            ae_map = latent_map(registry.bundles, elem_id="map-ae", value=ae_value)

    def show_map(pair: str | None, map_name: str | None):
        registry.pair(pair)
        return map_values(registry, pair, map_name)[:2]

    # `.input`: the user's own choices. A lesson step sets the pair, the map and both maps in one event; a `.change`
    # here would then redo the maps without the step's cursors, from a map switch not yet holding the new choices.
    switched = [pair_box.input(friendly(lambda pair, map_name: switch_to(registry, pair, map_name)),
                               [pair_box, map_box], [vae_map, ae_map, map_box]),
                map_box.input(friendly(show_map), [pair_box, map_box], [vae_map, ae_map])]
    pair_box.change(friendly(lambda pair: describe(registry, pair)), pair_box, about)
    return Header(pair_box, map_box, vae_map, ae_map, lesson_button, switched)
