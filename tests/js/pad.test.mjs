// The drawing pad on a fake canvas: a stroke draws lines in canvas pixels (the page may show the canvas smaller)
// and says so once when it ends; a tap draws a dot; Clear paints it black again.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { attachPad } from '../../explorer/app/static/pad.js';
import { event, fakePlot } from './fakes.mjs';

// A 280x280 canvas shown at 140x140 CSS px at (10, 20), with a context that records what is drawn.
function fakeCanvas() {
  const pad = fakePlot(10, 20);
  const drawn = [];
  const ctx = {
    fillRect: (...r) => drawn.push(['fill', ctx.fillStyle, ...r]),
    beginPath: () => {}, moveTo: (x, y) => drawn.push(['from', x, y]), lineTo: (x, y) => drawn.push(['to', x, y]),
    stroke: () => drawn.push(['stroke', ctx.strokeStyle]),
  };
  Object.assign(pad, { width: 280, height: 280, getContext: () => ctx,
    getBoundingClientRect: () => ({ left: 10, top: 20, width: 140, height: 140 }) });
  return { pad, drawn };
}
const at = (clientX, clientY) => ({ pointerId: 1, button: 0, clientX, clientY });

test('a stroke draws in canvas pixels and ends once', () => {
  const { pad, drawn } = fakeCanvas();
  let strokes = 0;
  const drawing = attachPad(pad, { onStroke: () => { strokes += 1; } });
  assert.deepEqual(drawn.splice(0), [['fill', '#000', 0, 0, 280, 280]]);
  assert.equal(drawing.isEmpty(), true);
  pad.dispatchEvent(event('pointerdown', at(20, 30)));    // (10, 10) CSS px into the canvas: (20, 20) pixels
  pad.dispatchEvent(event('pointermove', at(30, 30)));
  pad.dispatchEvent(event('pointerup', at(30, 30)));
  pad.dispatchEvent(event('pointerup', at(30, 30)));      // a second release is not a second stroke
  assert.equal(strokes, 1);
  assert.equal(drawing.isEmpty(), false);
  assert.deepEqual(drawn.filter((d) => d[0] !== 'stroke'),
    [['from', 20, 20], ['to', 20, 20], ['from', 20, 20], ['to', 40, 20]]);
  assert.ok(drawn.filter((d) => d[0] === 'stroke').every((d) => d[1] === '#fff'));
});

test('moving without a press draws nothing; clear paints the pad black', () => {
  const { pad, drawn } = fakeCanvas();
  const drawing = attachPad(pad);
  drawn.splice(0);
  pad.dispatchEvent(event('pointermove', at(50, 50)));
  assert.deepEqual(drawn, []);
  pad.dispatchEvent(event('pointerdown', at(50, 50)));
  pad.dispatchEvent(event('pointercancel', at(50, 50)));
  drawing.clear();
  assert.deepEqual(drawn.at(-1), ['fill', '#000', 0, 0, 280, 280]);
  assert.equal(drawing.isEmpty(), true);
});
