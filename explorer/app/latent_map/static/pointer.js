// The map's pointer controller: which presses drag the cursor, which are clicks, and which are left to plotly
// (pan, scroll zoom, double-click reset), with the workarounds plotly needs. It touches only the graph div and the
// window it is given, so node drives it with fakes (tests/js/pointer.test.js).
import { dataToPixel, insidePlot, isClick, pixelToData } from './geometry.js';

export const GRAB_PX = 16;   // a press this close to the cursor drags it; farther away it pans or clicks
export const GRAB_TOUCH_PX = 36;   // a finger covers the ring: it may land this far off and still grab it

// hooks: frame() -> the plot's frame (geometry.js); cursor() -> [x, y]; ready() -> whether a map is drawn;
// onGrab(); onDragTo(x, y, t); onDrop(); onClick(x, y, t). options.holdPlotlyRelease: see holdRelease below.
// raf(fn) runs fn before the next frame is painted.
export function attachPointer(gd, win, hooks, options, raf = (fn) => win.requestAnimationFrame(fn)) {
  const st = { drag: null, down: null, holdRelease: false, releasing: false };
  // Chromium holds pointermove back until the next frame; pointerrawupdate (secure pages) arrives at once, so the
  // decode is done before that frame starts.
  const rawMoves = 'onpointerrawupdate' in win;

  const localXY = (ev, r = gd.getBoundingClientRect()) => [ev.clientX - r.left, ev.clientY - r.top];

  function onDown(ev) {
    st.holdRelease = false;
    if (!hooks.ready() || ev.button > 0) return;
    const [px, py] = localXY(ev);
    const f = hooks.frame();
    if (!insidePlot(px, py, f)) return;   // modebar, legend and axes keep their own behaviour
    const [cx, cy] = dataToPixel(...hooks.cursor(), f);
    if (Math.hypot(px - cx, py - cy) <= (ev.pointerType === 'touch' ? GRAB_TOUCH_PX : GRAB_PX)) {
      ev.preventDefault();   // no compatibility mousedown, so plotly does not start a pan
      ev.stopPropagation();
      gd.setPointerCapture(ev.pointerId);
      st.drag = { id: ev.pointerId, rect: gd.getBoundingClientRect(), pending: null, inFrame: false };
      gd.classList.add('lm-dragging');
      hooks.onGrab();
    } else {
      st.down = { id: ev.pointerId, x: ev.clientX, y: ev.clientY, t: ev.timeStamp };
    }
  }

  // At most one decode per frame: a faster mouse's extra moves wait for the frame, and only the latest of them
  // is decoded.
  function onMove(ev) {
    const drag = st.drag;
    if (!drag || ev.pointerId !== drag.id) return;
    ev.preventDefault();
    ev.stopPropagation();
    if (ev.type === 'pointermove' && rawMoves) return;   // already handled as a raw update
    // the plot does not move during a drag: reading its rectangle again would force a layout
    const move = { xy: pixelToData(...localXY(ev, drag.rect), hooks.frame()), t: ev.timeStamp };
    if (drag.inFrame) { drag.pending = move; return; }
    drag.inFrame = true;
    raf(() => {
      drag.inFrame = false;
      const next = drag.pending;
      drag.pending = null;
      if (next && st.drag === drag) hooks.onDragTo(...next.xy, next.t);
    });
    hooks.onDragTo(...move.xy, move.t);
  }

  function onUp(ev) {
    if (st.drag && ev.pointerId === st.drag.id) {
      const last = st.drag.pending;   // a move still waiting for its frame is the final position
      st.drag = null;
      if (last) hooks.onDragTo(...last.xy, last.t);
      gd.classList.remove('lm-dragging');
      hooks.onDrop();
      return;
    }
    const down = st.down;
    st.down = null;
    if (!down || ev.pointerId !== down.id || ev.type === 'pointercancel') return;
    if (!isClick(down, { x: ev.clientX, y: ev.clientY, t: ev.timeStamp })) return;
    const [px, py] = localXY(ev);
    const f = hooks.frame();
    if (!insidePlot(px, py, f)) return;
    st.holdRelease = options.holdPlotlyRelease && ev.pointerType === 'mouse';   // a tap has no mouseup to hold
    hooks.onClick(...pixelToData(px, py, f), ev.timeStamp);
  }

  // Plotly handles a click's release by hit-testing every trace under the pointer, which can hold the main thread
  // for tens of ms before the new decode is shown; so the mouseup of a click reaches plotly one frame later, after
  // that frame (its double-click detection and drag clean-up work as before). Mouse moves wait too, or plotly,
  // still holding the press, would start a pan.
  function holdRelease(ev) {
    if (!st.holdRelease || ev.button > 0) return;
    st.holdRelease = false;
    st.releasing = true;
    ev.stopImmediatePropagation();
    const init = { bubbles: true, cancelable: true, composed: true, clientX: ev.clientX, clientY: ev.clientY,
      screenX: ev.screenX, screenY: ev.screenY, button: ev.button, buttons: ev.buttons, detail: ev.detail,
      ctrlKey: ev.ctrlKey, shiftKey: ev.shiftKey, altKey: ev.altKey, metaKey: ev.metaKey };
    const target = ev.target;
    raf(() => win.setTimeout(() => {
      st.releasing = false;
      target.dispatchEvent(new win.MouseEvent('mouseup', init));
    }));
  }

  const heldMove = (ev) => { if (st.releasing) ev.stopImmediatePropagation(); };
  // While the cursor is dragged plotly must not pan or hover (its hover walks every point on every move).
  const whileDragging = (ev) => { if (st.drag) ev.stopPropagation(); };
  const listeners = [
    [gd, 'pointerdown', onDown],   // capture: decide before plotly sees the press
    [gd, 'pointermove', onMove],
    [gd, 'touchstart', whileDragging],
    [gd, 'mousemove', whileDragging],
    // On the window: after a pan plotly's drag cover, not the graph, receives the release.
    [win, 'pointerup', onUp],
    [win, 'pointercancel', onUp],
    [win, 'mouseup', holdRelease],
    [win, 'mousemove', heldMove],
  ];
  if (rawMoves) listeners.push([gd, 'pointerrawupdate', onMove]);
  const capture = { capture: true };   // (an object, not `true`: node's EventTarget, used in tests, wants one)
  for (const [target, type, fn] of listeners) target.addEventListener(type, fn, capture);

  return {
    dragging: () => st.drag !== null,
    detach() { for (const [target, type, fn] of listeners) target.removeEventListener(type, fn, capture); },
  };
}
