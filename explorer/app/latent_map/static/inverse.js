// The map's inverse in the browser: a map point -> the full latent behind it, and whether data are near.
// It mirrors explorer/projection.py (LatentMap.to_latent, LatentMap.clamp) and the texts of
// explorer/app/latent_map/payload.py; tests/test_browser_export.py runs it in node against them. No DOM.

import { dotIndex } from './dots.js';

export const K_ANCHORS = 8;   // projection.K_ANCHORS

// base64 of little-endian float32 -> Float32Array
export function floats(b64) {
  const bin = typeof atob === 'function' ? atob(b64) : Buffer.from(b64, 'base64').toString('binary');
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

// The export of browser_export.export_inverse: the base inverse's arrays, the dots (xy) and their codes (from xy
// on a latent map); the codes' residuals from the base inverse are computed here once, as LatentMap.residuals does.
export function loadInverse(exp) {
  const inv = { ...exp };
  for (const key of ['mean', 'components', 'grid', 'xy', 'codes']) if (exp[key]) inv[key] = floats(exp[key]);
  if (!exp.codes && exp.map === 'latent') {   // a latent map's dots are their codes (padded to 2-D)
    inv.codes = new Float32Array((inv.xy.length / 2) * exp.latent_dim);
    for (let i = 0; i < inv.xy.length / 2; i += 1) {
      for (let j = 0; j < exp.latent_dim; j += 1) inv.codes[i * exp.latent_dim + j] = inv.xy[2 * i + j];
    }
  }
  inv.farLimit = exp.far_limit === null || exp.far_limit === undefined ? Infinity : exp.far_limit;
  inv.dots = dotIndex(inv.xy);
  const d = inv.latent_dim;
  if (inv.map !== 'latent') {
    inv.residuals = new Float64Array(inv.codes.length);
    for (let i = 0; i < inv.dots.n; i += 1) {
      const base = baseLatent(inv, inv.xy[2 * i], inv.xy[2 * i + 1]);
      for (let j = 0; j < d; j += 1) inv.residuals[i * d + j] = inv.codes[i * d + j] - base[j];
    }
  }
  return inv;
}

// LatentMap.base_latent: the projection's own inverse at one point.
function baseLatent(inv, x, y) {
  const d = inv.latent_dim;
  if (inv.map === 'latent') return Float64Array.from([x, y].slice(0, d));
  if (inv.map === 'pca') {
    const z = new Float64Array(d);
    for (let j = 0; j < d; j += 1) z[j] = inv.mean[j] + (x * inv.components[j] + y * inv.components[d + j]);
    return z;
  }
  return bilinear(inv.grid, inv.grid_size, d, inv.extent, x, y);
}

// projection.bilinear for a (g, g, c) grid over extent at one point; same operation order as numpy.
export function bilinear(grid, g, c, extent, x, y) {
  const [x0, x1, y0, y1] = extent;
  const fx = Math.min(Math.max(((x - x0) / (x1 - x0)) * (g - 1), 0), g - 1);
  const fy = Math.min(Math.max(((y - y0) / (y1 - y0)) * (g - 1), 0), g - 1);
  const ix = Math.min(Math.floor(fx), g - 2);
  const iy = Math.min(Math.floor(fy), g - 2);
  const tx = fx - ix;
  const ty = fy - iy;
  const at = (r, col, j) => grid[(r * g + col) * c + j];
  const out = new Float64Array(c);
  for (let j = 0; j < c; j += 1) {
    const top = at(iy, ix, j) * (1 - tx) + at(iy, ix + 1, j) * tx;
    const bottom = at(iy + 1, ix, j) * (1 - tx) + at(iy + 1, ix + 1, j) * tx;
    out[j] = top * (1 - ty) + bottom * ty;
  }
  return out;
}

// Map point -> {x, y (clamped), clamped, z (float32 values), reliable}: LatentMap.clamp, then LatentMap.to_latent
// (the base inverse plus the nearest dots' residuals, projection.anchored_residual, in the same order).
export function toLatent(inv, x, y) {
  const [lx0, lx1, ly0, ly1] = inv.limits;
  const cx = Math.min(Math.max(x, lx0), lx1);
  const cy = Math.min(Math.max(y, ly0), ly1);
  const d = inv.latent_dim;
  const z = baseLatent(inv, cx, cy);
  const near = inv.dots.nearest(cx, cy, K_ANCHORS);
  if (inv.map !== 'latent') {
    const scale = Number.isFinite(inv.farLimit) && inv.farLimit > 0 ? inv.farLimit : 1;
    const w = Array.from(near.dist, (v) => 1 / (v * v + (1e-6 * scale) ** 2));
    let total = 0;
    for (const v of w) total += v;
    const fade = Math.exp(-((near.dist[0] / scale) ** 2));
    for (let j = 0; j < d; j += 1) {
      let blend = 0;
      for (let q = 0; q < w.length; q += 1) blend += w[q] * inv.residuals[near.idx[q] * d + j];
      z[j] += fade * (blend / total);
    }
  }
  return { x: cx, y: cy, clamped: cx !== x || cy !== y, z: Float32Array.from(z), reliable: near.dist[0] <= inv.farLimit,
    nearest: near.idx[0], distance: near.dist[0] };
}

// The texts payload.decode_point gives the server's decodes.
function signed(v, digits) {
  const s = v.toFixed(digits);
  return s.startsWith('-') ? s : `+${s}`;
}

export function coordsText(map, x, y) {
  return map === 'latent' ? `z = (${signed(x, 3)}, ${signed(y, 3)})`
    : `${map.toUpperCase()} (${signed(x, 3)}, ${signed(y, 3)})`;
}

export function summaryText(map, z) {
  if (map === 'latent') return '';
  let norm = 0;
  for (const v of z) norm += v * v;
  const head = Array.from(z.slice(0, 4), (v) => signed(v, 2)).join(' ');
  return `‖z‖ = ${Math.sqrt(norm).toFixed(2)} · z[0:${Math.min(4, z.length)}] = ${head}${z.length > 4 ? ' …' : ''}`;
}

export const ON_A_DOT = 0.05;   // payload.ON_A_DOT

// payload.how_text: what the decode at a point is made of; nearest names the nearest test image ("#12 (Trouser)").
export function howText(map, distance, farLimit, nearest) {
  if (distance > farLimit) {
    return map === 'latent' ? 'Far from every test code: a hole, where the model learned nothing.'
      : "Far from every test image: the projection's guess.";
  }
  if (distance <= ON_A_DOT * farLimit) return `The code of test image ${nearest}.`;
  return map === 'latent' ? '' : 'Between test images: a blend of their codes.';
}

// LatentMap.to_map: a latent's place on the map (the PCA projection, or for UMAP the inverse-squared-distance
// average of the places of its 10 nearest test codes).
export function toMap(inv, z) {
  const d = inv.latent_dim;
  if (inv.map === 'latent') return [z[0], d > 1 ? z[1] : 0];
  if (inv.map === 'pca') {
    let x = 0;
    let y = 0;
    for (let j = 0; j < d; j += 1) {
      x += (z[j] - inv.mean[j]) * inv.components[j];
      y += (z[j] - inv.mean[j]) * inv.components[d + j];
    }
    return [x, y];
  }
  const n = inv.dots.n;
  const k = Math.min(10, n);
  const best = [];   // [d2, i], ascending, at most k
  for (let i = 0; i < n; i += 1) {
    let d2 = 0;
    for (let j = 0; j < d; j += 1) { const t = z[j] - inv.codes[i * d + j]; d2 += t * t; }
    if (best.length === k && d2 >= best[k - 1][0]) continue;
    let p = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push(null);
    while (p > 0 && best[p - 1][0] > d2) { best[p] = best[p - 1]; p -= 1; }
    best[p] = [d2, i];
  }
  let wx = 0; let wy = 0; let total = 0;
  for (const [d2, i] of best) {
    const w = 1 / (d2 + 1e-9);
    wx += w * inv.xy[2 * i]; wy += w * inv.xy[2 * i + 1]; total += w;
  }
  return [wx / total, wy / total];
}
