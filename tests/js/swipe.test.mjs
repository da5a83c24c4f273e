// A finger on a fake plot's legend or axes scrolls the page by as much as it moves; on the data area, or with a
// mouse, it does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { attachSwipe } from '../../explorer/app/latent_map/static/swipe.js';
import { event, fakePlot, fakeWindow } from './fakes.mjs';

// The plot area: 400 x 300 px at (46, 8) inside the graph div at (10, 20); the legend is below it.
const FRAME = { l: 46, t: 8, w: 400, h: 300, x0: -4, x1: 4, y0: -3, y1: 3 };
const finger = (clientX, clientY, pointerType = 'touch') => ({ pointerId: 7, clientX, clientY, pointerType });

function setup() {
  const gd = fakePlot(10, 20);
  const win = fakeWindow();
  const scrolls = [];
  win.scrollBy = (dx, dy) => scrolls.push([dx, dy]);
  attachSwipe(gd, win, { frame: () => FRAME });
  return { gd, win, scrolls };
}

test('a swipe up on the legend scrolls the page down by the same distance', () => {
  const { gd, win, scrolls } = setup();
  gd.dispatchEvent(event('pointerdown', finger(200, 360)));
  win.dispatchEvent(event('pointermove', finger(200, 330)));
  win.dispatchEvent(event('pointermove', finger(201, 300)));
  win.dispatchEvent(event('pointerup', finger(201, 300)));
  win.dispatchEvent(event('pointermove', finger(201, 250)));
  assert.deepEqual(scrolls, [[0, 30], [-1, 30]]);
});

test('a finger on the data area, or a mouse on the legend, does not scroll', () => {
  const { gd, win, scrolls } = setup();
  gd.dispatchEvent(event('pointerdown', finger(200, 100)));
  win.dispatchEvent(event('pointermove', finger(200, 60)));
  win.dispatchEvent(event('pointerup', finger(200, 60)));
  gd.dispatchEvent(event('pointerdown', finger(200, 360, 'mouse')));
  win.dispatchEvent(event('pointermove', finger(200, 300, 'mouse')));
  assert.deepEqual(scrolls, []);
});
