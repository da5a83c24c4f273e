"""A Plotly figure that changes in place: a gr.HTML whose value is a figure's JSON (plotly's own `to_json`), drawn
with Plotly.react. A new value moves the marks from where they were (with `animate`, over a short transition)
instead of building the plot again as gr.Plot does, which also costs a page far less per update. The Train view's
map of the test codes and its loss curves use it; plotly.js is the page's own (the live maps load it).
"""
import json

import gradio as gr

from explorer.app.latent_map.component import published
from explorer.app.latent_map.joined_script import load_once_js

TEMPLATE = '<div class="lf"><div class="lf-empty">{empty}</div><div class="lf-plot"></div></div>'
CSS = """.lf { position: relative; min-height: 200px; }
.lf-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  text-align: center; padding: 12px; color: var(--body-text-color, #222); font-size: 14px; }
.lf-empty[hidden] { display: none; }
.lf-plot { width: 100%; }"""
# plotly.js once for the whole page, loaded by the live maps' own script (static/plotly_ready.js), which the page
# has already or fetches once for every component that asks.
JS = """
const url = new URL(%(url)s, document.baseURI).href;
const plot = element.querySelector('.lf-plot');
const note = element.querySelector('.lf-empty');
const maps = %(maps)s;
const ready = () => maps.then((m) => m.loadPlotly(url));
let wanted = null;   // the newest figure asked for: one that arrives while plotly loads replaces the older
function draw() {
  const value = props.value;
  if (!value || value === wanted) return;
  wanted = value;
  ready().then((Plotly) => {
    if (wanted !== value) return;
    const fig = JSON.parse(value);
    const moving = %(animate)s && plot.data;   // the first figure appears; later ones move
    const layout = { ...fig.layout, autosize: true,
      ...(moving ? { transition: { duration: 350, easing: 'cubic-in-out' } } : {}) };
    note.hidden = true;
    Plotly.react(plot, fig.data, layout, { displayModeBar: false, responsive: true });   // to watch, not to edit
    plot.dataset.shown = String(Number(plot.dataset.shown || 0) + 1);   // figures drawn, for tests
  });
}
watch('value', draw);
draw();
"""


def live_figure(empty: str, animate: bool = False, **html_kwargs) -> gr.HTML:
    """An empty figure that says `empty` until a handler returns a figure's JSON (go.Figure.to_json()) for it."""
    urls = published()
    js = JS % {"url": json.dumps(urls["plotly"]), "maps": load_once_js(urls["script"], "LatentMapModule"),
               "animate": "true" if animate else "false"}
    return gr.HTML("", html_template=TEMPLATE.format(empty=empty), css_template=CSS, js_on_load=js,
                   apply_default_css=False, **html_kwargs)
