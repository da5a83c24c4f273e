// plotly.js at run time: whether it has arrived (or loading it), and whether the browser can draw with WebGL.

// plotly.js, once its script has run: loaded from `url` by the first map that asks (the app), or by the page
// itself (the static site) when no url is given.
let PLOTLY = null;
export function plotlyReady(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!PLOTLY) {
    PLOTLY = new Promise((resolve) => {
      const timer = setInterval(() => { if (window.Plotly) { clearInterval(timer); resolve(window.Plotly); } }, 50);
      if (url && !document.querySelector(`script[src="${url}"]`)) {
        document.head.append(Object.assign(document.createElement('script'), { src: url }));
      }
    });
  }
  return PLOTLY;
}

export function webgl() {
  try {
    return !!document.createElement('canvas').getContext('webgl');
  } catch (err) {
    return false;
  }
}
