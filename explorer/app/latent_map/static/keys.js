// The map from the keyboard. The plot's frame takes focus (Tab); then the arrow keys move the cursor (Shift: five
// times as far), Enter or Space drops it where it is (as a click would: the other views follow), + and − zoom
// around the cursor, 0 shows the whole map again. PageUp/PageDown and everything else are left to the page (the
// lesson uses them). It touches only the element it is given, so node drives it with a fake (tests/js/keys.test.mjs).

export const STEPS = 40;   // one arrow press moves the cursor 1/40 of the range in view
export const BIG_STEP = 5;

const clamp = (v, lo, hi) => Math.min(Math.max(v, Math.min(lo, hi)), Math.max(lo, hi));

// hooks: frame() -> the plot's frame (geometry.js); cursor() -> [x, y]; ready(); onMove(x, y); onDrop();
// zoom(factor): factor < 1 zooms in around the cursor; reset().
export function attachKeys(target, hooks) {
  function onKey(ev) {
    if (!hooks.ready() || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const f = hooks.frame();
    const [x, y] = hooks.cursor();
    const k = ev.shiftKey ? BIG_STEP : 1;
    const dx = ((f.x1 - f.x0) / STEPS) * k;
    const dy = ((f.y1 - f.y0) / STEPS) * k;
    const moves = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] };
    if (moves[ev.key]) {
      // the ring stays in view: the keyboard cannot pan, so it never leaves what the user sees
      hooks.onMove(clamp(x + moves[ev.key][0], f.x0, f.x1), clamp(y + moves[ev.key][1], f.y0, f.y1));
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      hooks.onDrop();
    } else if (ev.key === '+' || ev.key === '=') {
      hooks.zoom(0.5);
    } else if (ev.key === '-' || ev.key === '_') {
      hooks.zoom(2);
    } else if (ev.key === '0') {
      hooks.reset();
    } else {
      return;
    }
    ev.preventDefault();   // no page scroll under an arrow press
  }
  target.addEventListener('keydown', onKey);
  return { detach() { target.removeEventListener('keydown', onKey); } };
}
