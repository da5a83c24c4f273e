// Pixel <-> data coordinates of the plot area, and what counts as a click. No DOM, no plotly.
//
// A frame is the plot area inside the graph div, in CSS px, and the axis ranges it shows:
// {l, t, w, h, x0, x1, y0, y1}. Pixel y grows downwards, data y upwards.

export function pixelToData(px, py, f) {
  return [f.x0 + ((px - f.l) / f.w) * (f.x1 - f.x0), f.y1 - ((py - f.t) / f.h) * (f.y1 - f.y0)];
}

export function dataToPixel(x, y, f) {
  return [f.l + ((x - f.x0) / (f.x1 - f.x0)) * f.w, f.t + ((f.y1 - y) / (f.y1 - f.y0)) * f.h];
}

export function insidePlot(px, py, f) {
  return px >= f.l && px <= f.l + f.w && py >= f.t && py <= f.t + f.h;
}

// A press and release close in space and time is a click; anything longer is the user panning.
export function isClick(down, up, tolPx = 5, maxMs = 700) {
  return Math.hypot(up.x - down.x, up.y - down.y) <= tolPx && up.t - down.t <= maxMs;
}

// The frame of a drawn plotly graph. Plotly has no public API for the plot area's pixel box: _fullLayout._size
// (and the axes' ranges beside it) have been stable since plotly.js v1. tests/test_browser_latent_map.py checks
// this frame against the plot area plotly draws (its drag rectangle), so a change in plotly fails a test.
export function plotFrame(gd) {
  const fl = gd._fullLayout;
  const s = fl._size;
  return { l: s.l, t: s.t, w: s.w, h: s.h, x0: fl.xaxis.range[0], x1: fl.xaxis.range[1],
    y0: fl.yaxis.range[0], y1: fl.yaxis.range[1] };
}

// The frame during a pan or zoom in progress: plotly_relayouting reports the new ranges before _fullLayout has them.
export function relayoutFrame(f, ev) {
  const get = (ax, i, v) => (ev[`${ax}.range[${i}]`] ?? (ev[`${ax}.range`] || [])[i] ?? v);
  return { ...f, x0: get('xaxis', 0, f.x0), x1: get('xaxis', 1, f.x1), y0: get('yaxis', 0, f.y0),
    y1: get('yaxis', 1, f.y1) };
}

// The axis ranges that zoom frame f by `factor` (> 1: out) about the data point (x, y), which stays where it is.
export function zoomAbout(f, x, y, factor) {
  return { x: [x + (f.x0 - x) * factor, x + (f.x1 - x) * factor], y: [y + (f.y0 - y) * factor, y + (f.y1 - y) * factor] };
}
