// The dots' bucket index against a brute-force search: the same k nearest, in the same order, inside the dots'
// box and far outside it, with clusters and duplicates.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dotIndex } from '../../explorer/app/latent_map/static/dots.js';

function rng(seed) {   // a small deterministic generator
  let s = seed;
  return () => { s = (s * 1664525 + 1013904223) % 4294967296; return s / 4294967296; };
}

function brute(xy, x, y, k) {
  const all = Array.from({ length: xy.length / 2 }, (_, i) => [Math.hypot(xy[2 * i] - x, xy[2 * i + 1] - y), i]);
  all.sort((a, b) => a[0] - b[0]);
  return all.slice(0, k);
}

test('the k nearest dots are exactly the brute-force ones', () => {
  const r = rng(7);
  const xy = new Float32Array(2 * 3000);
  for (let i = 0; i < 3000; i += 1) {   // three clusters of different spreads, and some repeated points
    const c = i % 3;
    xy[2 * i] = [0, 5, -3][c] + (r() - 0.5) * [0.2, 2, 6][c];
    xy[2 * i + 1] = [0, 1, 4][c] + (r() - 0.5) * [0.2, 2, 6][c];
  }
  xy.copyWithin(0, 10, 20);
  const index = dotIndex(xy);
  for (let q = 0; q < 300; q += 1) {
    const x = (r() - 0.5) * 40;
    const y = (r() - 0.5) * 40;
    const k = 1 + (q % 9);
    const got = index.nearest(x, y, k);
    const want = brute(xy, x, y, k);
    assert.deepEqual(Array.from(got.dist), want.map((w) => w[0]), `distances at (${x}, ${y})`);
  }
});

test('a single dot, and asking for more dots than there are', () => {
  const index = dotIndex(Float32Array.from([1, 2]));
  const got = index.nearest(4, 6, 3);
  assert.equal(got.dist.length, 1);
  assert.equal(got.dist[0], 5);
  assert.equal(got.idx[0], 0);
});
