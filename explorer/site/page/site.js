// The static site: the live map (latent_map.js, the same module the app loads) over data in the page, and the
// views that need no server: your own drawing or picture encoded in the browser, prior samples, interpolation,
// and the Compare table made at build time. explorer/site/build.py writes the page and joins these modules.
import { decode, weightsFrom } from './decoder.js';
import { encode, loadEncoder } from './encoder.js';
import { toMap } from './inverse.js';
import { createLocalServer } from './local_server.js';
import { mount } from './latent_map.js';
import { attachPictureInputs } from './draw_pad.js';
import { drawGrid, interpolate, outline, seeded } from './pictures.js';
import { toModelInput } from './preprocess.js';
import { bytesOf, loadScript, part } from './site_data.js';

const KINDS = ['vae', 'ae'];
const N_POSTERIOR = 16;
const N_SAMPLES = 16;
const N_OUTLINE_DRAWS = 200;

export function start() {
  const site = window.LX_SITE;
  const server = createLocalServer();
  const $ = (sel) => document.querySelector(sel);
  const state = { pair: site.first, map: null, maps: null, encoders: new Map() };
  const handles = {};

  // --- the maps --------------------------------------------------------------------------------------------------
  const firstKeys = site.pairs.find((p) => p.pair === site.first).keys;
  for (const kind of KINDS) {
    const box = $(`#map-${kind}`);
    box.innerHTML = $('#lm-template').innerHTML;
    const watchers = [];
    const props = { value: JSON.stringify({ bundle: firstKeys[kind] || null, map: null }) };
    handles[kind] = {
      box,
      set(value) { props.value = JSON.stringify(value); watchers.forEach((fn) => fn()); },
    };
    mount(box, props, server, (prop, fn) => watchers.push(fn), () => {});
  }

  const keyOf = (kind) => state.maps && state.maps.models[kind] && state.maps.models[kind].key;

  const inverse = (kind) => server.inverse(keyOf(kind), state.map, state.maps.models[kind].maps[state.map].inverse);
  const decoder = (kind) => server.decoder(keyOf(kind));

  async function encoder(kind) {
    const key = keyOf(kind);
    if (!state.encoders.has(key)) {
      state.encoders.set(key, part(state.pair, 'encoders').then((all) => {
        const exp = all[kind];
        return exp.unsupported ? null : loadEncoder(exp, weightsFrom(bytesOf(exp.weights), exp.dtype));
      }));
    }
    return state.encoders.get(key);
  }

  // Show `pair` on `map` (null: its first); layers (overlay, marks) start empty.
  async function show(pair, map) {
    state.pair = pair;
    $('#pair').value = pair;
    state.maps = await part(pair, 'maps');
    const names = state.maps.map_names;
    state.map = names.includes(map) ? map : names[0];
    renderMapSwitch(names);
    for (const kind of KINDS) {
      const key = keyOf(kind);
      handles[kind].box.hidden = !key;
      if (key) handles[kind].set({ bundle: key, map: state.map });
    }
    renderCompare();
    clearResults();
  }

  function renderMapSwitch(names) {
    const box = $('#map-switch');
    box.hidden = names.length < 2;
    box.querySelectorAll('label').forEach((l) => l.remove());
    for (const name of names) {
      const label = document.createElement('label');
      const input = Object.assign(document.createElement('input'), { type: 'radio', name: 'map', value: name,
        checked: name === state.map });
      input.addEventListener('change', () => show(state.pair, name));
      label.append(input, ` ${name.toUpperCase()}`);
      box.append(label);
    }
  }

  // Overlays and marks: the same latents on every shown map, each at its own place.
  function setLayers(layers) {
    for (const kind of KINDS) {
      const key = keyOf(kind);
      if (!key) continue;
      const value = { bundle: key, map: state.map };
      if ('overlay' in layers) value.overlay = layers.overlay ? layers.overlay(kind) : null;
      if ('marks' in layers) value.marks = layers.marks ? layers.marks(kind) : [];
      handles[kind].set(value);
    }
  }

  function marksOf(name, latents, labels, path = false) {
    return (kind) => {
      const inv = inverse(kind);
      const xy = latents.map((z) => toMap(inv, z));
      return [{ name, x: xy.map((p) => p[0]), y: xy.map((p) => p[1]), z: latents.map((z) => Array.from(z)), labels, path }];
    };
  }

  // --- your drawing or picture ---------------------------------------------------------------------------------
  attachPictureInputs($('#pad'), $('#pad-clear'), $('#upload'), {
    onPicture: (source, what) => encodePicture(source, what),
    onClear: () => clearResults(),
    onError: (text) => say('#encode-note', text),
  });

  function say(sel, text) { $(sel).textContent = text; }

  async function encodePicture(source, what) {
    let input;
    try {
      input = toModelInput(source, state.maps.content_box);
    } catch (err) {
      say('#encode-note', err.message);
      return;
    }
    say('#encode-note', `Encoding ${what} in your browser…`);
    drawGrid($('#input-28'), [input.pixels], 1, 4);
    const codes = {};
    for (const kind of KINDS) {
      if (!keyOf(kind)) continue;
      const enc = await encoder(kind);
      const dec = await decoder(kind);
      if (!enc || !dec) continue;
      codes[kind] = encode(enc, input.pixels);
      drawGrid($(`#recon-${kind}`), [decode(dec, codes[kind].mu)], 1, 4);
    }
    const vae = codes.vae;
    if (vae) {
      const rng = seeded(0);
      const draws = Array.from({ length: N_POSTERIOR }, () => vae.mu.map((m, j) => m + rng.normal() * Math.exp(vae.logvar[j] / 2)));
      const dec = await decoder('vae');
      drawGrid($('#posterior'), draws.map((z) => decode(dec, z)), 8, 2);
    }
    say('#encode-note', `${input.steps.join(' → ')}. Its code is on both maps; the cursor decodes it exactly.`);
    setLayers({ overlay: (kind) => codes[kind] && overlay(kind, codes[kind]) });
  }

  function overlay(kind, { mu, logvar }) {
    const inv = inverse(kind);
    const out = { point: toMap(inv, mu), z: Array.from(mu), ellipses: [], exaggerate: 1 };
    if (!logvar) return out;
    const sd = Array.from(logvar, (v) => Math.exp(v / 2));
    const rng = seeded(1);
    const draws = Array.from({ length: N_OUTLINE_DRAWS }, () => toMap(inv, mu.map((m, j) => m + rng.normal() * sd[j])));
    out.ellipses = [1, 2].map((sigma) => ({
      sigma,
      xy: state.map === 'latent'
        ? Array.from({ length: 65 }, (_, i) => {
          const t = (2 * Math.PI * i) / 64;
          return [mu[0] + sigma * sd[0] * Math.cos(t), (mu.length > 1 ? mu[1] : 0) + sigma * (sd[1] || 0) * Math.sin(t)];
        })
        : outline(draws, sigma),
    }));
    return out;
  }

  function clearResults() {
    for (const sel of ['#input-28', '#recon-vae', '#recon-ae', '#posterior', '#samples-vae', '#samples-ae',
      '#interp-vae', '#interp-ae']) {
      const c = $(sel);
      c.width = 0; c.height = 0;
    }
    say('#encode-note', 'Draw with the mouse or a finger (light on dark), or choose a picture.');
    say('#samples-note', '');
    say('#interp-note', '');
  }

  // --- prior samples -------------------------------------------------------------------------------------------
  $('#sample').addEventListener('click', async () => {
    const temperature = Number($('#temperature').value);
    const seed = Math.trunc(Number($('#seed').value));
    if (!(temperature > 0 && temperature <= 3) || !Number.isFinite(seed) || seed < 0) {
      say('#samples-note', 'Choose a temperature between 0.1 and 3 and a whole seed of 0 or more.');
      return;
    }
    const d = state.maps.latent_dim;
    const rng = seeded(seed);
    const z = Array.from({ length: N_SAMPLES }, () => Float32Array.from({ length: d }, () => temperature * rng.normal()));
    for (const kind of KINDS) {
      const dec = keyOf(kind) && await decoder(kind);
      if (dec) drawGrid($(`#samples-${kind}`), z.map((v) => decode(dec, v)), 8, 2);
    }
    say('#samples-note', `The same ${N_SAMPLES} draws z ~ N(0, ${temperature}² I) through both decoders; they are ` +
      'the white diamonds on the maps (click one to decode it).');
    setLayers({ marks: marksOf('prior samples', z, z.map((_, i) => `sample ${i + 1}`)) });
  });

  // --- interpolation -------------------------------------------------------------------------------------------
  async function showEnd(which) {
    const i = Math.trunc(Number($(`#interp-${which}`).value));
    if (!(i >= 0 && i < state.maps.n)) return null;
    const t = await server.thumb(state.pair, i);
    $(`#interp-${which}-img`).src = t.image;
    $(`#interp-${which}-img`).alt = `test image #${i}: ${t.label}`;
    $(`#interp-${which}-label`).textContent = t.label;
    return i;
  }
  ['a', 'b'].forEach((w) => $(`#interp-${w}`).addEventListener('change', () => showEnd(w)));

  $('#interpolate').addEventListener('click', async () => {
    const [a, b] = [await showEnd('a'), await showEnd('b')];
    if (a === null || b === null) {
      say('#interp-note', `Choose two test images by number, from 0 to ${state.maps.n - 1}.`);
      return;
    }
    const mode = $('#interp-mode').value;
    const steps = 9;
    const paths = {};
    for (const kind of KINDS) {
      const dec = keyOf(kind) && await decoder(kind);
      if (!dec) continue;
      const inv = inverse(kind);
      const d = inv.latent_dim;
      const za = inv.codes.subarray(a * d, (a + 1) * d);
      const zb = inv.codes.subarray(b * d, (b + 1) * d);
      paths[kind] = interpolate(za, zb, steps, mode);
      drawGrid($(`#interp-${kind}`), paths[kind].map((z) => decode(dec, z)), steps, 2);
    }
    say('#interp-note', `${mode === 'spherical' ? 'Spherical (slerp)' : 'Linear'} path between the codes of test ` +
      `images #${a} and #${b}, drawn on each model's map.`);
    setLayers({ marks: (kind) => (paths[kind] ? marksOf(`${mode} path`, paths[kind],
      paths[kind].map((_, i) => `step ${i + 1}`), true)(kind) : []) });
  });

  // --- compare ---------------------------------------------------------------------------------------------------
  function renderCompare() {
    const table = $('#compare-table');
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    for (const h of ['', 'VAE', 'AE']) head.append(Object.assign(document.createElement('th'), { textContent: h }));
    const body = table.createTBody();
    for (const row of state.maps.compare.rows) {
      const tr = body.insertRow();
      row.forEach((cell, i) => { const td = tr.insertCell(); td.textContent = cell; if (i === 0) td.scope = 'row'; });
    }
    const real = state.maps.compare.real_score;
    say('#compare-note', real === null ? '' : `Real test images score ${real.toFixed(1)} with the same classifier.`);
  }

  // --- start -------------------------------------------------------------------------------------------------------
  const picker = $('#pair');
  for (const p of site.pairs) picker.append(Object.assign(document.createElement('option'), { value: p.pair, textContent: p.label }));
  picker.addEventListener('change', () => show(picker.value, state.map));
  show(site.first, null).then(async () => {
    // What the first view needs comes first; plotly.js (the largest file) once the first decodes are on screen.
    await part(site.first, 'decoders').catch(() => null);
    await loadScript(site.plotly);
    await part(site.first, 'images').catch(() => null);
  }).catch((err) => say('#site-error', err.message));
}
