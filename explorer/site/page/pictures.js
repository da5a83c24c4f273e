// Small helpers the site's views share: seeded normal draws, interpolation paths, images onto canvases, outlines
// of Gaussians.

// mulberry32: a tiny seeded generator; draws differ from numpy's for the same seed (the page says so).
export function seeded(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

// Images (arrays of 784 values in [0, 1]) as a grid on `canvas`, `cols` per row, `scale` px per pixel.
export function drawGrid(canvas, images, cols, scale = 3, labels = null) {
  const rows = Math.ceil(images.length / cols);
  const side = 28 * scale;
  const gap = 2;
  const labelH = labels ? 16 : 0;
  canvas.width = cols * (side + gap) - gap;
  canvas.height = rows * (side + gap + labelH) - gap;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const tile = new ImageData(28, 28);
  const tmp = document.createElement('canvas');
  tmp.width = 28; tmp.height = 28;
  images.forEach((img, i) => {
    for (let p = 0; p < 784; p += 1) {
      const g = Math.floor(Math.min(Math.max(img[p], 0), 1) * 255 + 0.5);
      tile.data[4 * p] = g; tile.data[4 * p + 1] = g; tile.data[4 * p + 2] = g; tile.data[4 * p + 3] = 255;
    }
    tmp.getContext('2d').putImageData(tile, 0, 0);
    ctx.imageSmoothingEnabled = false;
    const x = (i % cols) * (side + gap);
    const y = Math.floor(i / cols) * (side + gap + labelH);
    ctx.drawImage(tmp, x, y, side, side);
    if (labels) {
      ctx.fillStyle = '#222';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(labels[i], x + 2, y + side + 12);
    }
  });
}

// The n-sigma outline of the Gaussian fitted to 2-D points [[x, y], ...] (explorer/ellipse.py projected_ellipse).
export function outline(points, sigma, n = 64) {
  const m = points.length;
  let mx = 0; let my = 0;
  for (const [x, y] of points) { mx += x / m; my += y / m; }
  let sxx = 0; let sxy = 0; let syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2 / (m - 1); sxy += ((x - mx) * (y - my)) / (m - 1); syy += (y - my) ** 2 / (m - 1);
  }
  const tr = sxx + syy;
  const det = sxx * syy - sxy * sxy;
  const disc = Math.sqrt(Math.max(tr * tr / 4 - det, 0));
  const l1 = tr / 2 + disc; const l2 = Math.max(tr / 2 - disc, 0);
  const angle = Math.abs(sxy) > 1e-12 ? Math.atan2(l1 - sxx, sxy) : (sxx >= syy ? 0 : Math.PI / 2);
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const r1 = Math.sqrt(l1) * sigma; const r2 = Math.sqrt(l2) * sigma;
  return Array.from({ length: n + 1 }, (_, i) => {
    const t = (2 * Math.PI * i) / n;
    const u = r1 * Math.cos(t); const v = r2 * Math.sin(t);
    return [mx + u * c - v * s, my + u * s + v * c];
  });
}

// generate.interpolate: n latents from a to b, both ends exact; slerp falls back to the line for (anti)parallel ends.
export function interpolate(a, b, n, mode) {
  let dot = 0; let na = 0; let nb = 0;
  for (let j = 0; j < a.length; j += 1) { dot += a[j] * b[j]; na += a[j] * a[j]; nb += b[j] * b[j]; }
  const norms = Math.sqrt(na) * Math.sqrt(nb);
  const omega = Math.acos(Math.min(Math.max(norms > 0 ? dot / norms : 1, -1), 1));
  const line = mode === 'linear' || Math.sin(omega) < 1e-6;
  return Array.from({ length: n }, (_, i) => {
    const t = i / (n - 1);
    if (i === 0) return Float32Array.from(a);
    if (i === n - 1) return Float32Array.from(b);
    return Float32Array.from(a, (v, j) => (line ? (1 - t) * v + t * b[j]
      : (Math.sin((1 - t) * omega) * v + Math.sin(t * omega) * b[j]) / Math.sin(omega)));
  });
}
