// The latent map's plotly figure as plain data: traces, layout and config from a payload (payload.py), and the
// traces of an input image's overlay. No DOM; latent_map.js draws them with Plotly.newPlot.

// Above this many points the data go to WebGL: thousands of SVG markers make every repaint of the page
// (a new decode beside the map) re-layerize each marker, ~50 ms a frame on a CPU-only machine.
export const GL_POINTS = 2000;
const FAR = 'rgba(110, 110, 110, 0.16)';   // faint: the far region is shown, the dots stay what one sees
const FAR_KEY = 'rgba(110, 110, 110, 0.35)';
// A column of the legend under a narrow plot: plotly's symbol and gaps (~40 px) and the longest name at 11.5 px.
const LEGEND_COLUMN_PX = 120;

export const CONFIG = { responsive: true, scrollZoom: true, displaylogo: false, doubleClick: 'reset',
  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'] };

// {data, traceIdx}: traceIdx[i] lists the test-set index of each point of trace i (null: not data points).
export function traces(p, canWebGL) {
  const data = [];
  if (p.unreliable) {
    const u = p.unreliable;
    data.push({ type: 'heatmap', x: u.x, y: u.y, z: u.z, hoverinfo: 'skip', showscale: false,
      colorscale: [[0, FAR], [1, FAR]], zmin: 0, zmax: 1, showlegend: false });
    data.push({ type: 'scatter', mode: 'markers', x: [null], y: [null], hoverinfo: 'skip',
      name: 'far from the data', marker: { symbol: 'square', size: 11, color: FAR_KEY } });
  }
  const traceIdx = data.map(() => null);
  const size = p.n > 3000 ? 3 : 6;
  const type = p.n > GL_POINTS && canWebGL ? 'scattergl' : 'scatter';
  for (const t of p.traces) {
    data.push({ type, mode: 'markers', name: t.name, x: t.x, y: t.y, hoverinfo: 'none',
      marker: { color: t.color, size, opacity: 0.75 } });
    traceIdx.push(t.idx);
  }
  return { data, traceIdx };
}

function shapes(p, big) {
  return p.circles.map((r) => ({ type: 'circle', xref: 'x', yref: 'y', x0: -r, y0: -r, x1: r, y1: r,
    layer: 'below', line: { color: '#888', width: 1, dash: 'dot' },
    label: { text: r + 'σ', textposition: 'top right', font: { size: big ? 18 : 10, color: '#666' } } }));
}

// Text sizes and the legend, as a relayout, for the plot's width in CSS px. The legend goes to the plot's right
// when the plot is wide enough to keep a square data area beside it, else under it in columns as many as fit (plotly
// otherwise stacks a long legend in one scrolling column). Presenter mode (`big`): every text 18 px, and no
// legend on a narrow plot (the hover preview still names each dot).
// `extra`: legend entries beyond the payload's (an input image's overlay, other views' marks).
export function style(p, big, width, height = 420, extra = 0) {
  const text = big ? 18 : 12;
  const side = width >= (big ? 640 : 380);
  let legend = { orientation: 'v', x: 1.02, y: 1, xanchor: 'left', yanchor: 'top' };
  let bottom = big ? 56 : 40;   // room for the x axis: its ticks and title
  const shown = side || !big;
  if (!side && shown) {   // the legend's rows get a margin of their own under the axis title
    const items = p.traces.length + (p.unreliable ? 1 : 0) + extra;
    const columns = Math.max(1, Math.floor((width - 54) / LEGEND_COLUMN_PX));
    const rows = Math.ceil(items / columns);
    const legendPx = rows * (text + 8) + 18;
    const plotPx = Math.max(60, height - 8 - bottom - legendPx);
    // entrywidth as a fraction of the plot's width: in pixels plotly adds its own gaps and falls back to one
    // scrolling column when they do not fit
    legend = { orientation: 'h', x: 0, y: -(bottom + 14) / plotPx, yanchor: 'top', entrywidth: 0.999 / columns,
      entrywidthmode: 'fraction' };
    bottom += legendPx;
  }
  return { font: { size: text }, showlegend: shown, shapes: shapes(p, big),
    margin: { l: big ? 62 : 46, r: 8, t: 8, b: bottom },
    legend: { ...legend, font: { size: big ? 18 : 11.5 }, itemsizing: 'constant' } };
}

// `look`: style(...) for the page's mode and the plot's size (the normal page's, by default).
export function layout(p, look = style(p, false, 1000, 420)) {
  const r = p.range;
  return {
    dragmode: 'pan', hovermode: 'closest', uirevision: p.bundle + p.map,
    xaxis: { range: [r[0], r[1]], zeroline: false, title: { text: p.map === 'latent' ? 'z₁' : p.map + ' 1' } },
    yaxis: { range: [r[2], r[3]], zeroline: false, scaleanchor: 'x', scaleratio: 1,
      title: { text: p.map === 'latent' ? 'z₂' : p.map + ' 2' } },
    plot_bgcolor: '#fff', paper_bgcolor: '#fff', ...look,
  };
}

// An input image's place on the map (explorer/reconstruction.py map_overlay): its code as a cross and, for a
// VAE, the 1σ / 2σ outlines of q(z|x).
export function overlayTraces(ov) {
  const grow = ov.exaggerate > 1 ? ` (×${ov.exaggerate})` : '';
  const out = (ov.ellipses || []).map((e) => ({
    type: 'scatter', mode: 'lines', x: e.xy.map((q) => q[0]), y: e.xy.map((q) => q[1]), hoverinfo: 'skip',
    name: `q(z|x) ${e.sigma}σ${grow}`, line: { color: '#111', width: e.sigma === 1 ? 2.5 : 1.5,
      dash: e.sigma === 1 ? 'solid' : 'dash' } }));
  out.push({ type: 'scatter', mode: 'markers', x: [ov.point[0]], y: [ov.point[1]], hoverinfo: 'skip',
    name: ov.ellipses && ov.ellipses.length ? 'your image: μ' : 'your image: z',
    marker: { symbol: 'x', size: 15, color: '#111', line: { color: '#fff', width: 1.5 } } });
  return out;
}

// Latents other views made (explorer/marks.py): points, or a path through them; white-filled so they read as
// "not data" over the coloured dots.
export function markTraces(marks) {
  return (marks || []).map((m) => ({
    type: 'scatter', mode: m.path ? 'lines+markers' : 'markers', x: m.x, y: m.y, name: m.name, hoverinfo: 'text',
    text: m.labels, marker: { symbol: 'diamond', size: 9, color: '#fff', line: { color: '#111', width: 1.5 } },
    line: { color: '#111', width: 1.5 } }));
}
