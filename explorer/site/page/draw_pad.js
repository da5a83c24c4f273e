// Where the site's pictures come from: a drawing pad (light strokes on black, as the data are) and a file input.
// onPicture(source, what) gets a canvas or an image and a name for it; onClear() when the pad is wiped;
// onError(text) for a file the browser cannot open.
export function attachPictureInputs(pad, clearButton, fileInput, { onPicture, onClear, onError }) {
  const ctx = pad.getContext('2d');
  const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, pad.width, pad.height); };
  const at = (ev) => [ev.offsetX * (pad.width / pad.clientWidth), ev.offsetY * (pad.height / pad.clientHeight)];
  let stroke = null;
  clear();
  pad.addEventListener('pointerdown', (ev) => { pad.setPointerCapture(ev.pointerId); stroke = at(ev); });
  pad.addEventListener('pointermove', (ev) => {
    if (!stroke) return;
    const p = at(ev);
    Object.assign(ctx, { strokeStyle: '#fff', lineWidth: pad.width / 12, lineCap: 'round', lineJoin: 'round' });
    ctx.beginPath();
    ctx.moveTo(...stroke);
    ctx.lineTo(...p);
    ctx.stroke();
    stroke = p;
  });
  pad.addEventListener('pointerup', () => { if (stroke) { stroke = null; onPicture(pad, 'your drawing'); } });
  clearButton.addEventListener('click', () => { clear(); onClear(); });
  fileInput.addEventListener('change', (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    const img = new Image();
    img.onload = () => { onPicture(img, file.name); URL.revokeObjectURL(img.src); };
    img.onerror = () => onError(`${file.name.slice(0, 80)} is not an image this browser can open.`);
    img.src = URL.createObjectURL(file);
  });
}
