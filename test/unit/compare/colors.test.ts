import assert from 'node:assert/strict';
import { assignColors, palette } from '../../../src/compare/colors';

// An independent CIE76 ΔE (sRGB D65 → CIELAB), written from the formulas, not shared with the code.
function lab(hex: string): number[] {
  const rgb = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255).map((c) => (c > 0.04045 ? Math.pow((c + 0.055) / 1.055, 2.4) : c / 12.92));
  const [x, y, z] = [
    0.4124564 * rgb[0] + 0.3575761 * rgb[1] + 0.1804375 * rgb[2],
    0.2126729 * rgb[0] + 0.7151522 * rgb[1] + 0.072175 * rgb[2],
    0.0193339 * rgb[0] + 0.119192 * rgb[1] + 0.9503041 * rgb[2],
  ];
  const f = (t: number) => (t > Math.pow(6 / 29, 3) ? Math.cbrt(t) : t / (3 * Math.pow(6 / 29, 2)) + 4 / 29);
  const [fx, fy, fz] = [f(x / 0.95047), f(y / 1), f(z / 1.08883)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const deltaE = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));

function minPairwise(colours: string[]): number {
  let min = Infinity;
  for (let i = 0; i < colours.length; i++) for (let j = i + 1; j < colours.length; j++) min = Math.min(min, deltaE(colours[i], colours[j]));
  return min;
}

const uids = (n: number, prefix = 'mlflow-file:mlruns/0/run') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('run colours', () => {
  it('gives a run the same colour every time, whatever else is asked at the same time', () => {
    const first = assignColors(uids(6));
    const again = assignColors(uids(6));
    assert.deepEqual([...first], [...again]);
    // Same set in another order: collisions resolve by order, but a uid with a free slot keeps it.
    const alone = assignColors(['mlflow-file:mlruns/0/run3']);
    const withOthers = assignColors(['mlflow-file:mlruns/0/run3', 'x', 'y']);
    assert.equal(alone.get('mlflow-file:mlruns/0/run3'), withOthers.get('mlflow-file:mlruns/0/run3'));
  });

  it('keeps up to 8 runs at least ΔE 20 apart (CIE76)', () => {
    for (let n = 2; n <= 8; n++) {
      for (const prefix of ['a:', 'mlflow-file:mlruns/1/', 'tensorboard:logs/']) {
        const colours = [...assignColors(uids(n, prefix)).values()];
        assert.equal(new Set(colours).size, n);
        assert.ok(minPairwise(colours) >= 20, `${n} runs (${prefix}): min ΔE ${minPairwise(colours).toFixed(1)}`);
      }
    }
  });

  it('gives 50 runs 50 distinct colours, none closer than ΔE 5', () => {
    const colours = [...assignColors(uids(50)).values()];
    assert.equal(colours.length, 50);
    assert.equal(new Set(colours).size, 50);
    assert.ok(minPairwise(colours) >= 5, `min ΔE ${minPairwise(colours).toFixed(1)}`);
    for (const c of colours) assert.match(c, /^#[0-9A-F]{6}$/);
  });

  it('starts with the Okabe–Ito colours (black replaced by grey)', () => {
    assert.deepEqual(palette(8), ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999999']);
    assert.equal(palette(200).length, 200);
  });
});
