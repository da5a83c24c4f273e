// Replay how a map formed: the test codes' places after each training epoch (payload.history: the URL of a raw
// little-endian float16 file, epochs x N x 2, from payload.py history_frames), moved on the plot's own traces by an
// epoch slider and a play button. The decode under the cursor stays the final model's; the frames are fetched on
// first use only, so a slow link pays nothing for a replay nobody asks for.
import { weightsFrom } from './decoder.js';

export const FRAME_MS = 120;     // between frames while playing
export const PLAY_FRAMES = 60;   // a long history plays in about this many frames (every k-th epoch)

// Per trace, the x and y of its points at `epoch` (1-based); `frames`: Float32Array of the whole history.
export function epochTraces(p, frames, epoch) {
  const base = (epoch - 1) * p.n * 2;
  return { x: p.traces.map((t) => t.idx.map((i) => frames[base + 2 * i])),
    y: p.traces.map((t) => t.idx.map((i) => frames[base + 2 * i + 1])) };
}

// root: the component's root; move({x, y, final}): restyle the data traces (per-trace lists), resolving once
// drawn; `final`: these are the map's own places (the far-from-data shading is of them, not of an earlier epoch's).
export function createReplay(root, move) {
  const box = root.querySelector('.lm-replay');
  const play = box.querySelector('.lm-play');
  const slider = box.querySelector('.lm-epoch');
  const text = box.querySelector('.lm-epoch-text');
  let p = null;            // the payload shown
  let frames = null;       // its history, once fetched: a promise of a Float32Array
  let playing = false;
  let shown = 0;           // the epoch on the plot

  const last = () => p.history.epochs;
  const say = (epoch) => {
    text.textContent = epoch === last() ? `epoch ${epoch} of ${last()} (the final map)` : `epoch ${epoch} of ${last()}`;
  };

  async function show(epoch) {
    const drawn = p;
    if (!p || epoch === shown) return;
    const f = await (frames = frames || fetch(p.history.url).then((r) => r.arrayBuffer())
      .then((b) => weightsFrom(b, 'float16')));
    if (drawn !== p) return;
    await move(epoch === last() ? { x: p.traces.map((t) => t.x), y: p.traces.map((t) => t.y), final: true }
      : { ...epochTraces(p, f, epoch), final: false });
    shown = epoch;
    slider.value = String(epoch);
    say(epoch);
  }

  function stop() {
    playing = false;
    play.textContent = '▶ Replay training';
    play.setAttribute('aria-pressed', 'false');
  }

  async function start() {
    playing = true;
    play.textContent = '❚❚ Pause';
    play.setAttribute('aria-pressed', 'true');
    const step = Math.max(1, Math.ceil(last() / PLAY_FRAMES));
    let epoch = Number(slider.value) >= last() ? 1 : Number(slider.value);
    const drawn = p;
    while (playing && drawn === p) {
      await show(epoch);
      if (epoch >= last()) break;
      await new Promise((r) => setTimeout(r, FRAME_MS));
      epoch = Math.min(last(), epoch + step);
    }
    if (drawn === p) stop();
  }

  play.addEventListener('click', () => { if (playing) stop(); else start().catch(() => stop()); });
  slider.addEventListener('input', () => { stop(); show(Number(slider.value)).catch(() => null); });

  return {
    // A new map: its replay if it has a history, else none (null: no map, while one loads).
    setup(payload) {
      stop();
      p = payload;
      frames = null;
      const ok = !!(p && p.history && p.history.url && p.history.epochs > 1);
      box.hidden = !ok;
      if (!ok) return;
      shown = last();
      slider.min = '1';
      slider.max = String(last());
      slider.value = String(last());
      say(last());
    },
    epoch: () => shown,
    playing: () => playing,
  };
}
