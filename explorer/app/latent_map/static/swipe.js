// A finger on the plot's legend or axes scrolls the page, as it would anywhere else: the plot has touch-action none
// (the data area is the map's), and CSS cannot give its SVG's parts another. It touches only the graph div and the
// window it is given, so node drives it with fakes (tests/js/swipe.test.mjs).
import { insidePlot } from './geometry.js';

// hooks: frame() -> the plot's frame (geometry.js).
export function attachSwipe(gd, win, hooks) {
  let swipe = null;   // {id, x, y}: the finger and where it was last

  function onDown(ev) {
    if (ev.pointerType !== 'touch' || swipe) return;
    const r = gd.getBoundingClientRect();
    if (insidePlot(ev.clientX - r.left, ev.clientY - r.top, hooks.frame())) return;
    swipe = { id: ev.pointerId, x: ev.clientX, y: ev.clientY };
  }

  function onMove(ev) {
    if (!swipe || ev.pointerId !== swipe.id) return;
    win.scrollBy(swipe.x - ev.clientX, swipe.y - ev.clientY);
    swipe.x = ev.clientX;
    swipe.y = ev.clientY;
  }

  function onUp(ev) {
    if (swipe && ev.pointerId === swipe.id) swipe = null;
  }

  const listeners = [[gd, 'pointerdown', onDown], [win, 'pointermove', onMove], [win, 'pointerup', onUp],
    [win, 'pointercancel', onUp]];
  const capture = { capture: true };
  for (const [target, type, fn] of listeners) target.addEventListener(type, fn, capture);
  return { detach() { for (const [target, type, fn] of listeners) target.removeEventListener(type, fn, capture); } };
}
