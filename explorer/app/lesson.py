"""The guided lesson on the page (its steps: explorer/lesson.py): a panel above the maps with the step's text and
its question for the class, Previous / Next / Close; the header's Lesson button opens it, `?lesson=N` opens step N.
A step sets the pair, the map, the tab below the maps and where both cursors stand. A presenter's clicker works:
PageDown / PageUp (and the arrow keys, unless a map or a field has the focus) turn the steps.
"""
import gradio as gr

from explorer.app.display import friendly
from explorer.app.header import Header, switch_to
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


def build_panel() -> tuple[gr.Column, gr.Markdown, gr.Button, gr.Button, gr.Button]:
    """The panel (hidden until a lesson starts), laid out where it is called."""
    with gr.Column(visible=False, elem_id="lesson") as panel:
        text = gr.Markdown()
        with gr.Row():
            prev = gr.Button("◀ Previous", elem_id="lesson-prev", size="sm", scale=0)
            nxt = gr.Button("Next ▶", elem_id="lesson-next", size="sm", scale=0, variant="primary")
            close = gr.Button("Close the lesson", size="sm", scale=0)
    return panel, text, prev, nxt, close


def wire(registry: Registry, top: Header, tabs: gr.Tabs, panel, text, prev, nxt, close, demo: gr.Blocks) -> None:
    """The panel's buttons, the header's Lesson button and `?lesson=N`."""
    step = gr.State(0)

    def show(i: int, current_pair: str | None):
        i = max(0, min(int(i), len(LESSON) - 1))
        s = LESSON[i]
        pair = s.pair if s.pair in registry.pairs else current_pair
        vae, ae, map_switch = switch_to(registry, pair, s.map, cursor=lambda bundle, name: cursor_point(s, bundle, name))
        return (i, gr.Column(visible=True), step_text(i), pair, map_switch, vae, ae, gr.Tabs(selected=s.tab))

    outputs = [step, panel, text, top.pair_box, top.map_box, top.vae_map, top.ae_map, tabs]
    top.lesson_button.click(friendly(show), [step, top.pair_box], outputs)
    # A press while a step is still being set up is kept and run after it (gradio's default drops it).
    nxt.click(friendly(lambda i, p: show(i + 1, p)), [step, top.pair_box], outputs, trigger_mode="always_last")
    prev.click(friendly(lambda i, p: show(i - 1, p)), [step, top.pair_box], outputs, trigger_mode="always_last")
    close.click(lambda: gr.Column(visible=False), None, panel)

    def from_url(current_pair: str | None, request: gr.Request):
        i = parse_step(request.query_params.get("lesson")) if request else None
        return [gr.skip()] * len(outputs) if i is None else show(i, current_pair)
    demo.load(friendly(from_url), [top.pair_box], outputs)
