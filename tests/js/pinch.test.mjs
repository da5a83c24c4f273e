// Two fingers on a fake plot: spreading them zooms in about the point between them, once per frame; one finger and a
// mouse are left to plotly; while the cursor is held nothing zooms.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { zoomAbout } from '../../explorer/app/latent_map/static/geometry.js';
import { attachPinch } from '../../explorer/app/latent_map/static/pinch.js';
import { event, fakePlot, fakeWindow } from './fakes.mjs';

// The plot area: 400 x 300 px at (46, 8) inside the graph div at (10, 20), showing x in [-4, 4] and y in [-3, 3].
const FRAME = { l: 46, t: 8, w: 400, h: 300, x0: -4, x1: 4, y0: -3, y1: 3 };
const [LEFT, TOP] = [10, 20];
const page = (x, y) => [LEFT + FRAME.l + ((x - FRAME.x0) / 8) * FRAME.w, TOP + FRAME.t + ((FRAME.y1 - y) / 6) * FRAME.h];
const finger = (id, [clientX, clientY], pointerType = 'touch') => ({ pointerId: id, clientX, clientY, pointerType });

function setup({ dragging = false } = {}) {
  const gd = fakePlot(LEFT, TOP);
  const win = fakeWindow();
  const zooms = [];
  let starts = 0;
  const pinch = attachPinch(gd, win, { frame: () => FRAME, dragging: () => dragging, onStart: () => { starts += 1; },
    zoomTo: (x, y) => zooms.push({ x, y }) });
  return { gd, win, zooms, pinch, starts: () => starts };
}

test('zoomAbout keeps its point in place and scales the ranges', () => {
  const r = zoomAbout(FRAME, 1, 0, 0.5);
  assert.deepEqual(r, { x: [-1.5, 2.5], y: [-1.5, 1.5] });
});

test('two fingers spreading to twice their distance halve the ranges about the point between them', () => {
  const { gd, win, zooms, pinch, starts } = setup();
  gd.dispatchEvent(event('pointerdown', finger(1, page(0, 0))));
  assert.equal(pinch.pinching(), false, 'one finger: plotly pans');
  gd.dispatchEvent(event('pointerdown', finger(2, page(2, 0))));
  assert.equal(pinch.pinching(), true);
  assert.equal(starts(), 1);
  const move1 = event('pointermove', finger(1, page(-1, 0)));
  gd.dispatchEvent(move1);
  gd.dispatchEvent(event('pointermove', finger(2, page(3, 0))));
  assert.deepEqual(zooms, [], 'nothing before the frame');
  assert.equal(win.frame(), 1, 'one frame for both moves');
  assert.deepEqual(zooms, [zoomAbout(FRAME, 1, 0, 0.5)]);
  const touch = event('touchmove');
  win.dispatchEvent(touch);
  assert.equal(touch.cancelBubble, true, "plotly's pan does not see the pinch's moves");
  win.dispatchEvent(event('pointerup', finger(2, page(3, 0))));
  assert.equal(pinch.pinching(), false);
  gd.dispatchEvent(event('pointermove', finger(1, page(-2, 0))));
  assert.equal(win.frame(), 0, 'one finger left: no zoom');
});

test('mouse pointers and a held cursor never pinch', () => {
  const mouse = setup();
  mouse.gd.dispatchEvent(event('pointerdown', finger(1, page(0, 0), 'mouse')));
  mouse.gd.dispatchEvent(event('pointerdown', finger(2, page(1, 0), 'mouse')));
  assert.equal(mouse.pinch.pinching(), false);
  const held = setup({ dragging: true });
  held.gd.dispatchEvent(event('pointerdown', finger(1, page(0, 0))));
  held.gd.dispatchEvent(event('pointerdown', finger(2, page(1, 0))));
  assert.equal(held.pinch.pinching(), false);
});
