// Two fingers on the map zoom it about the point between them (plotly pans with one finger but has no pinch).
// It touches only the graph div and the window it is given, so node drives it with fakes (tests/js/pinch.test.mjs).
import { pixelToData, zoomAbout } from './geometry.js';

// hooks: frame() -> the plot's frame (geometry.js); dragging() -> whether a finger holds the cursor; onStart():
// the second finger is down (plotly's pan of the first must end); zoomTo(xRange, yRange). raf(fn) runs fn before
// the next frame is painted.
export function attachPinch(gd, win, hooks, raf = (fn) => win.requestAnimationFrame(fn)) {
  const fingers = new Map();   // pointerId -> [px, py] in the graph div
  let start = null;            // the pinch: {spread, at (data point between the fingers), frame}
  let queued = null;           // the ranges for the next frame

  const local = (ev) => {
    const r = gd.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  };
  const spread = () => {
    const [a, b] = [...fingers.values()];
    return Math.max(1, Math.hypot(a[0] - b[0], a[1] - b[1]));
  };

  function onDown(ev) {
    if (ev.pointerType !== 'touch' || hooks.dragging()) return;
    fingers.set(ev.pointerId, local(ev));
    if (fingers.size !== 2) { start = null; return; }
    const [a, b] = [...fingers.values()];
    hooks.onStart();
    const f = hooks.frame();
    start = { spread: spread(), at: pixelToData((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, f), frame: f };
  }

  function onMove(ev) {
    if (!fingers.has(ev.pointerId)) return;
    fingers.set(ev.pointerId, local(ev));
    if (!start) return;
    ev.stopPropagation();   // plotly's one-finger pan must not move the map under the pinch
    const first = queued === null;
    queued = zoomAbout(start.frame, ...start.at, start.spread / spread());
    if (first) {
      raf(() => {
        const ranges = queued;
        queued = null;
        if (ranges) hooks.zoomTo(ranges.x, ranges.y);
      });
    }
  }

  function onUp(ev) {
    fingers.delete(ev.pointerId);
    if (fingers.size < 2) start = null;
  }

  // Plotly follows a touch with listeners on the document, and counts a second finger's touchstart as the second
  // click of a double click (which resets the axes): while two fingers pinch, plotly sees neither.
  const hold = (ev) => { if (start) ev.stopPropagation(); };
  const listeners = [[gd, 'pointerdown', onDown], [gd, 'pointermove', onMove], [win, 'pointerup', onUp],
    [win, 'pointercancel', onUp], [win, 'touchmove', hold], [win, 'touchstart', hold]];
  const capture = { capture: true };
  for (const [target, type, fn] of listeners) target.addEventListener(type, fn, capture);
  return {
    pinching: () => start !== null,
    detach() { for (const [target, type, fn] of listeners) target.removeEventListener(type, fn, capture); },
  };
}
