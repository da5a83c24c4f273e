// What the map shows beside and over the plot (latent_map.html): the cursor ring, the decoded image and its texts,
// the far-from-data badge, the nearest test images, the hover preview and errors. It only paints: it keeps no
// state of the map and asks nothing of the server.
import { dataToPixel } from './geometry.js';
import { levelsToRGBA } from './decoder.js';

export function createView(element) {
  const $ = (sel) => element.querySelector(sel);
  const el = {
    title: $('.lm-title'), canvas: $('.lm-decode'), coords: $('.lm-coords'), summary: $('.lm-summary'), how: $('.lm-how'),
    badge: $('.lm-badge'), clip: $('.lm-clip'), ring: $('.lm-cursor'), warn: $('.lm-warn'), nn: $('.lm-nn'),
    tip: $('.lm-tip'), error: $('.lm-error'), spot: $('.lm-spot'), loading: $('.lm-loading'),
    loadingText: $('.lm-loading-text'), status: $('.lm-status'), wrap: $('.lm-mapwrap'), said: $('.lm-said'),
  };
  const ctx = el.canvas.getContext('2d');
  let image = ctx.createImageData(el.canvas.width, el.canvas.height);
  let neighboursShown = '';
  let sayTimer = null;

  return {
    root: $('.lm'),
    plot: $('.lm-plot'),
    wrap: el.wrap,   // takes the keyboard's focus (keys.js)

    title(text) {
      el.title.textContent = text;
      el.wrap.setAttribute('aria-label', `${text}. Arrow keys move the cursor (Shift: farther), Enter drops it `
        + 'there, plus and minus zoom, 0 shows the whole map.');
    },

    // Tell a screen reader where the cursor is, once it has stopped for a moment (a keyboard move).
    announce() {
      clearTimeout(sayTimer);
      sayTimer = setTimeout(() => {
        const near = el.nn.querySelector('figcaption').textContent;
        el.said.textContent = el.coords.textContent + (near ? `; the nearest test image is a ${near}` : '');
      }, 600);
    },

    // A map on its way (text), or drawn (null): while it loads, the plot and everything beside it are blank, so
    // nothing of a previous map stands next to the new one.
    loading(text) {
      el.loading.hidden = !text;
      el.wrap.classList.toggle('lm-waiting', !!text);
      if (!text) return;
      el.loadingText.textContent = text;
      el.clip.hidden = true;
      el.tip.hidden = true;
      ctx.clearRect(0, 0, el.canvas.width, el.canvas.height);
      el.canvas.classList.remove('lm-dim');
      el.badge.hidden = true;
      el.warn.hidden = true;
      el.coords.textContent = '\u00a0';
      el.summary.textContent = '';
      el.how.textContent = '';
      neighboursShown = '';
      el.nn.querySelectorAll('figure').forEach((cell) => {
        cell.querySelector('img').removeAttribute('src');
        cell.querySelector('img').alt = '';
        cell.querySelector('figcaption').textContent = '';
        delete cell.dataset.index;
      });
    },

    // Where the decodes come from, and the decoder's download: status(text, {loaded, total} or null).
    status(text, progress = null) {
      el.status.textContent = text || '';
      if (!progress || !progress.total) return;
      const bar = document.createElement('progress');
      bar.max = progress.total;
      bar.value = progress.loaded;
      el.status.append(bar);
    },

    error(text) {
      el.error.textContent = text || '';
      el.error.hidden = !text;
    },

    // The overlay on the plot area and the ring at `cursor`; `f` may be a frame in the middle of a pan.
    placeCursor(f, cursor) {
      Object.assign(el.clip.style, { left: `${f.l}px`, top: `${f.t}px`, width: `${f.w}px`, height: `${f.h}px` });
      const [px, py] = dataToPixel(cursor[0], cursor[1], f);
      el.ring.style.transform = `translate(${px - f.l}px, ${py - f.t}px)`;
      el.clip.hidden = false;
    },

    // A decode: r = {levels, shape: [h, w, c], reliable, coords, clamped, summary, how}. The canvas takes the image's
    // size (a model's own: 28, 32 or 64 px) and is drawn now; the browser shows it in the coming frame.
    paint(r) {
      const [h, w, c] = r.shape;
      if (image.width !== w || image.height !== h) {
        el.canvas.width = w;
        el.canvas.height = h;
        image = ctx.createImageData(w, h);
      }
      levelsToRGBA(r.levels, c, image.data);
      ctx.putImageData(image, 0, 0);
      el.canvas.classList.toggle('lm-dim', !r.reliable);
      el.badge.hidden = r.reliable;
      el.warn.hidden = r.reliable;
      el.coords.textContent = r.coords + (r.clamped ? ' (clamped to the map)' : '');
      el.canvas.setAttribute('aria-label', `decoded image at ${r.coords}`);
      el.summary.textContent = r.summary;
      el.how.textContent = r.how || '';
    },

    neighbours(bundle, list) {
      const shown = `${bundle} ${list.map((n) => n.index).join(' ')}`;
      if (shown === neighboursShown) return;   // the same five images: nothing to redraw
      neighboursShown = shown;
      el.nn.querySelectorAll('figure').forEach((cell, i) => {
        const n = list[i];
        if (!n) return;
        cell.querySelector('img').src = n.image;
        cell.querySelector('img').alt = `test image #${n.index}: ${n.label}`;
        cell.querySelector('figcaption').textContent = n.label;
        cell.title = `test image #${n.index}`;
        cell.dataset.index = n.index;
      });
    },

    // The hover preview of test image `index` at pixel (px, py) of the plot, kept inside the plot near its edge.
    tip(index, px, py, f, thumb) {
      const flip = px > f.l + f.w - 110;
      el.tip.style.left = `${flip ? px - 104 : px + 12}px`;
      el.tip.style.top = `${py + 12}px`;
      el.tip.dataset.index = index;
      el.tip.hidden = false;
      if (thumb) this.thumb(index, thumb);
      else el.tip.querySelector('span').textContent = `#${index}`;
    },

    thumb(index, res) {
      if (String(el.tip.dataset.index) !== String(index)) return;   // the pointer has moved on
      el.tip.querySelector('img').src = res.image;
      el.tip.querySelector('span').textContent = `${res.label} · #${index}`;
    },

    hideTip() { el.tip.hidden = true; },

    // fn(index) when the pointer enters a nearest-image thumbnail, fn(null) when it leaves.
    onNeighbourHover(fn) {
      el.nn.querySelectorAll('figure').forEach((cell) => {
        cell.addEventListener('mouseenter', () => fn(cell.dataset.index === undefined ? null : Number(cell.dataset.index)));
        cell.addEventListener('mouseleave', () => fn(null));
      });
    },

    // A ring on a dot (at `xy`, in frame f), or none (f null).
    spot(f, xy) {
      if (!f) { el.spot.hidden = true; return; }
      const [px, py] = dataToPixel(xy[0], xy[1], f);
      el.spot.style.transform = `translate(${px - f.l}px, ${py - f.t}px)`;
      el.spot.hidden = false;
    },
  };
}
