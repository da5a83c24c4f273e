// The pointer controller on a fake plot: what grabs the cursor, what is a click, what is left to plotly, one decode
// per frame while dragging, and the release that reaches plotly a frame late.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { GRAB_PX, GRAB_TOUCH_PX, attachPointer } from '../../explorer/app/latent_map/static/pointer.js';
import { event, fakePlot, fakeWindow } from './fakes.mjs';

// The plot area: 400 x 300 px at (46, 8) inside the graph div, showing x in [-4, 4] and y in [-3, 3].
const FRAME = { l: 46, t: 8, w: 400, h: 300, x0: -4, x1: 4, y0: -3, y1: 3 };
const LEFT = 10;
const TOP = 20;
// Page coordinates of a data point, and back.
const page = (x, y) => [LEFT + FRAME.l + ((x - FRAME.x0) / 8) * FRAME.w, TOP + FRAME.t + ((FRAME.y1 - y) / 6) * FRAME.h];

function setup({ rawUpdates = false, ready = true } = {}) {
  const gd = fakePlot(LEFT, TOP);
  const win = fakeWindow({ rawUpdates });
  const calls = [];
  const options = { holdPlotlyRelease: true };
  const pointer = attachPointer(gd, win, {
    frame: () => FRAME, cursor: () => [0, 0], ready: () => ready,
    onGrab: () => calls.push(['grab']),
    onDragTo: (x, y) => calls.push(['drag', +x.toFixed(3), +y.toFixed(3)]),
    onDrop: () => calls.push(['drop']),
    onClick: (x, y) => calls.push(['click', +x.toFixed(3), +y.toFixed(3)]),
  }, options);
  const at = ([clientX, clientY], more = {}) => ({ clientX, clientY, pointerId: 1, button: 0, pointerType: 'mouse',
    timeStamp: 0, ...more });
  return { gd, win, calls, options, pointer, at };
}

test('a press on the cursor grabs it, and plotly never sees that press', () => {
  const { gd, calls, pointer, at } = setup();
  const down = event('pointerdown', at(page(0, 0)));
  gd.dispatchEvent(down);
  assert.equal(down.defaultPrevented, true, 'no compatibility mousedown: plotly does not start a pan');
  assert.deepEqual(calls, [['grab']]);
  assert.equal(pointer.dragging(), true);
  assert.deepEqual(gd.captured, [1]);
  assert.equal(gd.classList.contains('lm-dragging'), true);
});

test(`a press ${GRAB_PX + 4} px from the cursor is not a grab: plotly may pan`, () => {
  const { gd, calls, pointer, at } = setup();
  const [px, py] = page(0, 0);
  const down = event('pointerdown', at([px + GRAB_PX + 4, py]));
  gd.dispatchEvent(down);
  assert.equal(down.defaultPrevented, false);
  assert.equal(pointer.dragging(), false);
  assert.deepEqual(calls, []);
});

test(`a finger ${GRAB_PX + 6} px from the cursor grabs it (a mouse there would not); ${GRAB_TOUCH_PX + 4} px does not`, () => {
  const { gd, calls, pointer, at } = setup();
  const [px, py] = page(0, 0);
  gd.dispatchEvent(event('pointerdown', at([px + GRAB_PX + 6, py], { pointerType: 'touch' })));
  assert.equal(pointer.dragging(), true);
  assert.deepEqual(calls, [['grab']]);
  const far = setup();
  far.gd.dispatchEvent(event('pointerdown', far.at([px + GRAB_TOUCH_PX + 4, py], { pointerType: 'touch' })));
  assert.equal(far.pointer.dragging(), false);
});

test('dragging decodes at most once per frame, the latest move, and the release ends on the final position', () => {
  const { gd, win, calls, at } = setup();
  gd.dispatchEvent(event('pointerdown', at(page(0, 0))));
  gd.dispatchEvent(event('pointermove', at(page(1, 0))));
  gd.dispatchEvent(event('pointermove', at(page(2, 0))));   // same frame: waits
  gd.dispatchEvent(event('pointermove', at(page(2, 1))));   // replaces the one waiting
  assert.deepEqual(calls.slice(1), [['drag', 1, 0]]);
  win.frame();
  assert.deepEqual(calls.slice(1), [['drag', 1, 0], ['drag', 2, 1]]);
  gd.dispatchEvent(event('pointermove', at(page(3, 1))));
  gd.dispatchEvent(event('pointermove', at(page(3, 2))));   // still waiting at the release
  win.dispatchEvent(event('pointerup', at(page(3, 2))));
  assert.deepEqual(calls.slice(3), [['drag', 3, 1], ['drag', 3, 2], ['drop']]);
});

test('with raw pointer updates, plain pointermoves are not decoded twice', () => {
  const { gd, win, calls, at } = setup({ rawUpdates: true });
  gd.dispatchEvent(event('pointerdown', at(page(0, 0))));
  gd.dispatchEvent(event('pointerrawupdate', at(page(1, 1))));
  const move = event('pointermove', at(page(1, 1)));
  gd.dispatchEvent(move);
  win.frame();
  assert.deepEqual(calls, [['grab'], ['drag', 1, 1]]);
  assert.equal(move.defaultPrevented, true, 'still kept from plotly');
});

test('a short press and release away from the cursor is a click there; a longer one is a pan', () => {
  const { gd, win, calls, at } = setup();
  gd.dispatchEvent(event('pointerdown', at(page(2, 2), { timeStamp: 0 })));
  win.dispatchEvent(event('pointerup', at(page(2, 2), { timeStamp: 120 })));
  assert.deepEqual(calls, [['click', 2, 2]]);
  gd.dispatchEvent(event('pointerdown', at(page(-2, -2), { timeStamp: 1000 })));
  win.dispatchEvent(event('pointerup', at(page(-1, -2), { timeStamp: 1300 })));   // 50 px away: panned
  assert.deepEqual(calls, [['click', 2, 2]]);
});

test('presses outside the plot area, with another button, or before the map is drawn do nothing', () => {
  const { gd, win, calls, at } = setup();
  gd.dispatchEvent(event('pointerdown', at([LEFT + 5, TOP + 5])));            // on the axis labels
  win.dispatchEvent(event('pointerup', at([LEFT + 5, TOP + 5])));
  gd.dispatchEvent(event('pointerdown', at(page(0, 0), { button: 2 })));     // right button on the cursor
  assert.deepEqual(calls, []);
  const early = setup({ ready: false });
  early.gd.dispatchEvent(event('pointerdown', early.at(page(0, 0))));
  assert.deepEqual(early.calls, []);
});

test("a click's mouseup reaches plotly one frame late, and mouse moves wait with it", () => {
  const { gd, win, calls, at } = setup();
  const plotly = [];   // what a listener registered after the controller's (as plotly's are) receives
  win.addEventListener('mouseup', (ev) => plotly.push(ev.type), true);
  win.addEventListener('mousemove', (ev) => plotly.push(ev.type), true);
  gd.dispatchEvent(event('pointerdown', at(page(2, 2))));
  win.dispatchEvent(event('pointerup', at(page(2, 2))));
  win.dispatchEvent(event('mouseup', at(page(2, 2))));
  win.dispatchEvent(event('mousemove', at(page(2.5, 2))));   // or plotly, still holding the press, would pan
  assert.deepEqual(plotly, [], 'the release and the move are held back');
  win.frame();
  assert.equal(win.flushTimers(), 1);
  assert.deepEqual(plotly, ['mouseup'], 'the release reaches plotly after the frame');
  win.dispatchEvent(event('mousemove', at(page(2.5, 2))));
  assert.deepEqual(plotly, ['mouseup', 'mousemove'], 'and moves flow again');
  assert.deepEqual(calls, [['click', 2, 2]]);
});

test('a tap has no mouseup to hold back', () => {
  const { gd, win, at } = setup();
  const plotly = [];
  win.addEventListener('mouseup', (ev) => plotly.push(ev.type), true);
  gd.dispatchEvent(event('pointerdown', at(page(2, 2), { pointerType: 'touch' })));
  win.dispatchEvent(event('pointerup', at(page(2, 2), { pointerType: 'touch' })));
  win.dispatchEvent(event('mouseup', at(page(2, 2))));
  assert.deepEqual(plotly, ['mouseup']);
});

test('detach removes every listener', () => {
  const { gd, calls, pointer, at } = setup();
  pointer.detach();
  gd.dispatchEvent(event('pointerdown', at(page(0, 0))));
  assert.deepEqual(calls, []);
});
