// The live latent map in the browser: plotly.js draws the map of a payload (lm_payload); the pointer controller
// moves a cursor over it; the decode source paints the decode at the cursor (the browser's copy of the decoder,
// or the server) with its nearest test images. component.py loads this module and calls mount() once per map.
//
// The cursor is an overlay of its own (a composited layer), not a plotly trace: moving it neither redraws the
// figure (so zoom and pan are never reset) nor repaints 10k SVG points (which costs ~50 ms a frame on a CPU).
import { CONFIG, layout, overlayTraces, traces } from './figure.js';
import { createDecodeSource, fetchJSON, loadBrowserModel } from './decode_source.js';
import { dataToPixel, plotFrame, relayoutFrame } from './geometry.js';
import { attachPointer } from './pointer.js';
import { createView } from './view.js';

const MAX_LOG = 5000;   // painted frames kept for tests and benchmarks

function webgl() {
  try {
    return !!document.createElement('canvas').getContext('webgl');
  } catch (err) {
    return false;
  }
}

// element: the component's root; props.value: map_value(...) JSON; server: the server functions;
// watch(prop, fn): gradio's change hook; onRelease(point): the cursor was dropped or clicked somewhere.
export function mount(element, props, server, watch, onRelease) {
  const view = createView(element);
  const gd = view.plot;
  // Everything the map knows, in one place.
  const state = {
    ready: false,       // a payload is drawn and the pointer may act on it
    payload: null,      // the drawn map (payload.py map_payload)
    selection: null,    // {bundle, map} of the payload: decodes for anything else are dropped
    cursor: [0, 0],     // in map coordinates
    traceIdx: [],       // per plotly trace, the test-set index of each point (null: not data)
    overlayCount: 0,    // plotly traces of an input image's overlay, at the end of the data
    seq: 0,             // requests made
    last: null,         // the decode shown: {seq, x, y, reliable, source}
    thumbs: new Map(),  // "bundle#index" -> hover preview
  };
  const options = { browserDecoding: true, holdPlotlyRelease: true };   // tests and benchmarks switch these
  const log = { frames: [], rtt: [], moves: 0, errors: 0 };
  const keep = (list, item) => { list.push(item); if (list.length > MAX_LOG) list.shift(); };

  const source = createDecodeSource({
    server, options, log, onDecode: paint, onError: (text) => view.error(text),
    onNeighbours: (list) => view.neighbours(state.payload.bundle, list),
  });
  const frame = () => plotFrame(gd);

  function paint(job, r, source) {
    view.paint(r);
    state.last = { seq: job.seq, x: r.x, y: r.y, reliable: r.reliable, source };
    const tPainted = performance.now();
    requestAnimationFrame(() => keep(log.frames, { seq: job.seq, t0: job.t0, tPainted, t1: performance.now(),
      x: job.x, y: job.y, source }));
  }

  // Decode at (x, y): the map's inverse there, or exactly `z` when given (an input image's code).
  function setCursor(x, y, t0 = performance.now(), z = null) {
    state.cursor = [x, y];
    view.placeCursor(frame(), state.cursor);
    if (!state.payload) return;
    log.moves += 1;
    source.request({ seq: ++state.seq, bundle: state.payload.bundle, map: state.payload.map, x, y, z, t0 });
  }

  function load(value) {
    let sel;
    try { sel = JSON.parse(value || '{}'); } catch (err) { sel = {}; }
    if (!sel.bundle) { view.error('No model selected.'); return; }
    const drawn = state.payload;
    if (drawn && state.ready && sel.bundle === drawn.bundle && (sel.map || drawn.map) === drawn.map) {
      showOverlay(sel.overlay);   // same map: keep the figure, its zoom and pan; only the overlay changes
      return;
    }
    state.ready = false;
    server.lm_payload(sel)
      .then((res) => (res && !res.error ? fetchJSON(res.url) : res))
      .catch(() => null)
      .then((p) => {
        if (!p || p.error) { view.error(p ? p.error : 'The map could not be loaded; reload the page.'); return; }
        view.error('');
        draw(p, sel.overlay);
      });
  }

  function draw(p, overlay) {
    state.payload = p;
    state.selection = { bundle: p.bundle, map: p.map };
    source.select(state.selection);
    state.overlayCount = 0;
    state.cursor = p.start.slice();
    view.title(p.title);
    const { data, traceIdx } = traces(p, webgl());
    state.traceIdx = traceIdx;
    Plotly.newPlot(gd, data, layout(p), CONFIG).then(() => {
      if (!gd.__lmEvents) {  // plotly keeps its listeners across newPlot, so bind them once
        gd.on('plotly_hover', onHover);
        gd.on('plotly_unhover', () => view.hideTip());
        gd.on('plotly_relayouting', (ev) => view.placeCursor(relayoutFrame(frame(), ev), state.cursor));
        gd.on('plotly_afterplot', () => view.placeCursor(frame(), state.cursor));
        gd.__lmEvents = true;
      }
      view.placeCursor(frame(), state.cursor);
      const sel = state.selection;
      loadBrowserModel(server, sel).then((model) => source.useModel(sel, model));
      state.ready = true;
      if (overlay) showOverlay(overlay);
      else setCursor(...state.cursor);
    });
  }

  // An input image's place on the map: its traces, and the cursor on its point decoding its exact code.
  function showOverlay(ov) {
    const n = gd.data ? gd.data.length : 0;
    const old = Array.from({ length: state.overlayCount }, (_, i) => n - 1 - i);
    state.overlayCount = 0;
    const cleared = old.length ? Plotly.deleteTraces(gd, old) : Promise.resolve();
    if (!ov || !Array.isArray(ov.point)) return cleared;
    const add = overlayTraces(ov);
    return cleared.then(() => Plotly.addTraces(gd, add)).then(() => {
      state.overlayCount = add.length;
      setCursor(ov.point[0], ov.point[1], performance.now(), Array.isArray(ov.z) ? ov.z : null);
    });
  }

  function onHover(d) {
    const pt = d.points && d.points[0];
    if (!pt || pointer.dragging() || !state.traceIdx[pt.curveNumber]) return;
    const index = state.traceIdx[pt.curveNumber][pt.pointNumber];
    const f = frame();
    const [px, py] = dataToPixel(pt.x, pt.y, f);
    const key = `${state.payload.bundle}#${index}`;
    view.tip(index, px, py, f, state.thumbs.get(key));
    if (state.thumbs.has(key)) return;
    server.lm_thumb({ bundle: state.payload.bundle, index }).then((res) => {
      if (!res || res.error) return;
      state.thumbs.set(key, res);
      view.thumb(index, res);
    });
  }

  const release = () => onRelease({ bundle: state.payload.bundle, map: state.payload.map, x: state.cursor[0],
    y: state.cursor[1] });
  const pointer = attachPointer(gd, window, {
    frame, cursor: () => state.cursor, ready: () => state.ready,
    onGrab: () => view.hideTip(),
    onDragTo: (x, y, t) => setCursor(x, y, t),
    onDrop: release,
    onClick: (x, y, t) => { setCursor(x, y, t); release(); },
  }, options);
  new ResizeObserver(() => { if (state.ready) Plotly.Plots.resize(gd); }).observe(gd);

  // The one handle tests and benchmarks use (`#elem_id .lm`): read state and log, switch options, move the cursor.
  view.root.latentMap = { state, log, options, server, element, frame, setCursor, dataToPixel,
    busy: () => source.busy(), hasBrowserModel: () => source.hasModel() };
  watch('value', () => load(props.value));
  load(props.value);
}
