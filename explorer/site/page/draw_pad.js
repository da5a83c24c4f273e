// Where the site's pictures come from: a drawing pad (pad.js) and a file input.
// onPicture(source, what) gets a canvas or an image and a name for it; onClear() when the pad is wiped;
// onError(text) for a file the browser cannot open.
import { attachPad } from './pad.js';

export function attachPictureInputs(pad, clearButton, fileInput, { onPicture, onClear, onError }) {
  const drawing = attachPad(pad, { onStroke: () => onPicture(pad, 'your drawing') });
  clearButton.addEventListener('click', () => { drawing.clear(); onClear(); });
  fileInput.addEventListener('change', (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    const img = new Image();
    img.onload = () => { onPicture(img, file.name); URL.revokeObjectURL(img.src); };
    img.onerror = () => onError(`${file.name.slice(0, 80)} is not an image this browser can open.`);
    img.src = URL.createObjectURL(file);
  });
}
