// The map's inverse in the browser: a map point -> the full latent behind it, and whether data are near.
// It mirrors explorer/projection.py (LatentMap.to_latent, LatentMap.clamp) and the texts of
// explorer/app/latent_map/payload.py; tests/test_browser_export.py runs it in node against them. No DOM.

// base64 of little-endian float32 -> Float32Array
export function floats(b64) {
  const bin = typeof atob === 'function' ? atob(b64) : Buffer.from(b64, 'base64').toString('binary');
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function loadInverse(exp) {
  const inv = { ...exp };
  for (const key of ['far', 'mean', 'components', 'grid']) if (exp[key]) inv[key] = floats(exp[key]);
  inv.farLimit = exp.far_limit === null || exp.far_limit === undefined ? Infinity : exp.far_limit;
  return inv;
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

// Map point -> {x, y (clamped), clamped, z (float32 values), reliable}: LatentMap.clamp, then LatentMap.to_latent.
export function toLatent(inv, x, y) {
  const [lx0, lx1, ly0, ly1] = inv.limits;
  const cx = Math.min(Math.max(x, lx0), lx1);
  const cy = Math.min(Math.max(y, ly0), ly1);
  const d = inv.latent_dim;
  let z;
  let reliable = true;
  if (inv.map === 'latent') {
    z = Float64Array.from([cx, cy].slice(0, d));
  } else {
    if (inv.map === 'pca') {
      z = new Float64Array(d);
      for (let j = 0; j < d; j += 1) z[j] = inv.mean[j] + (cx * inv.components[j] + cy * inv.components[d + j]);
    } else {
      z = bilinear(inv.grid, inv.grid_size, d, inv.extent, cx, cy);
    }
    const [x0, x1, y0, y1] = inv.extent;
    const inside = cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1;
    reliable = inside && bilinear(inv.far, inv.grid_size, 1, inv.extent, cx, cy)[0] <= inv.farLimit;
  }
  return { x: cx, y: cy, clamped: cx !== x || cy !== y, z: Float32Array.from(z), reliable };
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
