// The live latent map in the browser: plotly.js draws the map once per payload; pointer events move a cursor
// whose decode is painted in the same frame by the browser's own copy of the decoder (latent_decoder.js, weights
// from the server function lm_model), or, until that has loaded or for a decoder it cannot run, by the server
// (lm_decode). The server also sends the nearest test images; lm_payload and lm_thumb draw the map and previews
// (explorer/latent_map.py).
// The cursor is an overlay of its own (a composited layer), not a plotly trace: moving it neither redraws the
// figure (so zoom and pan are never reset) nor repaints 10k SVG points (which costs ~50 ms a frame on a CPU).
(function () {
  'use strict';
  const GRAB_PX = 16;       // a press this close to the cursor drags it; farther away it pans or clicks
  const MAX_FRAMES = 5000;  // paint log kept for tests and benchmarks
  // While the browser decodes, the nearest test images are asked for at most this often (and for the last
  // position always): a request per move would cost the page's main thread more than the decode itself.
  const NEIGHBOURS_MS = 100;
  // weights URL -> Promise of a decoder (null if it failed to load): once per page, for its maps and map switches
  const DECODERS = new Map();

  function webgl() {
    try {
      return !!document.createElement('canvas').getContext('webgl');
    } catch (err) {
      return false;
    }
  }

  function mount(element, props, server, watch, onRelease) {
    const Geom = window.LatentMapGeom;
    const Dec = window.LatentDecoder;
    const Fig = window.LatentMapFigure;
    const $ = (sel) => element.querySelector(sel);
    const gd = $('.lm-plot');
    const view = {
      title: $('.lm-title'), img: $('.lm-decode'), coords: $('.lm-coords'), summary: $('.lm-summary'),
      badge: $('.lm-badge'), clip: $('.lm-clip'), ring: $('.lm-cursor'), warn: $('.lm-warn'), nn: $('.lm-nn'), tip: $('.lm-tip'), error: $('.lm-error'),
    };
    const st = {
      payload: null, cursor: [0, 0], traceIdx: [], drag: null, down: null, seq: 0,
      last: null, thumbs: new Map(), moves: 0, frames: [], rtt: [], errors: 0, local: null,
      nnJob: null, nnTimer: null, nnAt: -Infinity, nnShown: '',
    };
    const ctx = view.img.getContext('2d');
    const image = ctx.createImageData(28, 28);
    // state, frame(), setCursor(); browserDecoding = false sends every decode to the server and
    // holdPlotlyRelease = false hands a click's release to plotly at once (tests, benchmarks)
    const api = { state: st, element, browserDecoding: true, holdPlotlyRelease: true };
    $('.lm').latentMap = api;  // a handle for tests and benchmarks (`#elem_id .lm`): state, frame(), setCursor()

    const decoder = Geom.latestWins(
      (job) => {
        job.tSend = performance.now();
        return server.lm_decode({ bundle: job.bundle, map: job.map, x: job.x, y: job.y, image: !job.local });
      },
      onServer);
    const thumbs = Geom.latestWins((i) => server.lm_thumb({ bundle: st.payload.bundle, index: i }), showThumb);

    function showError(text) {
      view.error.textContent = text || '';
      view.error.hidden = !text;
    }

    function frame() {  // plotly has no public pixel API; _fullLayout._size and axis ranges are stable since v1
      const fl = gd._fullLayout;
      const s = fl._size;
      return { l: s.l, t: s.t, w: s.w, h: s.h, x0: fl.xaxis.range[0], x1: fl.xaxis.range[1],
        y0: fl.yaxis.range[0], y1: fl.yaxis.range[1] };
    }
    api.frame = frame;
    api.busy = () => decoder.busy() || st.nnTimer !== null;
    api.server = server;

    function localXY(ev) {
      const r = gd.getBoundingClientRect();
      return [ev.clientX - r.left, ev.clientY - r.top];
    }

    function load(value) {
      let sel;
      try { sel = JSON.parse(value || '{}'); } catch (err) { sel = {}; }
      if (!sel.bundle) { showError('No model selected.'); return; }
      const drawn = st.payload;
      if (drawn && api.ready && sel.bundle === drawn.bundle && (sel.map || drawn.map) === drawn.map) {
        showOverlay(sel.overlay);   // same map: keep the figure, its zoom and pan; only the overlay changes
        return;
      }
      api.ready = false;
      server.lm_payload(sel).then((p) => {
        if (!p || p.error) { showError(p ? p.error : 'The map could not be loaded (see the server log).'); return; }
        showError('');
        draw(p, sel.overlay);
      });
    }

    function showOverlay(ov) {
      const n = gd.data ? gd.data.length : 0;
      const old = Array.from({ length: st.overlayCount || 0 }, (_, i) => n - 1 - i);
      st.overlayCount = 0;
      const cleared = old.length ? Plotly.deleteTraces(gd, old) : Promise.resolve();
      if (!ov || !Array.isArray(ov.point)) return cleared;
      const add = Fig.overlayTraces(ov);
      return cleared.then(() => Plotly.addTraces(gd, add)).then(() => {
        st.overlayCount = add.length;
        api.setCursor(ov.point[0], ov.point[1]);
      });
    }

    function draw(p, overlay) {
      st.payload = p;
      st.local = null;
      st.overlayCount = 0;
      st.cursor = p.start.slice();
      view.title.textContent = p.title;
      const { data, traceIdx } = Fig.traces(p, webgl());
      st.traceIdx = traceIdx;
      Plotly.newPlot(gd, data, Fig.layout(p), Fig.CONFIG).then(() => {
        if (!gd.__lmEvents) {  // plotly keeps its listeners across newPlot, so bind them once
          gd.on('plotly_hover', onHover);
          gd.on('plotly_unhover', () => { view.tip.hidden = true; });
          gd.on('plotly_relayouting', duringRelayout);
          gd.on('plotly_afterplot', () => placeCursor());
          gd.__lmEvents = true;
        }
        placeCursor();
        loadBrowserDecoder(p);
        api.ready = true;
        if (overlay) showOverlay(overlay);
        else request(st.cursor[0], st.cursor[1], performance.now());
      });
    }

    // Put the overlay on the plot area and the ring at the cursor; `f` may be a frame in the middle of a pan.
    function placeCursor(f = frame()) {
      Object.assign(view.clip.style, { left: `${f.l}px`, top: `${f.t}px`, width: `${f.w}px`, height: `${f.h}px` });
      const [px, py] = Geom.dataToPixel(st.cursor[0], st.cursor[1], f);
      view.ring.style.transform = `translate(${px - f.l}px, ${py - f.t}px)`;
      view.clip.hidden = false;
    }

    function moveCursor(x, y) {
      st.cursor = [x, y];
      placeCursor();
    }

    // plotly_relayouting reports the ranges of a pan or zoom in progress before _fullLayout has them.
    function duringRelayout(ev) {
      const f = frame();
      const get = (ax, i, v) => (ev[`${ax}.range[${i}]`] ?? (ev[`${ax}.range`] || [])[i] ?? v);
      placeCursor({ ...f, x0: get('xaxis', 0, f.x0), x1: get('xaxis', 1, f.x1),
        y0: get('yaxis', 0, f.y0), y1: get('yaxis', 1, f.y1) });
    }

    // Fetch the map's inverse and the decoder's weights (once per page); until they arrive the server decodes.
    function loadBrowserDecoder(p) {
      server.lm_model({ bundle: p.bundle, map: p.map }).then((res) => {
        if (!res || res.error || !res.decoder) return;   // res.note says why the server keeps decoding
        const { url } = res.decoder;
        if (!DECODERS.has(url)) {
          DECODERS.set(url, fetch(url)
            .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(r.statusText))))
            .then((buf) => Dec.loadDecoder(res.decoder, new Float32Array(buf)))
            .catch(() => { DECODERS.delete(url); return null; }));
        }
        const inverse = Dec.loadInverse(res.inverse);
        DECODERS.get(url).then((decoder) => {
          if (decoder && st.payload === p) st.local = { decoder, inverse, payload: p };
        });
      });
    }

    function request(x, y, t0) {
      if (!st.payload) return;
      st.moves += 1;
      const job = { seq: ++st.seq, bundle: st.payload.bundle, map: st.payload.map, x, y, t0 };
      if (st.local && st.local.payload === st.payload && api.browserDecoding) {
        try {
          const r = Dec.toLatent(st.local.inverse, x, y);
          Dec.toRGBA(Dec.decode(st.local.decoder, r.z), image.data);
          showDecode(job, { ...r, coords: Dec.coordsText(job.map, r.x, r.y), summary: Dec.summaryText(job.map, r.z) },
            'browser');
          job.local = true;
        } catch (err) {
          console.error('latent map: decoding in the browser failed; the server decodes from now on', err);
          st.local = null;
        }
      }
      if (job.local) neighboursSoon(job);
      else decoder.push(job);   // the server sends the image and the nearest test images
    }

    // Ask for the nearest test images of the latest position, at most every NEIGHBOURS_MS.
    function neighboursSoon(job) {
      st.nnJob = job;
      if (st.nnTimer !== null) return;
      st.nnTimer = setTimeout(() => {
        st.nnTimer = null;
        st.nnAt = performance.now();
        decoder.push(st.nnJob);
      }, Math.max(0, st.nnAt + NEIGHBOURS_MS - performance.now()));
    }

    function onServer(job, res) {
      if (!res || res.error) {
        st.errors += 1;
        showError(res ? res.error : 'The decode failed on the server (see its log).');
        return;
      }
      if (!st.payload || res.bundle !== st.payload.bundle || res.map !== st.payload.map) return;
      st.rtt.push(performance.now() - job.tSend);
      if (st.rtt.length > MAX_FRAMES) st.rtt.shift();
      showError('');
      // Never paint over a newer decode: the browser may have painted later moves while this one travelled.
      if (!job.local && (!st.last || job.seq > st.last.seq)) {
        Dec.base64ToRGBA(res.pixels, image.data);
        showDecode(job, res, 'server');
      }
      const shown = `${res.bundle} ${res.neighbours.map((n) => n.index).join(' ')}`;
      if (shown === st.nnShown) return;   // the same five images: nothing to redraw
      st.nnShown = shown;
      const cells = view.nn.querySelectorAll('figure');
      res.neighbours.forEach((n, i) => {
        if (!cells[i]) return;
        cells[i].querySelector('img').src = n.image;
        cells[i].querySelector('figcaption').textContent = n.label;
        cells[i].title = `test image #${n.index}`;
      });
    }

    // Paint the decode in image.data (the canvas is drawn now, the browser shows it in the coming frame), with
    // its point's texts, and log that frame.
    function showDecode(job, r, source) {
      ctx.putImageData(image, 0, 0);
      view.img.classList.toggle('lm-dim', !r.reliable);
      view.badge.hidden = r.reliable;
      view.warn.hidden = r.reliable;
      view.coords.textContent = r.coords + (r.clamped ? ' (clamped to the map)' : '');
      view.summary.textContent = r.summary;
      st.last = { seq: job.seq, x: r.x, y: r.y, reliable: r.reliable, source };
      const tPainted = performance.now();
      requestAnimationFrame(() => {
        st.frames.push({ seq: job.seq, t0: job.t0, tPainted, t1: performance.now(), x: job.x, y: job.y, source });
        if (st.frames.length > MAX_FRAMES) st.frames.shift();
      });
    }

    function onHover(d) {
      const pt = d.points && d.points[0];
      if (!pt || st.drag || !st.traceIdx[pt.curveNumber]) return;
      const index = st.traceIdx[pt.curveNumber][pt.pointNumber];
      const f = frame();
      const [px, py] = Geom.dataToPixel(pt.x, pt.y, f);
      const flip = px > f.l + f.w - 110;  // keep the preview inside the map near its right edge
      view.tip.style.left = `${flip ? px - 104 : px + 12}px`;
      view.tip.style.top = `${py + 12}px`;
      view.tip.dataset.index = index;
      view.tip.hidden = false;
      const cached = st.thumbs.get(`${st.payload.bundle}#${index}`);
      if (cached) showThumb(index, cached);
      else { view.tip.querySelector('span').textContent = `#${index}`; thumbs.push(index); }
    }

    function showThumb(index, res) {
      if (!res || res.error) return;
      st.thumbs.set(`${st.payload.bundle}#${index}`, res);
      if (String(view.tip.dataset.index) !== String(index)) return;
      view.tip.querySelector('img').src = res.image;
      view.tip.querySelector('span').textContent = `${res.label} · #${index}`;
    }

    function onDown(ev) {
      st.holdRelease = false;
      if (!api.ready || ev.button > 0) return;
      const [px, py] = localXY(ev);
      const f = frame();
      if (!Geom.insidePlot(px, py, f)) return;  // modebar, legend and axes keep their own behaviour
      const [cx, cy] = Geom.dataToPixel(st.cursor[0], st.cursor[1], f);
      if (Math.hypot(px - cx, py - cy) <= GRAB_PX) {
        ev.preventDefault();   // no compatibility mousedown, so plotly does not start a pan
        ev.stopPropagation();
        gd.setPointerCapture(ev.pointerId);
        st.drag = { id: ev.pointerId, rect: gd.getBoundingClientRect(), pending: null, inFrame: false };
        view.tip.hidden = true;
        gd.classList.add('lm-dragging');
      } else {
        st.down = { id: ev.pointerId, x: ev.clientX, y: ev.clientY, t: ev.timeStamp };
      }
    }

    // Chromium holds pointermove back until the next frame; pointerrawupdate (secure pages) arrives at once, so
    // the decode is done before that frame starts. At most one decode per frame: a faster mouse's extra moves
    // wait for the frame and only the latest of them is decoded.
    const RAW_MOVES = 'onpointerrawupdate' in window;

    function onMove(ev) {
      if (!st.drag || ev.pointerId !== st.drag.id) return;
      ev.preventDefault();
      ev.stopPropagation();
      if (ev.type === 'pointermove' && RAW_MOVES) return;   // already handled as a raw update
      const drag = st.drag;
      const r = drag.rect;   // the plot does not move during a drag; reading it again would force a layout
      const move = { xy: Geom.pixelToData(ev.clientX - r.left, ev.clientY - r.top, frame()), t: ev.timeStamp };
      if (drag.inFrame) { drag.pending = move; return; }
      drag.inFrame = true;
      requestAnimationFrame(() => {
        drag.inFrame = false;
        const next = drag.pending;
        drag.pending = null;
        if (next && st.drag === drag) dragTo(next);
      });
      dragTo(move);
    }

    function dragTo({ xy: [x, y], t }) {
      moveCursor(x, y);
      request(x, y, t);
    }

    function onUp(ev) {
      if (st.drag && ev.pointerId === st.drag.id) {
        const last = st.drag.pending;   // a move still waiting for its frame is the final position
        st.drag = null;
        if (last) dragTo(last);
        gd.classList.remove('lm-dragging');
        onRelease({ bundle: st.payload.bundle, map: st.payload.map, x: st.cursor[0], y: st.cursor[1] });
        return;
      }
      const down = st.down;
      st.down = null;
      if (!down || ev.pointerId !== down.id || ev.type === 'pointercancel') return;
      if (!Geom.isClick(down, { x: ev.clientX, y: ev.clientY, t: ev.timeStamp })) return;
      const [px, py] = localXY(ev);
      const f = frame();
      if (!Geom.insidePlot(px, py, f)) return;
      const [x, y] = Geom.pixelToData(px, py, f);
      api.setCursor(x, y, ev.timeStamp);
      st.holdRelease = api.holdPlotlyRelease && ev.pointerType === 'mouse';   // a tap has no mouseup to hold
      onRelease({ bundle: st.payload.bundle, map: st.payload.map, x, y });
    }

    // Plotly handles a click's release by hit-testing every trace under the pointer, which can hold the main
    // thread for tens of ms before the new decode is shown; so the mouseup of a click reaches plotly one frame
    // later, after that frame (its double-click detection and drag clean-up work as before). Mouse moves wait
    // too, or plotly, still holding the press, would start a pan.
    function holdRelease(ev) {
      if (!st.holdRelease || ev.button > 0) return;
      st.holdRelease = false;
      st.releasing = true;
      ev.stopImmediatePropagation();
      const init = { bubbles: true, cancelable: true, composed: true, clientX: ev.clientX, clientY: ev.clientY,
        screenX: ev.screenX, screenY: ev.screenY, button: ev.button, buttons: ev.buttons, detail: ev.detail,
        ctrlKey: ev.ctrlKey, shiftKey: ev.shiftKey, altKey: ev.altKey, metaKey: ev.metaKey };
      const target = ev.target;
      requestAnimationFrame(() => setTimeout(() => {
        st.releasing = false;
        target.dispatchEvent(new MouseEvent('mouseup', init));
      }));
    }

    api.setCursor = (x, y, t0 = performance.now()) => {
      moveCursor(x, y);
      request(x, y, t0);
    };

    gd.addEventListener('pointerdown', onDown, true);  // capture: decide before plotly sees the press
    gd.addEventListener('pointermove', onMove, true);
    if (RAW_MOVES) gd.addEventListener('pointerrawupdate', onMove, true);
    // On the window: after a pan plotly's drag cover, not the graph, receives the release.
    window.addEventListener('pointerup', onUp, true);
    window.addEventListener('pointercancel', onUp, true);
    window.addEventListener('mouseup', holdRelease, true);
    window.addEventListener('mousemove', (ev) => { if (st.releasing) ev.stopImmediatePropagation(); }, true);
    // While the cursor is dragged plotly must not pan or hover (its hover walks every point on every move).
    gd.addEventListener('touchstart', (ev) => { if (st.drag) ev.stopPropagation(); }, { capture: true });
    gd.addEventListener('mousemove', (ev) => { if (st.drag) ev.stopPropagation(); }, true);
    new ResizeObserver(() => { if (api.ready) Plotly.Plots.resize(gd); }).observe(gd);
    watch('value', () => load(props.value));
    load(props.value);
    return api;
  }

  window.LatentMapUI = { mount };
})();
