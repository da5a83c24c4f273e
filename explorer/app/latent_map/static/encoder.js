// The encoder in the browser: a 28x28 image -> its code (mu and logvar for a VAE, z for an AE). The static site
// encodes drawings and uploads with it; it runs the ops browser_export.encoder_layers exports, channel-first as
// PyTorch does (an image is encoded once, so clarity wins over speed here). tests/test_browser_export.py checks it
// against PyTorch. No DOM.
import { linear } from './decoder.js';

// PyTorch's Conv2d (zero padding), channel-first: x (c, h, w) -> (out, ho, wo); weights (out, in, k, k).
function conv(op, w, x, [c, h, wd]) {
  const { k, stride: s, pad: p, out: n } = op;
  const ho = Math.floor((h + 2 * p - k) / s) + 1;
  const wo = Math.floor((wd + 2 * p - k) / s) + 1;
  const y = new Float64Array(n * ho * wo);
  for (let co = 0; co < n; co += 1) {
    for (let oy = 0; oy < ho; oy += 1) {
      for (let ox = 0; ox < wo; ox += 1) {
        let acc = w[op.b + co];
        for (let ci = 0; ci < c; ci += 1) {
          for (let ky = 0; ky < k; ky += 1) {
            const iy = oy * s - p + ky;
            if (iy < 0 || iy >= h) continue;
            const wb = op.w + ((co * c + ci) * k + ky) * k;
            const xb = (ci * h + iy) * wd;
            for (let kx = 0; kx < k; kx += 1) {
              const ix = ox * s - p + kx;
              if (ix >= 0 && ix < wd) acc += w[wb + kx] * x[xb + ix];
            }
          }
        }
        y[(co * ho + oy) * wo + ox] = acc;
      }
    }
  }
  return [y, [n, ho, wo]];
}

// model: {ops, w (Float32Array), kind, latentDim}; pixels: 784 values in [0, 1], row by row.
// Returns {mu, logvar} (logvar null for an AE), Float32Arrays of latentDim.
export function encode(model, pixels) {
  let x = Float64Array.from(pixels, Math.fround);
  let shape = [1, 28, 28];
  for (const op of model.ops) {
    if (op.op === 'conv') [x, shape] = conv(op, model.w, x, shape);
    else if (op.op === 'relu') { for (let i = 0; i < x.length; i += 1) if (x[i] < 0) x[i] = 0; }
    else if (op.op === 'flatten') shape = [x.length];
    else if (op.op === 'linear') { x = linear(op, model.w, x); shape = [op.out]; }
    else throw new Error(`unknown op ${op.op}`);
  }
  const d = model.latentDim;
  return { mu: Float32Array.from(x.subarray(0, d)), logvar: model.kind === 'vae' ? Float32Array.from(x.subarray(d, 2 * d)) : null };
}

export function loadEncoder(exp, w) {   // exp: export_encoder's info; w: Float32Array (decoder.weightsFrom)
  return { ops: exp.ops, w, kind: exp.kind, latentDim: exp.latent_dim };
}
