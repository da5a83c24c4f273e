"""How long the browser takes to decode on the colour sprites model, beside the grey ones: the drag goal's budget.

    python bench/colour_decode.py --repeats 3

Exports each bundle's decoder as the page gets it (browser_export.export_decoder: its ops and float16 or float32
weights), then in node runs explorer/app/latent_map/static/decoder.js as the page does: decode a code, round it to
levels and fill an RGBA buffer (what view.js paints), timing each of --n decodes after --warmup. Reports the median
and p95 per bundle and run; the bundles run one after the other in one node process per run.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from explorer.app.latent_map.browser_export import export_decoder  # noqa: E402
from explorer.bundle import load_bundle  # noqa: E402

DECODER_JS = ROOT / "explorer" / "app" / "latent_map" / "static" / "decoder.js"
BUNDLES = ["sprites-conv-z8/vae", "fashion-mnist-conv-z16/vae", "fashion-mnist-mlp-z2/vae"]

SCRIPT = """
import * as D from {decoder}; import * as fs from 'node:fs';
const out = {{}};
for (const name of {names}) {{
  const info = JSON.parse(fs.readFileSync({tmp} + '/' + name.replace('/', '_') + '.json', 'utf8'));
  const buf = fs.readFileSync({tmp} + '/' + name.replace('/', '_') + '.bin');
  const model = D.loadDecoder(info, D.weightsFrom(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), info.dtype));
  const [c, h, w] = model.imageShape; const rgba = new Uint8ClampedArray(h * w * 4);
  const times = [];
  for (let i = 0; i < {warmup} + {n}; i += 1) {{
    const z = Array.from({{ length: model.latentDim }}, (_, j) => 2 * Math.sin(7 * i + 3 * j));
    const t0 = performance.now();
    D.levelsToRGBA(D.toLevels(D.decode(model, z), c), c, rgba);
    if (i >= {warmup}) times.push(performance.now() - t0);
  }}
  times.sort((a, b) => a - b);
  out[name] = {{ median: times[Math.floor(times.length / 2)], p95: times[Math.floor(0.95 * times.length)],
               shape: model.imageShape, dtype: info.dtype }};
}}
console.log(JSON.stringify(out));
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundles", nargs="+", default=BUNDLES, help="bundle folders under checkpoints/")
    p.add_argument("--n", type=int, default=400)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.bundles:
            info, blob = export_decoder(load_bundle(ROOT / "checkpoints" / name))
            stem = Path(tmp) / name.replace("/", "_")
            stem.with_suffix(".json").write_text(json.dumps(info))
            stem.with_suffix(".bin").write_bytes(blob)
        script = Path(tmp) / "time.mjs"
        script.write_text(SCRIPT.format(decoder=json.dumps(DECODER_JS.as_uri()), names=json.dumps(a.bundles),
                                        tmp=json.dumps(tmp), warmup=a.warmup, n=a.n))
        print("| bundle | image | weights | " + " | ".join(f"run {r + 1} median / p95 ms" for r in range(a.repeats)) + " |")
        print("|---|---|---|" + "---|" * a.repeats)
        runs = [json.loads(subprocess.run(["node", str(script)], capture_output=True, text=True, check=True).stdout)
                for _ in range(a.repeats)]
        for name in a.bundles:
            c, h, w = runs[0][name]["shape"]
            cells = " | ".join(f"{r[name]['median']:.2f} / {r[name]['p95']:.2f}" for r in runs)
            print(f"| {name} | {w}x{h}x{c} | {runs[0][name]['dtype']} | {cells} |")


if __name__ == "__main__":
    main()
