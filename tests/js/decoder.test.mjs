// The decoder's pixel helpers: channel-first floats -> levels pixel by pixel -> RGBA, grey and colour.
import test from 'node:test';
import assert from 'node:assert/strict';
import { levelsToRGBA, toLevels } from '../../explorer/app/latent_map/static/decoder.js';

test('grey floats become one level a pixel, rounded as to_uint8 rounds, and grey RGBA', () => {
  const levels = toLevels(Float32Array.from([0, 0.5, 1.2, -1]), 1);
  assert.deepEqual(Array.from(levels), [0, 128, 255, 0]);
  assert.deepEqual(Array.from(levelsToRGBA(levels, 1)).slice(0, 8), [0, 0, 0, 255, 128, 128, 128, 255]);
});

test('colour floats, channel-first, become red, green and blue pixel by pixel', () => {
  // two pixels: the first pure red, the second pure blue; channel-first: R R, G G, B B
  const levels = toLevels(Float32Array.from([1, 0, 0, 0, 0, 1]), 3);
  assert.deepEqual(Array.from(levels), [255, 0, 0, 0, 0, 255]);
  assert.deepEqual(Array.from(levelsToRGBA(levels, 3)), [255, 0, 0, 255, 0, 0, 255, 255]);
});
