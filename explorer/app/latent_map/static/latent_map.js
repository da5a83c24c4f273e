// The live latent map in the browser: plotly.js draws the map of a payload (lm_payload); the pointer controller
// moves a cursor over it; the decode source paints the decode at the cursor (the browser's copy of the decoder,
// or the server) with its nearest test images. component.py loads this module and calls mount() once per map.
//
// The cursor is an overlay of its own (a composited layer), not a plotly trace: moving it neither redraws the
// figure (so zoom and pan are never reset) nor repaints 10k SVG points (which costs ~50 ms a frame on a CPU).
import { createDecodeSource, fetchJSON, loadBrowserModel } from './decode_source.js';
import { base64ToLevels } from './decoder.js';
import { createDims } from './dims.js';
import { CONFIG, layout, style, traces } from './figure.js';
import { dataToPixel, plotFrame, relayoutFrame, zoomAbout } from './geometry.js';
import { toMap } from './inverse.js';
import { attachKeys } from './keys.js';
import { createLayers } from './layers.js';
import { attachPinch } from './pinch.js';
import { plotlyReady, webgl } from './plotly_ready.js';
import { attachPointer } from './pointer.js';
import { createReplay } from './replay.js';
import { attachSwipe } from './swipe.js';
import { createView } from './view.js';

const MAX_LOG = 5000;   // painted frames kept for tests and benchmarks
// Presenter mode (explorer/app/presenter.py) is a class on the page's root; its switch says so with an event.
const presenting = () => document.documentElement.classList.contains('lm-present');

// element: the component's root; props.value: map_value(...) JSON; server: the server functions;
// watch(prop, fn): gradio's change hook; onRelease(point): the cursor was dropped or clicked somewhere;
// urls.plotly: where plotly.js is (loaded after the first decode and the browser's decoder).
// plotly.js for other figures of the page (explorer/app/live_figure.py): the one copy the maps load.
export const loadPlotly = (url) => plotlyReady(url);

export function mount(element, props, server, watch, onRelease, urls = {}) {
  const view = createView(element);
  const gd = view.plot;
  // Everything the map knows, in one place.
  const state = {
    ready: false,       // a payload is drawn and the pointer may act on it
    payload: null,      // the drawn map (payload.py map_payload)
    selection: null,    // {bundle, map} of the payload: decodes for anything else are dropped
    cursor: [0, 0],     // in map coordinates
    z: null,            // the latent of the decode shown
    traceIdx: [],       // per plotly trace, the test-set index of each point (null: not data)
    classOf: null,      // per test image, its trace (class) in the payload
    overlayCount: 0,    // plotly traces of an input image's overlay, at the end of the data
    seq: 0,             // requests made
    last: null,         // the decode shown: {seq, x, y, reliable, source}
    thumbs: new Map(),  // "bundle#index" -> hover preview
    loading: null,      // the selection being fetched, until it is drawn
  };
  const options = { browserDecoding: true, holdPlotlyRelease: true };   // tests and benchmarks switch these
  const log = { frames: [], rtt: [], moves: 0, errors: 0 };
  let styled = '';   // the text sizes and legend drawn (figure.js style), as JSON
  const keep = (list, item) => { list.push(item); if (list.length > MAX_LOG) list.shift(); };

  const source = createDecodeSource({
    server, options, log, onDecode: paint, onError: (text) => view.error(text),
    onNeighbours: (list) => view.neighbours(state.payload.bundle, list),
  });
  const frame = () => plotFrame(gd);
  const layers = createLayers(gd, () => window.Plotly);
  const dims = createDims(element, fromSliders, () => setCursor(...state.cursor));
  // The replay moves the data traces (the ones with test-set indices) to an epoch's places; the grey shading of
  // the far-from-data region shows with the final places only.
  const replay = createReplay(element, ({ x, y, final }) => {
    const shading = gd.data.flatMap((t, i) => (t.type === 'heatmap' ? [i] : []));
    return window.Plotly.restyle(gd, { x, y }, state.traceIdx.flatMap((t, i) => (t ? [i] : [])))
      .then(() => (shading.length ? window.Plotly.restyle(gd, { visible: final }, shading) : null));
  });
  // Hovering a nearest test image rings its dot.
  view.onNeighbourHover((index) => {
    const p = state.payload;
    const c = index === null || !state.classOf ? -1 : state.classOf[index];
    if (c < 0) { view.spot(null); return; }
    const at = p.traces[c].idx.indexOf(index);
    view.spot(frame(), [p.traces[c].x[at], p.traces[c].y[at]]);
  });

  function paint(job, r, source) {
    view.paint(job.how ? { ...r, how: job.how } : r);
    state.z = r.z;
    dims.show(r.z, !!(job.how && job.how.startsWith('Set with the sliders')));
    state.last = { seq: job.seq, x: r.x, y: r.y, reliable: r.reliable, source };
    const tPainted = performance.now();
    requestAnimationFrame(() => keep(log.frames, { seq: job.seq, t0: job.t0, tPainted, t1: performance.now(),
      x: job.x, y: job.y, source }));
  }

  // Decode at (x, y): the map's inverse there, or exactly `z` when given (an input image's code), whose origin
  // `how` then says.
  function setCursor(x, y, t0 = performance.now(), z = null, how = null) {
    state.cursor = [x, y];
    view.placeCursor(frame(), state.cursor);
    if (!state.payload) return;
    log.moves += 1;
    source.request({ seq: ++state.seq, bundle: state.payload.bundle, map: state.payload.map, x, y, z, t0, how });
  }

  // "#12 (Trouser)" for test image 12 of the drawn map.
  function nameOf(i) {
    const c = state.classOf ? state.classOf[i] : -1;
    return c >= 0 ? `#${i} (${state.payload.traces[c].name})` : `#${i}`;
  }

  function load(value) {
    let sel;
    try { sel = JSON.parse(value || '{}'); } catch (err) { sel = {}; }
    if (!sel.bundle) { empty(sel.note || 'No model selected.'); return; }
    element.querySelector('.lm').classList.remove('lm-empty');
    const drawn = state.payload;
    if (drawn && state.ready && sel.bundle === drawn.bundle && (sel.map || drawn.map) === drawn.map) {
      // same map: keep the figure, its zoom and pan; only the layers it names change, and the cursor if it says
      showLayers(sel).then((jumped) => { if (!jumped && sel.cursor) setCursor(...sel.cursor); });
      return;
    }
    const loading = state.loading;
    if (!state.ready && loading && loading.bundle === sel.bundle && loading.map === sel.map) {
      state.loading = { ...sel, cursor: sel.cursor || loading.cursor };   // asked again while it loads
      return;
    }
    state.loading = sel;
    state.ready = false;
    replay.setup(null);
    source.select(null);   // answers about the previous map are dropped from now on
    view.loading(`Loading the map of ${sel.bundle}${sel.map ? ` (${sel.map.toUpperCase()})` : ''}…`);
    view.status('');
    // The value may say where the points are (the app's header does); else lm_payload says, or (the static site)
    // answers with the points themselves.
    (sel.url ? fetchJSON(sel.url) : server.lm_payload(sel)
      .then((res) => (res && !res.error ? (res.payload || fetchJSON(res.url)) : res)))
      .catch(() => null)
      .then((p) => {
        const wanted = state.loading;   // this map, perhaps asked again meanwhile with a cursor; or another map
        if (!wanted || wanted.bundle !== sel.bundle || wanted.map !== sel.map) return;
        if (!p || p.error) {
          const text = p ? p.error : 'The map could not be loaded; reload the page.';
          view.error(text);
          view.loading(text);
          state.loading = null;
          return;
        }
        view.error('');
        state.loading = null;
        draw(p, wanted);
      });
  }

  // No map here (a model trained without a twin): the veil says why; nothing stale stays on screen.
  function empty(note) {
    state.payload = null;
    state.loading = null;
    state.ready = false;
    state.selection = null;
    state.classOf = null;
    source.select(null);
    replay.setup(null);
    view.title('');
    view.error('');
    view.loading(note);
    element.querySelector('.lm').classList.add('lm-empty');
  }

  function draw(p, sel) {
    state.payload = p;
    state.classOf = new Int32Array(p.n).fill(-1);
    p.traces.forEach((t, c) => { for (const i of t.idx) state.classOf[i] = c; });
    state.selection = { bundle: p.bundle, map: p.map };
    source.select(state.selection);
    layers.reset();
    state.cursor = (sel.cursor || p.start).slice();
    view.title(p.title);
    dims.setup(p.dims);
    if (p.first && !sel.cursor) {   // the decode at the start, made with the payload: on screen before the map is drawn
      view.loading(`Drawing the map of ${p.bundle}…`);
      paint({ seq: ++state.seq, t0: performance.now(), x: p.start[0], y: p.start[1] },
        { ...p.first, levels: base64ToLevels(p.first.pixels) }, 'payload');
    }
    // On a slow link what decodes comes first: the decoder for the browser, then plotly.js to draw the map.
    const modelLoaded = loadModel(state.selection);
    const { data, traceIdx } = traces(p, webgl());
    state.traceIdx = traceIdx;
    (window.Plotly ? Promise.resolve() : modelLoaded)
      .then(() => plotlyReady(urls.plotly))
      .then((Plotly) => {
        if (state.payload !== p) return null;   // another map was asked for meanwhile
        const look = style(p, presenting(), gd.clientWidth, gd.clientHeight);
        styled = JSON.stringify(look);
        return Plotly.newPlot(gd, data, layout(p, look), CONFIG).then(() => drawn(p, sel));
      });
  }

  // The plot of payload p is on screen: bind its events (once), lift the veil, decode at the cursor.
  function drawn(p, sel) {
    if (state.payload !== p) return;
    if (!gd.__lmEvents) {  // plotly keeps its listeners across newPlot, so bind them once
      gd.on('plotly_hover', onHover);
      gd.on('plotly_unhover', () => view.hideTip());
      gd.on('plotly_relayouting', (ev) => view.placeCursor(relayoutFrame(frame(), ev), state.cursor));
      gd.on('plotly_afterplot', () => view.placeCursor(frame(), state.cursor));
      gd.__lmEvents = true;
    }
    view.loading(null);
    replay.setup(p);
    // The keyboard reaches the map itself (keys.js), not plotly's 14 toolbar buttons on the way to the tabs.
    gd.querySelectorAll('.modebar-btn').forEach((b) => b.setAttribute('tabindex', '-1'));
    view.placeCursor(frame(), state.cursor);
    state.ready = true;
    showLayers(sel).then((jumped) => { if (!jumped) setCursor(...state.cursor); });
  }

  // The decoder for the browser, its download shown beside the decode; the server decodes until it is there.
  function loadModel(drawn) {
    const current = () => state.selection === drawn;
    const mb = (n) => (n / 1e6).toFixed(1);
    let noted = false;
    view.status('Decoded by the server until your browser has the decoder…');
    return loadBrowserModel(server, drawn, nameOf, {
      onProgress: ({ loaded, total }) => {
        if (current() && loaded < total) {
          view.status(`Decoded by the server while your browser downloads the decoder: ${mb(loaded)} of ${mb(total)} MB`,
            { loaded, total });
        }
      },
      onNote: (note) => {
        noted = true;
        if (current()) view.status(`Decoded by the server: ${note || 'no decoder for the browser'}.`);
      },
    }).then((model) => {
      if (!current()) return;
      source.useModel(drawn, model);
      dims.enable(source.hasModel());
      if (model) view.status('Decoded in your browser, as you move.');
      else if (!noted) view.status('Decoded by the server (the decoder for your browser could not be loaded).');
    }).catch(() => null);
  }

  // The layers a map value names (an input image's overlay, other views' marks); a new overlay takes the cursor
  // to its point, decoding its exact code. Resolves to whether it did.
  async function showLayers(sel) {
    const jump = await layers.set(sel);
    state.overlayCount = layers.counts().overlay;
    restyle();   // their legend entries need room under a narrow plot
    const ov = layers.overlay();
    if (jump) {
      setCursor(ov.point[0], ov.point[1], performance.now(), Array.isArray(ov.z) ? ov.z : null,
        "Your image's code (its posterior mean μ for a VAE).");
    }
    return jump;
  }

  // A decode by the sliders: z exactly, the cursor at z's place on the map (explorer/projection.py to_map).
  function fromSliders(z) {
    const model = source.model();
    if (!model) return;
    const [x, y] = toMap(model.inverse, z);
    setCursor(x, y, performance.now(), z, 'Set with the sliders, dimension by dimension.');
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
    onClick: (x, y, t) => {   // on a mark: to it, decoding its exact latent
      const f = frame();
      const mark = layers.snap(...dataToPixel(x, y, f), f);
      if (mark) setCursor(mark.x, mark.y, t, mark.z, `${mark.label}: its latent, exactly.`);
      else setCursor(x, y, t);
      release();
    },
  }, options);
  const zoomTo = (r) => window.Plotly.relayout(gd, { 'xaxis.range': r.x, 'yaxis.range': r.y });
  attachPinch(gd, window, {
    frame, dragging: () => pointer.dragging(),
    // Plotly's pan of the first finger ends here, as its release would, without the release's pan or click.
    onStart: () => { gd._dragging = false; document.dispatchEvent(new Event('touchend')); },
    zoomTo: (x, y) => zoomTo({ x, y }),
  });
  attachSwipe(gd, window, { frame });
  attachKeys(view.wrap, {
    frame, cursor: () => state.cursor, ready: () => state.ready,
    onMove: (x, y) => { setCursor(x, y); view.announce(); },
    onDrop: release,
    zoom: (factor) => zoomTo(zoomAbout(frame(), ...state.cursor, factor)),
    reset: () => {
      const r = state.payload.range;
      window.Plotly.relayout(gd, { 'xaxis.range': [r[0], r[1]], 'yaxis.range': [r[2], r[3]] });
    },
  });

  // Text sizes and legend for the page's mode and the plot's width (figure.js style), changed only when they differ.
  function restyle() {
    if (!state.ready) return;
    const { overlay, marks } = layers.counts();
    const s = style(state.payload, presenting(), gd.clientWidth, gd.clientHeight, overlay + marks);
    const key = JSON.stringify(s);
    if (key === styled) return;
    styled = key;
    window.Plotly.relayout(gd, s);
  }
  window.addEventListener('lm-present', restyle);
  new ResizeObserver(() => { if (state.ready) { Plotly.Plots.resize(gd); restyle(); } }).observe(gd);

  // The one handle tests and benchmarks use (`#elem_id .lm`): read state and log, switch options, move the cursor.
  view.root.latentMap = { state, log, options, server, element, frame, setCursor, dataToPixel,
    busy: () => source.busy(), hasBrowserModel: () => source.hasModel(), replay };
  watch('value', () => load(props.value));
  load(props.value);
}
