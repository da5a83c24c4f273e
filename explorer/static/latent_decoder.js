// Decoding in the browser: a map point -> full latent -> decoded image, without a round trip to the server.
// It mirrors explorer/projection.py (LatentMap.to_latent), explorer/map_payload.py (clamp_point) and the
// decoder exported by explorer/browser_model.py (its layers, and its weights as one float32 file);
// tests/test_browser_model.py runs it in node against PyTorch.
// No DOM, so node loads it as a module; the browser gets window.LatentDecoder.
(function (root) {
  'use strict';

  function floats(b64) {  // base64 of little-endian float32 -> Float32Array
    const bin = typeof atob === 'function' ? atob(b64) : Buffer.from(b64, 'base64').toString('binary');
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }

  // --- the decoder ------------------------------------------------------------------------------------------

  // Convolutions run channel-last, (h, w, c), so their innermost loop walks contiguous output channels;
  // transposed-convolution weights are rearranged once here from PyTorch's (in, out, k, k) to (in, k, k, out).
  function loadDecoder(exp, w) {   // exp: {ops, latent_dim}; w: Float32Array of the weights file
    const ops = exp.ops.map((op) => {
      if (op.op !== 'conv_transpose') return op;
      const { k, out } = op;
      const wt = new Float32Array(op.in * k * k * out);
      for (let ci = 0; ci < op.in; ci += 1) {
        for (let co = 0; co < out; co += 1) {
          for (let t = 0; t < k * k; t += 1) wt[(ci * k * k + t) * out + co] = w[op.w + (ci * out + co) * k * k + t];
        }
      }
      return { ...op, wt };
    });
    return { ops, w, latentDim: exp.latent_dim };
  }

  // y = x W + b with W stored (in, out): one contiguous weight row per non-zero input (ReLU zeros are skipped).
  function linear(op, w, x) {
    const n = op.out;
    const y = new Float64Array(n);
    for (let o = 0; o < n; o += 1) y[o] = w[op.b + o];
    for (let i = 0; i < op.in; i += 1) {
      const v = x[i];
      if (v === 0) continue;
      const row = op.w + i * n;
      for (let o = 0; o < n; o += 1) y[o] += v * w[row + o];
    }
    return y;
  }

  // PyTorch's ConvTranspose2d as a scatter, channel-last: every input pixel adds its kernel, scaled, into the output.
  function convTranspose(op, w, x, shape) {
    const [h, wd, cin] = shape;
    const { k, stride: s, pad: p, out: n, wt } = op;
    const ho = (h - 1) * s - 2 * p + k;
    const wo = (wd - 1) * s - 2 * p + k;
    const y = new Float64Array(ho * wo * n);
    for (let q = 0; q < ho * wo; q += 1) for (let co = 0; co < n; co += 1) y[q * n + co] = w[op.b + co];
    for (let iy = 0; iy < h; iy += 1) {
      for (let ix = 0; ix < wd; ix += 1) {
        for (let ci = 0; ci < cin; ci += 1) {
          const v = x[(iy * wd + ix) * cin + ci];
          if (v === 0) continue;
          for (let ky = 0; ky < k; ky += 1) {
            const oy = iy * s - p + ky;
            if (oy < 0 || oy >= ho) continue;
            for (let kx = 0; kx < k; kx += 1) {
              const ox = ix * s - p + kx;
              if (ox < 0 || ox >= wo) continue;
              const yb = (oy * wo + ox) * n;
              const wb = ((ci * k + ky) * k + kx) * n;
              for (let co = 0; co < n; co += 1) y[yb + co] += v * wt[wb + co];
            }
          }
        }
      }
    }
    return [y, [ho, wo, n]];
  }

  // (c, h, w) <-> (h, w, c)
  function channelsLast(x, [c, h, w]) {
    const y = new Float64Array(x.length);
    for (let ci = 0; ci < c; ci += 1) for (let q = 0; q < h * w; q += 1) y[q * c + ci] = x[ci * h * w + q];
    return y;
  }

  function channelsFirst(x, [h, w, c]) {
    const y = new Float64Array(x.length);
    for (let ci = 0; ci < c; ci += 1) for (let q = 0; q < h * w; q += 1) y[ci * h * w + q] = x[q * c + ci];
    return y;
  }

  // The mean image E[x|z] in [0, 1] as a Float32Array (28 * 28 for the shipped models), like models.decode_mean.
  function decode(model, z) {
    let x = Float64Array.from(z, Math.fround);
    let shape = [x.length];   // (n) flat, or (h, w, c) channel-last after a reshape
    for (const op of model.ops) {
      if (op.op === 'linear') { x = linear(op, model.w, x); shape = [op.out]; }
      else if (op.op === 'relu') { for (let i = 0; i < x.length; i += 1) if (x[i] < 0) x[i] = 0; }
      else if (op.op === 'reshape') { const [c, h, w] = op.shape; x = channelsLast(x, [c, h, w]); shape = [h, w, c]; }
      else if (op.op === 'conv_transpose') [x, shape] = convTranspose(op, model.w, x, shape);
      else throw new Error(`unknown op ${op.op}`);
    }
    if (shape.length === 3) x = channelsFirst(x, shape);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i += 1) out[i] = 1 / (1 + Math.exp(-x[i]));
    return out;
  }

  function greyToRGBA(grey, rgba) {
    for (let i = 0; i < grey.length; i += 1) {
      const g = grey[i];
      rgba[4 * i] = g; rgba[4 * i + 1] = g; rgba[4 * i + 2] = g; rgba[4 * i + 3] = 255;
    }
    return rgba;
  }

  // Floats in [0, 1] rounded to grey levels as explorer/images.py to_uint8 does, into RGBA for a canvas.
  function toRGBA(pixels, rgba = new Uint8ClampedArray(pixels.length * 4)) {
    return greyToRGBA(pixels.map((v) => Math.floor(Math.min(Math.max(v, 0), 1) * 255 + 0.5)), rgba);
  }

  // The server's decodes (map_payload.pixels_b64: base64 grey levels) into RGBA.
  function base64ToRGBA(b64, rgba) {
    return greyToRGBA(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), rgba);
  }

  // --- the map's inverse ------------------------------------------------------------------------------------

  function loadInverse(exp) {
    const inv = { ...exp };
    for (const key of ['far', 'mean', 'components', 'grid']) if (exp[key]) inv[key] = floats(exp[key]);
    inv.farLimit = exp.far_limit === null || exp.far_limit === undefined ? Infinity : exp.far_limit;
    return inv;
  }

  // projection.bilinear for a (g, g, c) grid over extent at one point; same operation order as numpy.
  function bilinear(grid, g, c, extent, x, y) {
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

  // Map point -> {x, y (clamped), clamped, z (float32 values), reliable}: map_payload.clamp_point + to_latent.
  function toLatent(inv, x, y) {
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

  // The texts map_payload.decode_point gives the server's decodes.
  function signed(v, digits) {
    const s = v.toFixed(digits);
    return s.startsWith('-') ? s : `+${s}`;
  }

  function coordsText(map, x, y) {
    return map === 'latent' ? `z = (${signed(x, 3)}, ${signed(y, 3)})`
      : `${map.toUpperCase()} (${signed(x, 3)}, ${signed(y, 3)})`;
  }

  function summaryText(map, z) {
    if (map === 'latent') return '';
    let norm = 0;
    for (const v of z) norm += v * v;
    const head = Array.from(z.slice(0, 4), (v) => signed(v, 2)).join(' ');
    return `‖z‖ = ${Math.sqrt(norm).toFixed(2)} · z[0:${Math.min(4, z.length)}] = ${head}${z.length > 4 ? ' …' : ''}`;
  }

  const api = { floats, loadDecoder, decode, toRGBA, base64ToRGBA, loadInverse, bilinear, toLatent, coordsText, summaryText };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.LatentDecoder = api;
})(typeof self !== 'undefined' ? self : this);
