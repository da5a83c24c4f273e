// The decoder in the browser: a latent -> the decoded image, without a round trip to the server.
// It runs the layers explorer/app/latent_map/browser_export.py exports (and their weights, one float16 or float32
// file) the way PyTorch does; tests/test_browser_export.py runs it in node against PyTorch. No DOM.

// IEEE half-precision bits -> their float value.
function halfValue(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

let HALVES = null;   // all 65536 half values, built on first use

// The weights file (an ArrayBuffer, little-endian) as a Float32Array; dtype: "float16" or "float32".
export function weightsFrom(buffer, dtype = 'float32') {
  if (dtype === 'float32') return new Float32Array(buffer);
  if (dtype !== 'float16') throw new Error(`unknown weights dtype ${dtype}`);
  if (!HALVES) HALVES = Float32Array.from({ length: 65536 }, (_, h) => halfValue(h));
  const bits = new Uint16Array(buffer);
  const w = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i += 1) w[i] = HALVES[bits[i]];
  return w;
}

// Convolutions run channel-last, (h, w, c), so their innermost loop walks contiguous output channels;
// transposed-convolution weights are rearranged once here from PyTorch's (in, out, k, k) to (in, k, k, out).
export function loadDecoder(exp, w) {   // exp: {ops, latent_dim, image_shape}; w: Float32Array of the weights file
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
  return { ops, w, latentDim: exp.latent_dim, imageShape: exp.image_shape || [1, 28, 28] };
}

// y = x W + b with W stored (in, out): one contiguous weight row per non-zero input (ReLU zeros are skipped).
export function linear(op, w, x) {
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

// The mean image E[x|z] in [0, 1] as a Float32Array, channel-first (c, h, w), like models.decode_mean.
export function decode(model, z) {
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

// Floats in [0, 1], channel-first (c, h, w) as decode gives them, rounded as explorer/images.py to_uint8 does, into
// levels pixel by pixel (h, w, c): one grey level a pixel, or red, green and blue.
export function toLevels(pixels, channels = 1) {
  const n = pixels.length / channels;
  const levels = new Uint8Array(pixels.length);
  for (let c = 0; c < channels; c += 1) {
    for (let q = 0; q < n; q += 1) {
      levels[q * channels + c] = Math.floor(Math.min(Math.max(pixels[c * n + q], 0), 1) * 255 + 0.5);
    }
  }
  return levels;
}

// The server's decodes (payload.pixels_b64: base64 of the levels, pixel by pixel).
export function base64ToLevels(b64) {
  const bin = typeof atob === 'function' ? atob(b64) : Buffer.from(b64, 'base64').toString('binary');
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

// Levels (grey, or red, green and blue) into RGBA, for a canvas's ImageData.
export function levelsToRGBA(levels, channels = 1, rgba = new Uint8ClampedArray((levels.length / channels) * 4)) {
  const n = levels.length / channels;
  for (let i = 0; i < n; i += 1) {
    const r = levels[i * channels];
    rgba[4 * i] = r;
    rgba[4 * i + 1] = channels === 3 ? levels[3 * i + 1] : r;
    rgba[4 * i + 2] = channels === 3 ? levels[3 * i + 2] : r;
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

export function toRGBA(pixels, channels = 1, rgba = undefined) {
  return levelsToRGBA(toLevels(pixels, channels), channels, rgba);
}
