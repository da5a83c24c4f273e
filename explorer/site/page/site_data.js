// The site's data: one folder per model pair under data/, each part a classic script that hands its value to
// window.LX_SITE_PART (so it loads from file://, where fetch cannot). Parts: maps (payloads, inverses, codes,
// labels, the Compare table), decoders, images (the test images shown) and encoders (for drawings and uploads).
const parts = new Map();     // "pair/part" -> Promise of its value
const arrived = new Map();   // "pair/part" -> resolve

window.LX_SITE_PART = (pair, part, value) => {
  const key = `${pair}/${part}`;
  if (arrived.has(key)) arrived.get(key)(value);
};

// The value of one part of a pair's data, loaded once.
export function part(pair, name) {
  const key = `${pair}/${name}`;
  if (!parts.has(key)) {
    parts.set(key, new Promise((resolve, reject) => {
      arrived.set(key, resolve);
      const s = document.createElement('script');
      s.src = `data/${pair}/${name}.js`;
      s.onerror = () => { parts.delete(key); reject(new Error(`The site's file data/${pair}/${name}.js is missing.`)); };
      document.head.append(s);
    }));
  }
  return parts.get(key);
}

// A classic script from the site's folder (plotly.js), once.
const scripts = new Map();
export function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`The site's file ${src} is missing.`));
      document.head.append(s);
    }));
  }
  return scripts.get(src);
}

// base64 -> ArrayBuffer (weights).
export function bytesOf(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

// "fashion-mnist-mlp-z2/vae" -> ["fashion-mnist-mlp-z2", "vae"]
export function splitKey(key) {
  const at = key.lastIndexOf('/');
  return [key.slice(0, at), key.slice(at + 1)];
}
