// The map's text sizes and legend (figure.js style) for the page's mode and the plot's size.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { layout, style } from '../../explorer/app/latent_map/static/figure.js';

const payload = (classes) => ({ traces: Array.from({ length: classes }, (_, i) => ({ name: `c${i}` })),
  unreliable: { x: [], y: [], z: [] }, circles: [1, 2, 3], range: [-4, 4, -3, 3], map: 'latent', bundle: 'b' });

test('a wide plot keeps its legend at its right; a narrow one gets columns under the axis title', () => {
  const p = payload(10);
  const wide = style(p, false, 600, 420);
  assert.equal(wide.legend.orientation, 'v');
  assert.equal(wide.margin.b, 40);
  const narrow = style(p, false, 360, 420);
  assert.equal(narrow.legend.orientation, 'h');
  assert.equal(narrow.legend.entrywidthmode, 'fraction');
  assert.ok(narrow.legend.entrywidth <= 0.5, 'two columns at most on 360 px');
  // 11 entries (10 classes and the far region) in 2 columns: 6 rows, given a margin of their own
  assert.ok(narrow.margin.b >= 40 + 6 * 20, `bottom margin ${narrow.margin.b}`);
  assert.ok(narrow.legend.y < 0, 'under the plot');
});

test('presenter mode: every text 18 px, no legend on a narrow plot, the sigma labels too', () => {
  const p = payload(10);
  const narrow = style(p, true, 400, 300);
  assert.equal(narrow.font.size, 18);
  assert.equal(narrow.showlegend, false);
  assert.ok(narrow.shapes.every((s) => s.label.font.size === 18));
  const wide = style(p, true, 800, 500);
  assert.equal(wide.showlegend, true);
  assert.equal(wide.legend.font.size, 18);
  const normal = layout(p);
  assert.equal(normal.font.size, 12);
  assert.ok(normal.shapes.every((s) => s.label.font.size < 18));
});

test('a legend that is not shown takes no room', () => {
  const hidden = style(payload(10), true, 400, 300);
  assert.equal(hidden.showlegend, false);
  assert.equal(hidden.margin.b, 56, 'only the axis');
});

test("an overlay's legend entries get rows of their own under a narrow plot", () => {
  const p = payload(10);
  const plain = style(p, false, 360, 420);
  const withOverlay = style(p, false, 360, 420, 3);   // 14 entries in 2 columns: 7 rows
  assert.ok(withOverlay.margin.b >= plain.margin.b + 19, `${withOverlay.margin.b} vs ${plain.margin.b}`);
});
