// The layers drawn over a map's dots, as plotly traces after the data's: an input image's overlay (its code and
// posterior outlines) and the marks other views made (prior samples, the manifold grid, traversals, an
// interpolation path). A click near a mark goes to it.
import { dataToPixel } from './geometry.js';
import { markTraces, overlayTraces } from './figure.js';

export const SNAP_PX = 10;   // a click this close to a mark goes to the mark

export function createLayers(gd, plotly) {   // plotly(): the Plotly object (it may load after the map mounts)
  const st = { overlay: null, marks: [], counts: { overlay: 0, marks: 0 } };

  async function redraw() {
    const n = gd.data ? gd.data.length : 0;
    const total = st.counts.overlay + st.counts.marks;
    st.counts = { overlay: 0, marks: 0 };
    if (total) await plotly().deleteTraces(gd, Array.from({ length: total }, (_, i) => n - 1 - i));
    const over = st.overlay ? overlayTraces(st.overlay) : [];
    const marks = markTraces(st.marks);
    if (over.length + marks.length) await plotly().addTraces(gd, [...over, ...marks]);
    st.counts = { overlay: over.length, marks: marks.length };
  }

  return {
    // Take the layers a map value names (a layer it does not name stays); true when it brings a new overlay.
    async set(sel) {
      const newOverlay = 'overlay' in sel && !!(sel.overlay && Array.isArray(sel.overlay.point));
      if ('overlay' in sel) st.overlay = newOverlay ? sel.overlay : null;
      if ('marks' in sel) st.marks = Array.isArray(sel.marks) ? sel.marks : [];
      if ('overlay' in sel || 'marks' in sel) await redraw();
      return newOverlay;
    },
    // After a new plot (its traces are gone): forget the counts, keep nothing.
    reset() { st.overlay = null; st.marks = []; st.counts = { overlay: 0, marks: 0 }; },
    overlay: () => st.overlay,
    counts: () => ({ ...st.counts }),
    // The mark nearest the plot pixel (px, py) within SNAP_PX, as {x, y, z, label}, or null.
    snap(px, py, f) {
      let best = null;
      let bestD = SNAP_PX;
      for (const m of st.marks) {
        m.x.forEach((x, i) => {
          const [mx, my] = dataToPixel(x, m.y[i], f);
          const d = Math.hypot(mx - px, my - py);
          if (d <= bestD) { bestD = d; best = { x, y: m.y[i], z: m.z[i], label: m.labels[i] }; }
        });
      }
      return best;
    },
  };
}
