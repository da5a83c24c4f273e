// The dots of a map (the test codes' map positions), indexed for "which k dots are nearest this point": a grid of
// buckets, searched ring by ring outward until no unvisited bucket can hold a nearer dot. Exact, so it gives the
// dots explorer/projection.py LatentMap.nearest_dots gives (tests/test_browser_export.py checks it). No DOM.

export function dotIndex(xy) {   // xy: Float32Array or Float64Array [x0, y0, x1, y1, ...]
  const n = xy.length / 2;
  let x0 = Infinity; let x1 = -Infinity; let y0 = Infinity; let y1 = -Infinity;
  for (let i = 0; i < n; i += 1) {
    x0 = Math.min(x0, xy[2 * i]); x1 = Math.max(x1, xy[2 * i]);
    y0 = Math.min(y0, xy[2 * i + 1]); y1 = Math.max(y1, xy[2 * i + 1]);
  }
  const side = Math.max(1, Math.round(Math.sqrt(n / 4)));   // about 4 dots a bucket
  const cw = Math.max((x1 - x0) / side, 1e-12);
  const ch = Math.max((y1 - y0) / side, 1e-12);
  const cellOf = (v, lo, size) => Math.min(side - 1, Math.max(0, Math.floor((v - lo) / size)));
  const counts = new Int32Array(side * side + 1);
  for (let i = 0; i < n; i += 1) counts[cellOf(xy[2 * i + 1], y0, ch) * side + cellOf(xy[2 * i], x0, cw) + 1] += 1;
  for (let c = 1; c <= side * side; c += 1) counts[c] += counts[c - 1];   // bucket c holds order[counts[c]..]
  const order = new Int32Array(n);
  const fill = counts.slice(0, side * side);
  for (let i = 0; i < n; i += 1) order[fill[cellOf(xy[2 * i + 1], y0, ch) * side + cellOf(xy[2 * i], x0, cw)]++] = i;

  // The k dots nearest (x, y), nearest first: {dist: Float64Array, idx: Int32Array}.
  function nearest(x, y, k) {
    k = Math.min(k, n);
    const dist = new Float64Array(k).fill(Infinity);
    const idx = new Int32Array(k).fill(-1);
    const cx = cellOf(x, x0, cw);
    const cy = cellOf(y, y0, ch);
    const consider = (c) => {
      for (let p = counts[c]; p < counts[c + 1]; p += 1) {
        const i = order[p];
        const d = Math.hypot(xy[2 * i] - x, xy[2 * i + 1] - y);
        if (d >= dist[k - 1]) continue;
        let j = k - 1;
        while (j > 0 && dist[j - 1] > d) { dist[j] = dist[j - 1]; idx[j] = idx[j - 1]; j -= 1; }
        dist[j] = d; idx[j] = i;
      }
    };
    for (let r = 0; r < side; r += 1) {
      // every bucket r rings out is at least (r - 1) whole buckets away
      if (idx[k - 1] >= 0 && (r - 1) * Math.min(cw, ch) > dist[k - 1]) break;
      for (let gy = cy - r; gy <= cy + r; gy += 1) {
        if (gy < 0 || gy >= side) continue;
        const edge = gy === cy - r || gy === cy + r;
        for (let gx = cx - r; gx <= cx + r; gx += edge ? 1 : 2 * r) {
          if (gx >= 0 && gx < side) consider(gy * side + gx);
          if (r === 0) break;
        }
      }
    }
    return { dist, idx };
  }

  return { n, nearest };
}
