// A drawing pad on a canvas: light strokes on black, as the data are (MNIST's digits are light ink on a dark
// ground). The app's drawing inputs (explorer/app/draw_pad.py) and the static site's both use it. No gradio here.
// onStroke() runs when a stroke ends: the picture is the canvas itself. A tap draws a dot. Pointer events cover
// mouse, pen and touch; the canvas's CSS says touch-action: none, so a finger draws instead of scrolling.
export function attachPad(pad, { onStroke = () => {}, width = pad.width / 12 } = {}) {
  const ctx = pad.getContext('2d');
  let last = null;      // the stroke's latest point, in canvas pixels (null: no stroke under way)
  let empty = true;
  const at = (ev) => {
    const r = pad.getBoundingClientRect();
    return [(ev.clientX - r.left) * (pad.width / r.width), (ev.clientY - r.top) * (pad.height / r.height)];
  };
  const line = (from, to) => {
    Object.assign(ctx, { strokeStyle: '#fff', lineWidth: width, lineCap: 'round', lineJoin: 'round' });
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
    empty = false;
  };
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
    last = null;
    empty = true;
  };
  const end = () => { if (last) { last = null; onStroke(); } };
  clear();
  pad.addEventListener('pointerdown', (ev) => {
    if (ev.button > 0) return;
    pad.setPointerCapture(ev.pointerId);
    last = at(ev);
    line(last, last);
    ev.preventDefault();
  });
  pad.addEventListener('pointermove', (ev) => {
    if (!last) return;
    const p = at(ev);
    line(last, p);
    last = p;
  });
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  return { clear, isEmpty: () => empty };
}
