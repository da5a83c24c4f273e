// A drawing or an uploaded picture -> the model's 28x28 input, with the steps explorer/preprocess.py takes:
// greyscale; dark ink on light paper inverted; the background stretched to black; cropped to the ink; fitted into
// the data's content box (20 px for digits, 28 for clothes); centred by mass. Returns {pixels (784 floats in
// [0, 1]), steps: [text]} or throws an Error whose message is one sentence for the page.
const FRAME = 28;
const INK_LEVEL = 0.1;
const MIN_CONTRAST = 24;
const WORK_SIDE = 1024;

function greyOf(source) {   // an image or canvas -> {a: Uint8ClampedArray of grey levels, w, h}
  const scale = Math.min(1, WORK_SIDE / Math.max(source.width, source.height));
  const w = Math.max(1, Math.round(source.width * scale));
  const h = Math.max(1, Math.round(source.height * scale));
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff';   // transparency reads as white paper
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(source, 0, 0, w, h);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const a = new Uint8ClampedArray(w * h);
  for (let i = 0; i < w * h; i += 1) a[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
  return { a, w, h };
}

function median(values) {
  const s = Float64Array.from(values).sort();
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function borderOf({ a, w, h }) {
  const b = Math.max(1, Math.floor(Math.min(w, h) / 20));
  const out = [];
  for (let y = 0; y < h; y += 1) for (let x = 0; x < w; x += 1) {
    if (y < b || y >= h - b || x < b || x >= w - b) out.push(a[y * w + x]);
  }
  return out;
}

export function toModelInput(source, box) {
  const img = greyOf(source);
  const steps = ['greyscale'];
  let paper = median(borderOf(img));
  if (paper > 127) {
    for (let i = 0; i < img.a.length; i += 1) img.a[i] = 255 - img.a[i];
    paper = 255 - paper;
    steps.push('inverted (dark on light)');
  }
  let top = 0;
  for (const v of img.a) top = Math.max(top, v);
  if (top - paper < MIN_CONTRAST) throw new Error('Nothing is drawn: the picture is one flat colour.');
  for (let i = 0; i < img.a.length; i += 1) img.a[i] = Math.round(((img.a[i] - paper) / (top - paper)) * 255);
  steps.push('background removed');
  let x0 = img.w; let x1 = -1; let y0 = img.h; let y1 = -1;
  for (let y = 0; y < img.h; y += 1) for (let x = 0; x < img.w; x += 1) {
    if (img.a[y * img.w + x] > INK_LEVEL * 255) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  if (x1 < 0) throw new Error('Nothing is drawn: the picture is one flat colour.');
  steps.push('cropped to content');
  const cw = x1 - x0 + 1; const ch = y1 - y0 + 1;
  const scale = box / Math.max(cw, ch);
  const fw = Math.max(1, Math.round(cw * scale)); const fh = Math.max(1, Math.round(ch * scale));
  const src = document.createElement('canvas');
  src.width = img.w; src.height = img.h;
  const rgba = new ImageData(img.w, img.h);
  for (let i = 0; i < img.a.length; i += 1) { rgba.data.fill(img.a[i], 4 * i, 4 * i + 3); rgba.data[4 * i + 3] = 255; }
  src.getContext('2d').putImageData(rgba, 0, 0);
  const fit = document.createElement('canvas');
  fit.width = fw; fit.height = fh;
  const fctx = fit.getContext('2d');
  fctx.imageSmoothingQuality = 'high';
  fctx.drawImage(src, x0, y0, cw, ch, 0, 0, fw, fh);
  const fitted = fctx.getImageData(0, 0, fw, fh).data;
  steps.push(`fitted to ${box}x${box}`);
  let mass = 0; let my = 0; let mx = 0;
  for (let y = 0; y < fh; y += 1) for (let x = 0; x < fw; x += 1) {
    const v = fitted[4 * (y * fw + x)];
    mass += v; my += v * y; mx += v * x;
  }
  const cy = mass ? my / mass : (fh - 1) / 2; const cx = mass ? mx / mass : (fw - 1) / 2;
  const centre = (FRAME - 1) / 2;
  const top0 = Math.min(Math.max(Math.round(centre - cy), 0), FRAME - fh);
  const left0 = Math.min(Math.max(Math.round(centre - cx), 0), FRAME - fw);
  const pixels = new Float32Array(FRAME * FRAME);
  for (let y = 0; y < fh; y += 1) for (let x = 0; x < fw; x += 1) {
    pixels[(top0 + y) * FRAME + left0 + x] = fitted[4 * (y * fw + x)] / 255;
  }
  steps.push(`centred by mass in ${FRAME}x${FRAME}`);
  return { pixels, steps };
}
