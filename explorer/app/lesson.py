"""The guided lesson on the page (its steps: explorer/lesson.py): a panel above the maps with the step's text and
its question for the class, Previous / Next / Close; the header's Lesson button opens it, `?lesson=N` opens step N.
A step sets the pair, the map, the tab below the maps and where both cursors stand. A presenter's clicker works:
PageDown / PageUp (and the arrow keys, unless a map or a field has the focus) turn the steps.
"""
from dataclasses import dataclass, field

import gradio as gr

from explorer.app.display import friendly
from explorer.app.header import Header, switch_to
from explorer.app.latent_map.payload import start_point
from explorer.lesson import LESSON, cursor_point
from explorer.registry import Registry

# In the page's head: the panel's look, and the clicker's keys press its buttons.
HEAD = """<style>
#lesson { border: 2px solid #4f46e5; border-radius: 8px; padding: 6px 14px !important; background: #eef2ff; }
#lesson, #lesson p { color: #1e1b4b; }
.lm-present #lesson p { font-size: 18px; }
</style>
<script>
document.addEventListener('keydown', (ev) => {
  const next = document.querySelector('#lesson-next'), prev = document.querySelector('#lesson-prev');
  if (!next || !next.offsetParent || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const busy = ev.target.closest && ev.target.closest('input, textarea, select, [contenteditable], .lm-mapwrap');
  const forward = ev.key === 'PageDown' || (!busy && ev.key === 'ArrowRight');
  const back = ev.key === 'PageUp' || (!busy && ev.key === 'ArrowLeft');
  if (!forward && !back) return;
  ev.preventDefault();
  (forward ? next : prev).click();
});
</script>"""


def step_text(i: int) -> str:
    s = LESSON[i]
    return (f"**Lesson, step {i + 1} of {len(LESSON)}: {s.title}**\n\n{s.text}\n\n"
            f"**Ask the class:** {s.question}")


def parse_step(value) -> int | None:
    """`?lesson=N` (1-based) as a step index; None when absent or not a step."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n - 1 if 1 <= n <= len(LESSON) else None


@dataclass
class Panel:
    box: gr.Column
    text: gr.Markdown
    prev: gr.Button
    nxt: gr.Button
    close: gr.Button
    step: gr.State
    events: list = field(default_factory=list)   # the buttons' events that show a step (wire)


def build_panel() -> Panel:
    """The panel (hidden until a lesson starts), laid out where it is called."""
    with gr.Column(visible=False, elem_id="lesson") as box:
        text = gr.Markdown()
        with gr.Row():
            prev = gr.Button("◀ Previous", elem_id="lesson-prev", size="sm", scale=0)
            nxt = gr.Button("Next ▶", elem_id="lesson-next", size="sm", scale=0, variant="primary")
            close = gr.Button("Close the lesson", size="sm", scale=0)
    return Panel(box, text, prev, nxt, close, gr.State(None))   # the step shown; None before the lesson starts


def show_step(registry: Registry, i: int | None, current_pair: str | None) -> tuple:
    """Step i's values for the panel's outputs (outputs_of): the step, the panel, its text, the pair, the map switch
    and both maps with their cursors."""
    i = max(0, min(int(i or 0), len(LESSON) - 1))
    s = LESSON[i]
    pair = s.pair if s.pair in registry.pairs else current_pair
    # a step that leaves the cursor at the map's start moves it back there from where the last step put it
    vae, ae, map_switch = switch_to(registry, pair, s.map, cursor=lambda bundle, name: (
        cursor_point(s, bundle, name) or start_point(bundle.maps[name].xy)))
    return i, gr.Column(visible=True), step_text(i), pair, map_switch, vae, ae


def outputs_of(top: Header, panel: Panel) -> list:
    return [panel.step, panel.box, panel.text, top.pair_box, top.map_box, top.vae_map, top.ae_map]


def wire(registry: Registry, top: Header, panel: Panel) -> None:
    """The panel's buttons and the header's Lesson button. Wired before the views, so that their events join the
    header's switches (a view redoes its input on the step's pair); wire_tabs then adds each step's tab."""
    outputs, inputs = outputs_of(top, panel), [panel.step, top.pair_box]
    panel.events += [
        top.lesson_button.click(friendly(lambda i, p: show_step(registry, i, p)), inputs, outputs),
        # A press while a step is still being set up is kept and run after it (gradio's default drops it).
        panel.nxt.click(friendly(lambda i, p: show_step(registry, (i or 0) + 1, p)), inputs, outputs,
                        trigger_mode="always_last"),
        panel.prev.click(friendly(lambda i, p: show_step(registry, (i or 0) - 1, p)), inputs, outputs,
                         trigger_mode="always_last")]
    panel.close.click(lambda: gr.Column(visible=False), None, panel.box)
    top.switched += panel.events


def wire_tabs(registry: Registry, top: Header, panel: Panel, tabs: gr.Tabs, demo: gr.Blocks) -> None:
    """Once the tabs exist: each button's step then selects its tab, and `?lesson=N` opens step N, tab and all, in
    the page's own load event (a page just opened has no input for a view to redo)."""
    for event in panel.events:
        event.then(lambda i: gr.Tabs(selected=LESSON[i].tab), panel.step, tabs)
    outputs = outputs_of(top, panel)

    def from_url(current_pair: str | None, request: gr.Request):
        i = parse_step(request.query_params.get("lesson")) if request else None
        if i is None:
            return [gr.skip()] * (len(outputs) + 1)
        return *show_step(registry, i, current_pair), gr.Tabs(selected=LESSON[i].tab)
    demo.load(friendly(from_url), [top.pair_box], [*outputs, tabs])
