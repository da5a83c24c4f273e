// The replay's frames: each trace's points at an epoch, read from the history in test-set order.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { epochTraces } from '../../explorer/app/latent_map/static/replay.js';

test('an epoch gives each trace the places of its own test images', () => {
  // 3 test images, 2 epochs: image i at epoch e sits at (10 e + i, -(10 e + i))
  const frames = Float32Array.from([10, -10, 11, -11, 12, -12, 20, -20, 21, -21, 22, -22]);
  const p = { n: 3, traces: [{ idx: [2, 0] }, { idx: [1] }] };
  assert.deepEqual(epochTraces(p, frames, 1), { x: [[12, 10], [11]], y: [[-12, -10], [-11]] });
  assert.deepEqual(epochTraces(p, frames, 2), { x: [[22, 20], [21]], y: [[-22, -20], [-21]] });
});
