"""Presenter mode: the page for a projector. Both maps and their decoded images on one screen, every text on and
beside them at least 18 CSS px, the tabs right under them; a full-screen toggle.

On with the header's button or `?present=1` in the URL. The page's head sets the mode before anything is drawn
(no flash of the normal layout); the button toggles it and keeps the URL in step, so a reload stays in it. The maps
hear a `lm-present` event on window and restyle their plots (figure.js `style`).
"""
import gradio as gr

# Runs in the page's head, before anything is drawn.
SCRIPT = """<script>
(() => {
  const root = document.documentElement;
  const on = () => root.classList.contains('lm-present');
  function present(want = !on()) {
    root.classList.toggle('lm-present', want);
    const url = new URL(location.href);
    if (want) url.searchParams.set('present', '1'); else url.searchParams.delete('present');
    history.replaceState(history.state, '', url);
    window.dispatchEvent(new Event('lm-present'));
  }
  function fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (root.requestFullscreen) root.requestFullscreen().catch(() => null);
  }
  root.classList.toggle('lm-present', new URLSearchParams(location.search).get('present') === '1');
  window.latentExplorer = Object.assign(window.latentExplorer || {}, { present, fullscreen, presenting: on });
})();
</script>"""

# Page-level rules, in the head as they are: gradio rewrites the page's `css` (it drops @container and breaks
# :is()) and scopes a component's own stylesheet under an id, so the mode's rules for the maps live here too.
# --lm-chrome: the height above and below a map's plot that the screen must also hold (the pair picker, the map's
# title, the tab bar), measured at 1024x768 and 1280x720, at 100 % and 150 %.
MAPS = ".lm-present :is(#map-vae, #map-ae)"   # beats the id that scopes the map's own stylesheet
CSS = """
.lm-present { --lm-chrome: 150px; --lm-text: 18px; }
/* with the lesson's panel open (gradio renders it only while visible), the maps make room for it */
.lm-present:has(#lesson) { --lm-chrome: 380px; }
.lm-present #lesson button { font-size: var(--lm-text) !important; }
.lm-present #intro, .lm-present #pair-about { display: none !important; }
.lm-present .gradio-container { padding-top: 2px !important; padding-bottom: 0 !important;
  --layout-gap: 6px !important; --block-padding: 2px 6px !important; }
.lm-present #header-row { flex-wrap: nowrap !important; gap: 8px !important; align-items: center; }
.lm-present #header-row > .form { min-width: 0 !important; flex: 1 1 0 !important; }
.lm-present #header-row > button { padding: 6px 10px !important; min-width: max-content !important;
  flex: 0 0 auto !important; }
.lm-present #header-row [data-testid="block-info"] { display: none; }
.lm-present #header-row input, .lm-present #header-row button, .lm-present #header-row label {
  font-size: var(--lm-text) !important; }
.lm-present #maps-row { flex-wrap: nowrap !important; gap: 10px !important; }
.lm-present #maps-row > .column { min-width: 0 !important; }
.lm-present #views button[role="tab"] { font-size: var(--lm-text) !important; }
MAPS .lm { font-size: var(--lm-text); container-type: inline-size; }
MAPS .lm-title { font-size: 20px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
MAPS .lm-head { height: 30px; }
MAPS .lm-badge, MAPS .lm-warn, MAPS .lm-coords, MAPS .lm-status, MAPS .lm-loading, MAPS .lm-error {
  font-size: var(--lm-text); line-height: 1.3; }
/* what a projector has no room for: the neighbours, the help, the latent's summary, the replay of training (the
   maps and decodes fill the screen; the normal page replays) */
MAPS .lm-nn-title, MAPS .lm-nn, MAPS .lm-help, MAPS .lm-summary, MAPS .lm-how, MAPS .lm-replay { display: none; }
/* the sliders of a latent-16 map stay (the lesson's last step opens them): one line until opened */
MAPS .lm-dims { font-size: var(--lm-text); }
MAPS .lm-body { flex-wrap: nowrap; gap: 8px; }
MAPS .lm-mapwrap { min-width: 0; }
MAPS .lm-plot { height: calc(100vh - var(--lm-chrome)); min-height: 140px; }
MAPS .lm-side { flex: 0 0 auto; width: min(38cqw, calc(100vh - var(--lm-chrome) - 60px)); }
MAPS .lm-decodewrap, MAPS .lm-decode { width: 100%; height: auto; aspect-ratio: 1; }
/* A narrow map (two side by side on a small screen): the decode under the plot, its coordinates beside it. */
@container (max-width: 560px) {
  MAPS .lm-body { flex-direction: column; }
  MAPS .lm-mapwrap { width: 100%; flex: 0 0 auto; }
  MAPS .lm-plot { height: calc(100vh - var(--lm-chrome) - 26vh - 24px); }
  MAPS .lm-side { width: 100%; display: grid; grid-template-columns: 26vh 1fr; gap: 0 8px; align-content: start; }
  MAPS .lm-decodewrap { grid-row: span 3; width: 26vh; }
}
#present-button, #leave-present-button, #fullscreen-button { flex-grow: 0 !important; min-width: max-content !important; }
.lm-present #present-button, html:not(.lm-present) #leave-present-button { display: none !important; }
""".replace("MAPS", MAPS)


def build() -> None:
    """The mode's buttons (inside the header's row)."""
    # Two buttons, one shown per mode by CSS: right from the first paint, also for a page opened in the mode.
    on = gr.Button("Presenter mode", elem_id="present-button", size="md", scale=0)
    on.click(None, js="() => window.latentExplorer.present(true)")
    off = gr.Button("Exit presenter mode", elem_id="leave-present-button", size="md", scale=0)
    off.click(None, js="() => window.latentExplorer.present(false)")
    full = gr.Button("Full screen", elem_id="fullscreen-button", size="md", scale=0)
    full.click(None, js="() => window.latentExplorer.fullscreen()")


def head() -> str:
    """The mode's script and stylesheet for the page's head."""
    return f"{SCRIPT}\n<style>{CSS}</style>"
