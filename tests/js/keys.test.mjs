// The keyboard controller on a fake map: arrows move the cursor a fixed share of the view and never out of it,
// Shift moves farther, Enter drops, + / - / 0 zoom and reset, other keys stay the page's.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BIG_STEP, STEPS, attachKeys } from '../../explorer/app/latent_map/static/keys.js';
import { event } from './fakes.mjs';

const FRAME = { l: 46, t: 8, w: 400, h: 300, x0: -4, x1: 4, y0: -3, y1: 3 };

function setup({ ready = true, cursor = [0, 0] } = {}) {
  const target = new EventTarget();
  const calls = [];
  let at = cursor.slice();
  attachKeys(target, {
    frame: () => FRAME, cursor: () => at, ready: () => ready,
    onMove: (x, y) => { at = [x, y]; calls.push(['move', +x.toFixed(3), +y.toFixed(3)]); },
    onDrop: () => calls.push(['drop']),
    zoom: (factor) => calls.push(['zoom', factor]),
    reset: () => calls.push(['reset']),
  });
  const press = (key, more = {}) => {
    const ev = event('keydown', { key, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...more });
    target.dispatchEvent(ev);
    return ev;
  };
  return { calls, press };
}

test('each arrow moves the cursor 1/STEPS of the visible range, up meaning up on the map', () => {
  const { calls, press } = setup();
  for (const key of ['ArrowRight', 'ArrowUp', 'ArrowLeft', 'ArrowDown']) {
    assert.equal(press(key).defaultPrevented, true, `${key} must not scroll the page`);
  }
  const dx = 8 / STEPS;
  const dy = 6 / STEPS;
  assert.deepEqual(calls, [['move', +dx.toFixed(3), 0], ['move', +dx.toFixed(3), +dy.toFixed(3)],
    ['move', 0, +dy.toFixed(3)], ['move', 0, 0]]);
});

test('Shift moves BIG_STEP times as far, and the cursor stops at the edge of the view', () => {
  const { calls, press } = setup({ cursor: [3.5, 0] });
  press('ArrowRight', { shiftKey: true });
  assert.deepEqual(calls, [['move', 4, 0]], 'clamped to x1 = 4');
  const { calls: calls2, press: press2 } = setup();
  press2('ArrowLeft', { shiftKey: true });
  assert.deepEqual(calls2, [['move', +(-(8 / STEPS) * BIG_STEP).toFixed(3), 0]]);
});

test('Enter and Space drop the cursor; + - 0 zoom and reset', () => {
  const { calls, press } = setup();
  press('Enter');
  press(' ');
  press('+');
  press('-');
  press('0');
  assert.deepEqual(calls, [['drop'], ['drop'], ['zoom', 0.5], ['zoom', 2], ['reset']]);
});

test('page keys and modified keys are left alone, and nothing happens before a map is drawn', () => {
  const { calls, press } = setup();
  assert.equal(press('PageDown').defaultPrevented, false);
  assert.equal(press('Tab').defaultPrevented, false);
  assert.equal(press('ArrowLeft', { ctrlKey: true }).defaultPrevented, false);
  assert.deepEqual(calls, []);
  const idle = setup({ ready: false });
  assert.equal(idle.press('ArrowLeft').defaultPrevented, false);
  assert.deepEqual(idle.calls, []);
});
