// Pure helpers of the live latent map: pixel <-> data coordinates, click detection, latest-wins requests.
// No DOM and no plotly, so node runs them in tests/test_latent_map.py; the browser gets window.LatentMapGeom.
(function (root) {
  'use strict';

  // A frame is the plot area inside the graph div, in CSS px, and the axis ranges it shows:
  // {l, t, w, h, x0, x1, y0, y1}. Pixel y grows downwards, data y upwards.
  function pixelToData(px, py, f) {
    return [f.x0 + ((px - f.l) / f.w) * (f.x1 - f.x0), f.y1 - ((py - f.t) / f.h) * (f.y1 - f.y0)];
  }

  function dataToPixel(x, y, f) {
    return [f.l + ((x - f.x0) / (f.x1 - f.x0)) * f.w, f.t + ((f.y1 - y) / (f.y1 - f.y0)) * f.h];
  }

  function insidePlot(px, py, f) {
    return px >= f.l && px <= f.l + f.w && py >= f.t && py <= f.t + f.h;
  }

  // A press and release close in space and time is a click; anything longer is the user panning.
  function isClick(down, up, tolPx = 5, maxMs = 700) {
    return Math.hypot(up.x - down.x, up.y - down.y) <= tolPx && up.t - down.t <= maxMs;
  }

  // Keep one request in flight; while it runs, newer jobs replace each other and only the latest is sent next.
  // send(job) -> Promise of a result (never rejecting is fine, a rejection is delivered as undefined);
  // deliver(job, result) runs for every job that was sent, in order.
  function latestWins(send, deliver) {
    let pending = null;
    let inflight = false;
    async function pump() {
      inflight = true;
      while (pending) {
        const job = pending;
        pending = null;
        let result;
        try {
          result = await send(job);
        } catch (err) {
          result = undefined;
        }
        deliver(job, result);
      }
      inflight = false;
    }
    return {
      push(job) {
        pending = job;
        if (!inflight) pump();
      },
      busy() {
        return inflight;
      },
    };
  }

  const api = { pixelToData, dataToPixel, insidePlot, isClick, latestWins };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.LatentMapGeom = api;
})(typeof self !== 'undefined' ? self : this);
