// Run colours: colour-blind-safe first (Okabe–Ito, then Paul Tol's muted and light schemes), then
// generated hues. The first tier is what a comparison of up to 8 runs uses, so small comparisons get
// the most distinct colours. Okabe–Ito's black is replaced by grey: black vanishes on dark themes.

const OKABE_ITO = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999999'];
const TOL_MUTED = ['#CC6677', '#332288', '#DDCC77', '#117733', '#88CCEE', '#882255', '#44AA99', '#999933', '#AA4499'];
const TOL_LIGHT = ['#77AADD', '#EE8866', '#EEDD88', '#FFAABB', '#99DDFF', '#44BB99', '#BBCC33', '#AAAA00', '#DDDDDD'];

/** Curated colours closer than this (CIE76 ΔE) to an earlier one are skipped. */
const CURATED_MIN_DELTA_E = 12;
/** Generated colours must keep at least this distance from every earlier one. */
const GENERATED_MIN_DELTA_E = 6;

let cachedPalette: string[] | undefined;

/** The whole palette, in order of preference (deterministic). */
export function palette(size = 64): string[] {
  if (cachedPalette && cachedPalette.length >= size) return cachedPalette.slice(0, size);
  const accepted: string[] = [...OKABE_ITO];
  const labs = accepted.map(hexToLab);
  const accept = (hex: string, minDistance: number): void => {
    const lab = hexToLab(hex);
    if (labs.every((other) => deltaE76(lab, other) >= minDistance)) {
      accepted.push(hex);
      labs.push(lab);
    }
  };
  for (const hex of [...TOL_MUTED, ...TOL_LIGHT]) accept(hex, CURATED_MIN_DELTA_E);
  // Golden-angle hues at three lightness levels; mid-saturation so lines read on light and dark.
  for (let i = 0; accepted.length < size && i < size * 50; i++) {
    const hue = (i * 137.508) % 360;
    const lightness = [0.5, 0.65, 0.38][i % 3];
    const minDistance = i < size * 25 ? GENERATED_MIN_DELTA_E : 0;
    accept(hslToHex(hue, 0.65, lightness), minDistance);
  }
  cachedPalette = accepted;
  return accepted.slice(0, size);
}

/** Smallest palette tier that fits `count` runs: the first 8, then every curated colour, then generated ones. */
function tierSize(count: number): number {
  if (count <= OKABE_ITO.length) return OKABE_ITO.length;
  const full = palette();
  const curated = full.findIndex((hex) => !OKABE_ITO.includes(hex) && !TOL_MUTED.includes(hex) && !TOL_LIGHT.includes(hex));
  return Math.max(count, curated < 0 ? full.length : curated);
}

/**
 * A colour per run uid. A uid hashes to a slot of the tier (so the same run tends to keep its colour
 * across comparisons); collisions take the next free slot, in the order the uids are given.
 */
export function assignColors(runUids: readonly string[]): Map<string, string> {
  const unique = [...new Set(runUids)];
  const size = tierSize(unique.length);
  const colours = palette(Math.max(size, unique.length));
  const taken = new Set<number>();
  const out = new Map<string, string>();
  for (const uid of unique) {
    let slot = fnv1a(uid) % size;
    while (taken.has(slot)) slot = (slot + 1) % size;
    taken.add(slot);
    out.set(uid, colours[slot]);
  }
  return out;
}

/** FNV-1a over UTF-16 code units: small, stable across platforms and runs. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function hslToHex(hueDegrees: number, saturation: number, lightness: number): string {
  const c = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = hueDegrees / 60;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = lightness - c / 2;
  const hex = (v: number) => Math.round((v + m) * 255).toString(16).padStart(2, '0');
  return `#${hex(r)}${hex(g)}${hex(b)}`.toUpperCase();
}

function hexToLab(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const xr = (r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047;
  const yr = r * 0.2126 + g * 0.7152 + b * 0.0722;
  const zr = (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(yr) - 16, 500 * (f(xr) - f(yr)), 200 * (f(yr) - f(zr))];
}

function deltaE76(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
