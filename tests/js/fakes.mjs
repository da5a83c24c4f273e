// Fakes for node tests of the map's modules: a plot element, a window with a manual animation-frame queue, DOM-like
// events, a clock with timers, and a server whose answers the test releases by hand.

export function event(type, props = {}) {
  const ev = new Event(type, { bubbles: true, cancelable: true });
  for (const [key, value] of Object.entries(props)) Object.defineProperty(ev, key, { value });
  return ev;
}

export class FakeMouseEvent extends Event {
  constructor(type, init) {
    super(type, init);
    for (const [key, value] of Object.entries(init)) if (!(key in Event.prototype)) this[key] = value;
  }
}

// A window: events, a frame queue run by `frame()`, timers run by `flushTimers()`.
export function fakeWindow({ rawUpdates = false } = {}) {
  const win = new EventTarget();
  const frames = [];
  const timers = [];
  Object.assign(win, {
    MouseEvent: FakeMouseEvent,
    requestAnimationFrame: (fn) => frames.push(fn),
    setTimeout: (fn) => timers.push(fn),
    frame() { const run = frames.splice(0); run.forEach((fn) => fn()); return run.length; },
    flushTimers() { const run = timers.splice(0); run.forEach((fn) => fn()); return run.length; },
  });
  if (rawUpdates) win.onpointerrawupdate = null;
  return win;
}

// The graph div at page offset (left, top).
export function fakePlot(left = 10, top = 20) {
  const gd = new EventTarget();
  const classes = new Set();
  Object.assign(gd, {
    captured: [],
    getBoundingClientRect: () => ({ left, top, width: 500, height: 400 }),
    setPointerCapture: (id) => gd.captured.push(id),
    classList: { add: (c) => classes.add(c), remove: (c) => classes.delete(c), contains: (c) => classes.has(c) },
  });
  return gd;
}

// A clock for the decode source: now() and setTimeout(fn, ms) that run when the test advances the time.
export function fakeClock() {
  let t = 0;
  let timers = [];
  return {
    now: () => t,
    setTimeout(fn, ms) { timers.push({ at: t + ms, fn }); },
    advance(ms) {
      t += ms;
      const due = timers.filter((x) => x.at <= t);
      timers = timers.filter((x) => x.at > t);
      due.forEach((x) => x.fn());
    },
  };
}

// A server whose lm_decode / lm_neighbours answers wait until the test calls release().
export function fakeServer() {
  const calls = { lm_decode: [], lm_neighbours: [] };
  const waiting = [];
  const answer = (name, req) => new Promise((resolve) => {
    calls[name].push(req);
    waiting.push({ name, req, resolve });
  });
  return {
    calls,
    waiting,
    lm_decode: (req) => answer('lm_decode', req),
    lm_neighbours: (req) => answer('lm_neighbours', req),
    // Answer the oldest waiting request (or the one at `index`) with make(req).
    release(make, index = 0) { const w = waiting.splice(index, 1)[0]; w.resolve(make(w.req, w.name)); return w; },
  };
}

export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
