// Where the decode beside the map comes from, and its nearest test images. No DOM, no plotly.
//
// A request is a map point {x, y}, whose latent the map's inverse gives, or a point with its exact latent {z}
// (an input image's code, decoded as it is until the cursor moves). The browser's own copy of the decoder paints
// it at once when it has loaded; until then, or if it fails, the server decodes (lm_decode) with one request in
// flight and only the latest waiting. Either way the nearest test images are asked for from the latent
// (lm_neighbours), at most every NEIGHBOURS_MS and always for the last position. A late answer never paints over
// a newer decode, and an answer for another map than the one selected is dropped.
import { base64ToLevels, decode, loadDecoder, toLevels, weightsFrom } from './decoder.js';
import { coordsText, howText, loadInverse, summaryText, toLatent } from './inverse.js';

// A request per move would cost the page's main thread more than the decode itself.
export const NEIGHBOURS_MS = 100;
const MAX_RTT = 5000;

// Keep one request in flight; while it runs, newer jobs replace each other and only the latest is sent next.
// send(job) -> Promise of a result (a rejection is delivered as undefined); deliver(job, result) runs for every
// job that was sent, in order.
export function latestWins(send, deliver) {
  let pending = null;
  let inflight = false;
  async function pump() {
    inflight = true;
    while (pending) {
      const job = pending;
      pending = null;
      let result;
      try {
        result = await send(job);
      } catch (err) {
        result = undefined;
      }
      deliver(job, result);
    }
    inflight = false;
  }
  return {
    push(job) {
      pending = job;
      if (!inflight) pump();
    },
    busy: () => inflight,
  };
}

// One map's model in the browser: decodeAt answers as lm_decode does, with levels instead of base64.
// nameOf(i) names test image i ("#12 (Trouser)").
export function browserModel(decoder, inverse, map, nameOf) {
  return {
    inverse,
    decodeAt(x, y, z = null) {
      const r = toLatent(inverse, x, y);
      const latent = z ? Float32Array.from(z) : r.z;
      const how = z ? 'The code you gave, exactly.' : howText(map, r.distance, inverse.farLimit, nameOf(r.nearest));
      const [c, h, w] = decoder.imageShape;
      return { ...r, z: latent, levels: toLevels(decode(decoder, latent), c), shape: [h, w, c],
        coords: coordsText(map, r.x, r.y), summary: summaryText(map, latent), how };
    },
  };
}

const DECODERS = new Map();   // weights URL -> Promise of a decoder (null if it failed): once per page

// The browser model of a selection {bundle, map}, or null when the server must decode. onProgress({loaded,
// total}) follows the weights' download (bytes); onNote(text) gets the server's reason when it decodes instead.
// lm_model answers with URLs (the app) or with the values themselves (the static site: decoder.buffer, inverse).
export async function loadBrowserModel(server, sel, nameOf, { onProgress = () => {}, onNote = () => {},
  fetchBytes = fetchWithProgress, fetchValue = fetchJSON } = {}) {
  const res = await server.lm_model({ bundle: sel.bundle, map: sel.map });
  if (!res || res.error || !res.decoder) { onNote(res && (res.note || res.error)); return null; }
  const { url, bytes } = res.decoder;
  if (!DECODERS.has(url)) {
    const buffer = res.decoder.buffer ? Promise.resolve(res.decoder.buffer) : fetchBytes(url, bytes, onProgress);
    DECODERS.set(url, buffer
      .then((buf) => loadDecoder(res.decoder, weightsFrom(buf, res.decoder.dtype)))
      .catch(() => { DECODERS.delete(url); return null; }));
  } else {
    onProgress({ loaded: bytes, total: bytes });
  }
  const inverseValue = typeof res.inverse === 'string' ? fetchValue(res.inverse).catch(() => null) : res.inverse;
  const [decoder, inverse] = await Promise.all([DECODERS.get(url), inverseValue]);
  return decoder && inverse && browserModel(decoder, loadInverse(inverse), sel.map, nameOf);
}

// A content-named binary file as an ArrayBuffer, reporting {loaded, total} bytes as they arrive.
export async function fetchWithProgress(url, total, onProgress = () => {}) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(r.statusText);
  if (!r.body || !r.body.getReader) return r.arrayBuffer();
  const reader = r.body.getReader();
  const chunks = [];
  let loaded = 0;
  onProgress({ loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress({ loaded, total });
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out.buffer;
}

// A content-named JSON file (a map's points, its inverse): the browser keeps it for good.
export async function fetchJSON(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(r.statusText);
  return r.json();
}

// server: {lm_decode, lm_neighbours}; onDecode(job, result, source) paints; onNeighbours(list); onError(text or '').
// options.browserDecoding = false sends every decode to the server (tests, benchmarks); log.rtt (the latest
// MAX_RTT server round trips, ms) and log.errors (refusals) are for them too.
export function createDecodeSource({ server, onDecode, onNeighbours, onError, options, log,
  now = () => performance.now(), timers = globalThis }) {
  let selection = null;    // {bundle, map}: answers for anything else are dropped
  let local = null;        // browserModel of the selection, once loaded
  let painted = -Infinity; // seq of the newest decode shown
  const nn = { job: null, timer: null, at: -Infinity };

  const decodes = latestWins((job) => {
    job.tSend = now();
    const req = { bundle: job.bundle, map: job.map, x: job.x, y: job.y };
    if (job.z) req.z = Array.from(job.z);
    return server.lm_decode(req);
  }, onServerDecode);
  const neighbours = latestWins((job) => server.lm_neighbours({ bundle: job.bundle, z: Array.from(job.z) }),
    onServerNeighbours);

  const belongs = (res) => selection && res.bundle === selection.bundle && (!res.map || res.map === selection.map);

  function failed(res, what) {
    if (res && !res.error) return false;
    log.errors += 1;
    onError(res ? res.error : `The ${what} failed on the server (see its log).`);
    return true;
  }

  function show(job, result, source) {
    if (job.seq <= painted) return false;   // the browser may have painted later moves while this one travelled
    painted = job.seq;
    onDecode(job, result, source);
    return true;
  }

  function onServerDecode(job, res) {
    if (failed(res, 'decode') || !belongs(res)) return;
    log.rtt.push(now() - job.tSend);
    if (log.rtt.length > MAX_RTT) log.rtt.shift();
    onError('');
    if (show(job, { ...res, levels: base64ToLevels(res.pixels) }, 'server')) neighboursSoon(job.bundle, res.z);
  }

  function onServerNeighbours(job, res) {
    if (failed(res, 'search for neighbours') || !belongs(res)) return;
    onNeighbours(res.neighbours);
  }

  function neighboursSoon(bundle, z) {
    nn.job = { bundle, z };
    if (nn.timer !== null) return;
    nn.timer = timers.setTimeout(() => {
      nn.timer = null;
      nn.at = now();
      neighbours.push(nn.job);
    }, Math.max(0, nn.at + NEIGHBOURS_MS - now()));
  }

  return {
    select(sel) { selection = sel; local = null; },
    useModel(sel, model) { if (model && selection === sel) local = model; },
    hasModel: () => local !== null,
    model: () => local,
    // job: {seq (increasing), bundle, map, x, y, z (optional), t0}
    request(job) {
      if (local && options.browserDecoding) {
        try {
          const r = local.decodeAt(job.x, job.y, job.z);
          job.local = true;
          if (show(job, r, 'browser')) neighboursSoon(job.bundle, r.z);
          return;
        } catch (err) {
          console.error('latent map: decoding in the browser failed; the server decodes from now on', err);
          local = null;
        }
      }
      decodes.push(job);
    },
    busy: () => decodes.busy() || neighbours.busy() || nn.timer !== null,
  };
}
