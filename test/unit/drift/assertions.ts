/** Tolerances the drift fixtures ask for: 1e-9 relative for statistics, 1e-9 absolute for p-values. */
import assert from 'node:assert/strict';
import { toNumber } from './fixtures';

export const STAT_RTOL = 1e-9;
export const P_ATOL = 1e-9;

export function assertStatistic(actual: number, expectedRaw: unknown, label: string): void {
  const expected = toNumber(expectedRaw);
  if (!Number.isFinite(expected)) {
    assert.ok(Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected)), `${label}: ${actual} vs ${expected}`);
    return;
  }
  const scale = Math.abs(expected);
  const tolerance = expected === 0 ? 1e-12 : STAT_RTOL * scale;
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: ${actual} vs ${expected} (rel ${Math.abs(actual - expected) / scale})`);
}

export function assertPValue(actual: number, expectedRaw: unknown, label: string): void {
  const expected = toNumber(expectedRaw);
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${label}: expected NaN, got ${actual}`);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= P_ATOL, `${label}: ${actual} vs ${expected}`);
}

/** Cramér–von Mises asymptotic p-values below ~1e-7 are truncation noise of the series: "< 1e-6". */
export function assertCvmPValue(actual: number, expectedRaw: unknown, label: string): void {
  const expected = toNumber(expectedRaw);
  if (expected < 1e-7) assert.ok(actual < 1e-6, `${label}: ${actual} should be < 1e-6`);
  else assertPValue(actual, expected, label);
}
