// The decode source against a fake server and a fake browser model: which path decodes, latest wins, stale and
// foreign answers are dropped, neighbours are throttled and asked for from the latent.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NEIGHBOURS_MS, createDecodeSource } from '../../explorer/app/latent_map/static/decode_source.js';
import { fakeClock, fakeServer, settle } from './fakes.mjs';

const SEL = { bundle: 'p/vae', map: 'pca' };

function serverDecode(req) {
  return { bundle: req.bundle, map: req.map, x: req.x, y: req.y, clamped: false, reliable: true,
    z: req.z || [req.x, req.y, 0], coords: `PCA (${req.x}, ${req.y})`, summary: 's',
    pixels: Buffer.from([req.x * 10, req.y * 10, 7]).toString('base64') };
}

// A browser model that records what it decoded; throws when told to.
function fakeModel() {
  const model = { decoded: [], fail: false };
  model.decodeAt = (x, y, z = null) => {
    if (model.fail) throw new Error('broken');
    const latent = z ? Float32Array.from(z) : Float32Array.from([x, y, 1]);
    model.decoded.push(Array.from(latent));
    return { x, y, clamped: false, reliable: true, z: latent, levels: Uint8Array.from([1, 2, 3]), shape: [1, 3, 1], coords: 'c',
      summary: 's' };
  };
  return model;
}

function setup() {
  const server = fakeServer();
  const clock = fakeClock();
  const painted = [];
  const shown = { neighbours: [], errors: [] };
  const log = { rtt: [], errors: 0 };
  const options = { browserDecoding: true };
  const source = createDecodeSource({
    server, options, log, now: clock.now, timers: clock,
    onDecode: (job, r, from) => painted.push({ seq: job.seq, x: r.x, from, levels: Array.from(r.levels) }),
    onNeighbours: (list) => shown.neighbours.push(list),
    onError: (text) => { if (text) shown.errors.push(text); },
  });
  source.select(SEL);
  let seq = 0;
  const job = (x, y, z = null) => ({ seq: ++seq, ...SEL, x, y, z, t0: clock.now() });
  return { server, clock, painted, shown, log, options, source, job };
}

test('without a browser model the server decodes, one request in flight, and the latest position wins', async () => {
  const { server, painted, source, job } = setup();
  for (let i = 1; i <= 5; i += 1) source.request(job(i, 0));
  assert.equal(server.calls.lm_decode.length, 1, 'one request in flight');
  server.release(serverDecode);
  await settle();
  assert.deepEqual(server.calls.lm_decode.map((r) => r.x), [1, 5], 'the moves in between were coalesced');
  server.release(serverDecode);
  await settle();
  assert.deepEqual(painted.map((p) => [p.x, p.from]), [[1, 'server'], [5, 'server']]);
  assert.deepEqual(painted[1].levels, [50, 0, 7], 'the levels the server sent');
  assert.equal(source.busy(), true, 'the neighbours of the last decode are still to come');
});

test('the browser model paints at once, and asks the server only for neighbours', async () => {
  const { server, clock, painted, shown, source, job } = setup();
  const model = fakeModel();
  source.useModel(SEL, model);
  source.request(job(0.5, -1));
  assert.deepEqual(painted.map((p) => [p.x, p.from]), [[0.5, 'browser']]);
  assert.equal(server.calls.lm_decode.length, 0);
  clock.advance(0);
  assert.deepEqual(server.calls.lm_neighbours, [{ bundle: 'p/vae', z: [0.5, -1, 1] }]);
  server.release(() => ({ bundle: 'p/vae', neighbours: [{ index: 3 }] }));
  await settle();
  assert.deepEqual(shown.neighbours, [[{ index: 3 }]]);
  assert.equal(source.busy(), false);
});

test('neighbours are asked for at most every NEIGHBOURS_MS, and always for the last position', async () => {
  const { server, clock, source, job } = setup();
  source.useModel(SEL, fakeModel());
  for (let i = 0; i < 30; i += 1) {   // a drag: a move every 10 ms for 300 ms
    source.request(job(i, 0));
    clock.advance(10);
    while (server.waiting.length) server.release(() => ({ bundle: 'p/vae', neighbours: [] }));
    await settle();
  }
  clock.advance(NEIGHBOURS_MS);
  const asked = server.calls.lm_neighbours.map((r) => r.z[0]);
  assert.ok(asked.length <= Math.ceil(300 / NEIGHBOURS_MS) + 1, `asked ${asked.length} times`);
  assert.equal(asked[asked.length - 1], 29, 'the last position');
});

test('a late server answer never paints over a newer browser decode', async () => {
  const { server, painted, source, job } = setup();
  source.request(job(1, 1));                 // no model yet: to the server
  source.useModel(SEL, fakeModel());         // the decoder arrives while that request travels
  source.request(job(2, 2));                 // decoded here, at once
  server.release(serverDecode);              // the first answer arrives late
  await settle();
  assert.deepEqual(painted.map((p) => [p.x, p.from]), [[2, 'browser']]);
});

test('answers for another map are dropped, and a model for an old selection is not used', async () => {
  const { server, painted, source, job } = setup();
  source.request(job(1, 1));
  const other = { bundle: 'p/vae', map: 'umap' };
  source.select(other);
  server.release(serverDecode);              // answers for pca, now that umap is shown
  await settle();
  assert.equal(painted.length, 0);
  source.useModel(SEL, fakeModel());         // loaded for pca: too late
  assert.equal(source.hasModel(), false);
});

test('an exact latent is decoded as it is, by either path', async () => {
  const { server, painted, source, job } = setup();
  source.request(job(0.1, 0.2, [9, 8, 7]));
  assert.deepEqual(server.calls.lm_decode[0].z, [9, 8, 7]);
  server.release(serverDecode);
  await settle();
  const model = fakeModel();
  source.useModel(SEL, model);
  source.request(job(0.1, 0.2, [9, 8, 7]));
  assert.deepEqual(model.decoded, [[9, 8, 7]]);
  assert.deepEqual(painted.map((p) => p.from), ['server', 'browser']);
});

test('a browser model that fails hands over to the server', async () => {
  const { server, painted, source, job } = setup();
  const model = fakeModel();
  source.useModel(SEL, model);
  model.fail = true;
  const error = console.error;
  console.error = () => {};
  try { source.request(job(3, 3)); } finally { console.error = error; }
  assert.equal(source.hasModel(), false);
  server.release(serverDecode);
  await settle();
  assert.deepEqual(painted.map((p) => [p.x, p.from]), [[3, 'server']]);
});

test('the server can be forced, and its refusals are shown and counted', async () => {
  const { server, painted, shown, log, options, source, job } = setup();
  source.useModel(SEL, fakeModel());
  options.browserDecoding = false;
  source.request(job(4, 4));
  assert.equal(server.calls.lm_decode.length, 1);
  server.release(() => ({ error: 'The server is busy decoding; try again in a moment.' }));
  await settle();
  assert.deepEqual(shown.errors, ['The server is busy decoding; try again in a moment.']);
  assert.equal(log.errors, 1);
  assert.equal(painted.length, 0);
});
