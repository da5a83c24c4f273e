// Every latent dimension in reach (latents above 2, which a map shows only in part): a slider per dimension, the
// most used first (by KL for a VAE), the unused ones marked. Tied to the cursor both ways: moving a slider sets
// that coordinate of z and asks for it (onInput(z)); every decode shown sets the sliders to its z (show).
export function createDims(root, onInput, onReset) {
  const panel = root.querySelector('.lm-dims');
  const list = root.querySelector('.lm-dimlist');
  const reset = root.querySelector('.lm-reset');
  let rows = [];
  let z = null;

  reset.addEventListener('click', () => { reset.hidden = true; onReset(); });

  return {
    // dims: payload.latent_dims (empty for a 2-D latent: no panel).
    setup(dims) {
      list.replaceChildren();
      rows = (dims || []).map((d) => {
        const row = document.createElement('label');
        row.className = `lm-dim${d.active ? '' : ' lm-inactive'}`;
        const name = document.createElement('span');
        const nats = d.kl === null ? '' : ` · ${d.kl.toFixed(1)} nats`;
        name.textContent = `${d.label}${nats}${d.active ? '' : ' · unused'}`;
        name.title = d.active ? 'a dimension the model uses' : 'a dimension the model does not use (inactive)';
        const input = Object.assign(document.createElement('input'), { type: 'range', min: d.lo, max: d.hi,
          step: (d.hi - d.lo) / 200, disabled: true });
        input.setAttribute('aria-label', `latent dimension ${d.label}`);
        const out = document.createElement('output');
        row.append(name, input, out);
        list.append(row);
        input.addEventListener('input', () => {
          if (!z) return;
          z[d.index] = Number(input.value);
          out.textContent = z[d.index].toFixed(2);
          reset.hidden = false;
          onInput(Float32Array.from(z));
        });
        return { d, input, out };
      });
      panel.hidden = rows.length === 0;
      reset.hidden = true;
    },
    enable(on) { for (const r of rows) r.input.disabled = !on; },
    // The sliders at latent z (a decode was shown); `fromSliders` keeps the reset button.
    show(latent, fromSliders = false) {
      z = Float64Array.from(latent);
      for (const r of rows) {
        r.input.value = z[r.d.index];
        r.out.textContent = z[r.d.index].toFixed(2);
      }
      if (!fromSliders) reset.hidden = true;
    },
  };
}
