/** Loads the drift reference cases in test/fixtures/drift (SciPy 1.10.1 / NumPy 1.24.2 values). */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturePath } from '../../fixturePath';

export const DRIFT_FIXTURES = fixturePath('drift');

export type Expected = Record<string, number | string | string[] | number[] | (string | number)[]>;

export interface Verdict {
  score: number | string;
  threshold: number;
  rule: string;
  drifted: boolean | null;
}

export interface DriftCase {
  name: string;
  kind: 'numerical' | 'categorical';
  reference: (number | string | null)[];
  current: (number | string | null)[];
  expected: Expected;
  evidently_default: Verdict & { method: string };
  evidently_verdicts: Record<string, Verdict>;
  binning: {
    mode: string;
    n_bins?: number;
    edges?: number[];
    keys?: (number | string)[];
    ref_pct_raw: number[];
    cur_pct_raw: number[];
    ref_fill_eps: number;
    ref_zero_bins: number;
    cur_fill_eps: number;
    cur_zero_bins: number;
  };
  errors: Record<string, string>;
  warnings: Record<string, string[]>;
  generator?: unknown;
  arrays_check?: Record<string, unknown>;
  v8_check?: { reference_sha256_f64le_v8: string; current_sha256_f64le_v8: string; expected_from_v8_arrays: Expected; max_abs_value_diff: number };
}

/** "inf", "-inf", "nan" in the fixture JSON stand for the non-finite doubles. */
export function toNumber(value: unknown): number {
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  if (value === 'nan' || value === null) return NaN;
  if (typeof value !== 'number') throw new Error(`not a number: ${JSON.stringify(value)}`);
  return value;
}

export function loadCases(): DriftCase[] {
  return readdirSync(DRIFT_FIXTURES)
    .filter((file) => file.endsWith('.json') && !file.startsWith('_'))
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(DRIFT_FIXTURES, file), 'utf8')) as DriftCase);
}

export function loadIndex(): { prng: { mulberry32_js: string; normal_js: string }; cases: { file: string; default_method: string; default_drifted: boolean }[] } {
  return JSON.parse(readFileSync(path.join(DRIFT_FIXTURES, '_index.json'), 'utf8'));
}

/** mulberry32, written from the spec in _index.json (uint32 state, Math.imul). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Box–Muller, cos branch only, two uniforms per draw (u1 then u2), evaluation order as specified. */
export function boxMullerSample(seed: number, n: number, mu: number, sigma: number): number[] {
  const rand = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u1 = 1 - rand();
    const u2 = rand();
    out.push(mu + sigma * (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2)));
  }
  return out;
}

export function sha256Float64LE(values: readonly number[]): string {
  const buffer = Buffer.alloc(values.length * 8);
  values.forEach((value, i) => buffer.writeDoubleLE(value, i * 8));
  return createHash('sha256').update(buffer).digest('hex');
}

interface GeneratorSpec {
  reference: { seed: number; n: number; mu: number; sigma: number };
  current: { seed: number; n: number; mu: number; sigma: number };
  transform: string;
}

/** The columns of a case: inline arrays, or regenerated from the PRNG spec for the large cases. */
export function caseColumns(c: DriftCase): { reference: (number | string | null)[]; current: (number | string | null)[] } {
  if (c.reference !== null && c.current !== null) return { reference: c.reference, current: c.current };
  const spec = c.generator as GeneratorSpec;
  if (spec.transform !== 'box_muller') throw new Error(`unknown transform ${spec.transform}`);
  return {
    reference: boxMullerSample(spec.reference.seed, spec.reference.n, spec.reference.mu, spec.reference.sigma),
    current: boxMullerSample(spec.current.seed, spec.current.n, spec.current.mu, spec.current.sigma),
  };
}

/** A numerical column as the numbers Evidently would keep (null → NaN, then the code under test drops it). */
export function asNumbers(values: readonly (number | string | null)[]): number[] {
  return values.map((v) => (v === null ? NaN : (v as number)));
}

/** The expected values that hold for the arrays this process can generate (V8's log/cos for the PRNG cases). */
export function expectedFor(c: DriftCase): Expected {
  return c.v8_check ? c.v8_check.expected_from_v8_arrays : c.expected;
}
