// The live map's server functions (component.py), answered in the page from the site's data: the same map
// module then runs with no server at all. Each returns a Promise of what the app's function would answer.
import { loadDecoder, weightsFrom } from './decoder.js';
import { browserModel } from './decode_source.js';
import { floats, loadInverse } from './inverse.js';
import { bytesOf, part, splitKey } from './site_data.js';

const K_NEAREST = 5;

export function createLocalServer() {
  const thumbs = new Map();      // "pair#index" -> Promise of an object URL
  const sprites = new Map();     // pair -> Promise of an HTMLImageElement
  const codes = new Map();       // key -> Float32Array
  const models = new Map();      // key -> Promise of the decoder's export and weights (null: the browser cannot run it)
  const decoders = new Map();    // key -> Promise of the loaded decoder (null: the browser cannot run it)
  const inverses = new Map();    // "key:map" -> the loaded inverse

  async function model(key) {
    const [pair, kind] = splitKey(key);
    const maps = await part(pair, 'maps');
    if (!maps.models[kind]) throw new Error(`Unknown bundle ${key}; reload the page.`);
    return { pair, kind, maps, m: maps.models[kind] };
  }

  function decoderOf(key) {
    if (!models.has(key)) {
      const [pair, kind] = splitKey(key);
      models.set(key, part(pair, 'decoders').then((d) => {
        const exp = d[kind];
        return exp.unsupported ? null : { exp, buffer: bytesOf(exp.weights) };
      }));
    }
    return models.get(key);
  }

  function loadedDecoder(key) {
    if (!decoders.has(key)) {
      decoders.set(key, decoderOf(key).then((dec) => dec && loadDecoder(dec.exp, weightsFrom(dec.buffer.slice(0), dec.exp.dtype))));
    }
    return decoders.get(key);
  }

  // The inverse of map `map` of model `key`, whose export (payload's "inverse") is `exp`.
  function inverseOf(key, map, exp) {
    const k = `${key}:${map}`;
    if (!inverses.has(k)) inverses.set(k, loadInverse(exp));
    return inverses.get(k);
  }

  function sprite(pair) {
    if (!sprites.has(pair)) {
      sprites.set(pair, part(pair, 'images').then((img) => new Promise((resolve) => {
        const el = new Image();
        el.onload = () => resolve(el);
        el.src = img.sprite;
      })));
    }
    return sprites.get(pair);
  }

  // A test image's thumbnail as an object URL. canvas.toBlob encodes off the page's thread: toDataURL here cost a
  // drag on a 16-dim map 5 ms p95 (the nearest images change ten times a second).
  async function thumb(pair, maps, index) {
    const key = `${pair}#${index}`;
    if (!thumbs.has(key)) {
      thumbs.set(key, sprite(pair).then((el) => new Promise((resolve) => {
        const c = document.createElement('canvas');
        c.width = 28; c.height = 28;
        const cols = maps.sprite_columns;
        c.getContext('2d').drawImage(el, (index % cols) * 28, Math.floor(index / cols) * 28, 28, 28, 0, 0, 28, 28);
        c.toBlob((blob) => resolve(URL.createObjectURL(blob)));
      })));
    }
    return { index, label: maps.class_names[maps.labels[index]], image: await thumbs.get(key) };
  }

  const answer = (fn) => async (req) => {
    try { return await fn(req); } catch (err) { return { error: err.message }; }
  };

  return {
    lm_payload: answer(async ({ bundle, map }) => {
      const { m } = await model(bundle);
      const name = map || m.map_names[0];
      if (!m.maps[name]) throw new Error(`The bundle ${bundle} has no map ${name}.`);
      return { bundle, map: name, payload: m.maps[name].payload };
    }),
    lm_model: answer(async ({ bundle, map }) => {
      const { m } = await model(bundle);
      const dec = await decoderOf(bundle);
      if (!dec) return { bundle, map, decoder: null, note: 'this decoder has a layer the browser does not run' };
      return { bundle, map, inverse: m.maps[map].inverse,
        decoder: { ...dec.exp, weights: undefined, url: `site:${bundle}`, buffer: dec.buffer } };
    }),
    lm_decode: answer(async ({ bundle, map, x, y, z }) => {
      const { maps, m } = await model(bundle);
      const decoder = await loadedDecoder(bundle);
      if (!decoder) throw new Error('This model cannot be decoded in the browser.');
      const nameOf = (i) => `#${i} (${maps.class_names[maps.labels[i]]})`;
      const r = browserModel(decoder, inverseOf(bundle, map, m.maps[map].inverse), map, nameOf).decodeAt(x, y, z);
      return { bundle, map, ...r, z: Array.from(r.z), pixels: btoa(String.fromCharCode(...r.levels)) };
    }),
    lm_neighbours: answer(async ({ bundle, z }) => {
      const { pair, maps, m } = await model(bundle);
      if (!codes.has(bundle)) codes.set(bundle, floats(m.codes));
      const c = codes.get(bundle);
      const d = m.latent_dim;
      const n = c.length / d;
      const best = [];
      for (let i = 0; i < n; i += 1) {
        let d2 = 0;
        for (let j = 0; j < d; j += 1) { const t = c[i * d + j] - z[j]; d2 += t * t; }
        if (best.length === K_NEAREST && d2 >= best[K_NEAREST - 1][0]) continue;
        best.push([d2, i]);
        best.sort((a, b) => a[0] - b[0]);
        if (best.length > K_NEAREST) best.pop();
      }
      return { bundle, neighbours: await Promise.all(best.map(([, i]) => thumb(pair, maps, i))) };
    }),
    lm_thumb: answer(async ({ bundle, index }) => {
      const { pair, maps } = await model(bundle);
      return thumb(pair, maps, index);
    }),
    // For the site's own views: the decoder of `key` (null if the browser cannot run it), a map's inverse and a
    // test thumbnail, each loaded once.
    decoder: loadedDecoder,
    inverse: inverseOf,
    thumb: async (pair, index) => thumb(pair, await part(pair, 'maps'), index),
  };
}
