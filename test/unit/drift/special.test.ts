/**
 * Special functions against closed forms and textbook quantiles, plus a few SciPy values
 * (scipy.special / scipy.stats.kstwo; SciPy 1.17.1 here, whose algorithms for these functions are
 * those of 1.10) chosen to reach every branch of the Kolmogorov distribution.
 */
import assert from 'node:assert/strict';
import {
  besselK,
  betainc,
  chi2Sf,
  erfc,
  gammaincc,
  kolmogorovLimitSf,
  kolmogorovSf,
  lgamma,
  ndtr,
  smirnovSf,
  studentTSf,
} from '../../../src/drift/stats/special';

function assertRelative(actual: number, expected: number, rtol: number, label = ''): void {
  const error = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(error <= rtol, `${label} ${actual} vs ${expected} (rel ${error})`);
}

describe('drift special functions', () => {
  it('normal CDF at textbook quantiles and in the far tails', () => {
    assertRelative(ndtr(1.959963984540054), 0.975, 1e-15);
    assertRelative(ndtr(-1.6448536269514729), 0.05, 1e-14);
    assertRelative(ndtr(0), 0.5, 0);
    // Φ(−x) = erfc(x/√2)/2; erfc(5) = 1.5374597944280349e-12 (Abramowitz & Stegun 7.1).
    assertRelative(erfc(5), 1.5374597944280349e-12, 1e-14);
    assertRelative(ndtr(-10), 7.61985302416047e-24, 1e-13);
    assert.equal(ndtr(Infinity), 1);
    assert.equal(ndtr(-Infinity), 0);
  });

  it('log-gamma: factorials, Γ(1/2) = √π, Γ(3/2) = √π/2, and large arguments', () => {
    assertRelative(lgamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-15);
    assertRelative(lgamma(1.5), Math.log(Math.sqrt(Math.PI) / 2), 1e-13);
    assertRelative(lgamma(11), Math.log(3628800), 1e-15);
    assertRelative(lgamma(21), Math.log(2432902008176640000), 1e-15);
    assertRelative(lgamma(3.7), 1.428072326665388, 1e-14);
    assertRelative(lgamma(50000.5), 490989.8331582141, 1e-15);
  });

  it('incomplete gamma and χ²: closed forms and table critical values', () => {
    for (const x of [0.1, 1, 7.5, 40]) assertRelative(gammaincc(1, x), Math.exp(-x), 1e-14, `Q(1, ${x})`);
    for (const x of [0.1, 2, 30]) assertRelative(gammaincc(0.5, x), erfc(Math.sqrt(x)), 1e-13, `Q(1/2, ${x})`);
    assertRelative(chi2Sf(3.841458820694124, 1), 0.05, 1e-13);
    assertRelative(chi2Sf(9.487729036781154, 4), 0.05, 1e-13);
    assertRelative(chi2Sf(6.634896601021214, 1), 0.01, 1e-13);
    assertRelative(gammaincc(1.5, 100), 4.218541107192018e-43, 1e-13);
    assertRelative(gammaincc(100, 80), 0.9828916869648668, 1e-13);
    assert.ok(Number.isNaN(chi2Sf(0, 0)), 'df = 0 is outside chi2 support');
    assert.equal(chi2Sf(Infinity, 3), 0);
  });

  it('incomplete beta and Student t: closed forms and table critical values', () => {
    for (const x of [0.1, 0.5, 0.93]) assertRelative(betainc(2.5, 1, x), x ** 2.5, 1e-13, `I_x(2.5, 1) at ${x}`);
    assertRelative(studentTSf(2.228138851986274, 10), 0.025, 1e-12);
    assertRelative(studentTSf(1.6448536269514729, 1e9), 0.05, 1e-8);
    // t with 1 df is Cauchy: P(T > t) = 1/2 − atan(t)/π.
    for (const t of [0.3, 1, 12]) assertRelative(studentTSf(t, 1), 0.5 - Math.atan(t) / Math.PI, 1e-13, `Cauchy ${t}`);
    assertRelative(studentTSf(-1, 1), 0.75, 1e-14);
  });

  it('modified Bessel K: the closed form of K_1/2 and SciPy values of K_1/4', () => {
    for (const x of [0.01, 0.5, 2, 40, 400]) {
      assertRelative(besselK(0.5, x), Math.sqrt(Math.PI / (2 * x)) * Math.exp(-x), 1e-13, `K_1/2(${x})`);
    }
    assertRelative(besselK(0.25, 0.05), 3.5877375452640217, 1e-13);
    assertRelative(besselK(0.25, 1), 0.4307397744485814, 1e-13);
    assertRelative(besselK(0.25, 30), 2.1346641833090355e-14, 1e-13);
    assertRelative(besselK(0.25, 300), 3.7240821157308343e-132, 1e-12);
  });

  it("Kolmogorov's limiting distribution at the 5% critical value 1.3581", () => {
    assertRelative(kolmogorovLimitSf(1.3580986393225505), 0.05, 1e-12);
    assertRelative(kolmogorovLimitSf(0.5), 0.9639452436648751, 1e-12);
  });

  // [n, x, scipy.stats.kstwo.sf(x, n), branch of SciPy's _kolmogn]
  const KSTWO: [number, number, number, string][] = [
    [3, 0.3, 0.8862222222222222, 'Ruben–Gambino, n·x ≤ 1'],
    [20, 0.97, 6.973568802000124e-31, 'Ruben–Gambino, n·x ≥ n − 1'],
    [5, 0.6, 0.03008000000000001, 'x ≥ 1/2: 2·smirnov'],
    [30, 0.1, 0.8960782680050898, 'n ≤ 140, Durbin matrix'],
    [100, 0.05, 0.9532159710635725, 'n ≤ 140, Durbin matrix'],
    [30, 0.2, 0.15796916101547398, 'n ≤ 140, Pomeranz'],
    [100, 0.12, 0.10330374901819939, 'n ≤ 140, Pomeranz'],
    [140, 0.08, 0.31480749911643063, 'n ≤ 140, Pomeranz'],
    [30, 0.45, 4.60170836663682e-6, 'n ≤ 140, 2·smirnov'],
    [100, 0.3, 1.7719869892662917e-8, 'n ≤ 140, 2·smirnov'],
    [500, 0.07, 0.01416832020019071, 'n > 140, 2·smirnov'],
    [1000, 0.2, 1.5528629204250538e-35, 'n > 140, 2·smirnov'],
    [25000, 0.01994000000000007, 4.578437947253336e-9, 'n > 140, 2·smirnov (the large fixture)'],
    [1000, 0.012, 0.9984464668620097, 'n > 140, Durbin matrix'],
    [500, 0.03, 0.7473166700457021, 'n > 140, Pelz–Good'],
    [3000, 0.01, 0.9220855022879386, 'n > 140, Pelz–Good'],
    [200000, 0.002, 0.39995085369038097, 'n > 100000, Pelz–Good'],
    [2000, 0.45, 0, 'n·x² ≥ 370'],
  ];
  for (const [n, x, expected, branch] of KSTWO) {
    it(`kstwo.sf(${x}, ${n}) — ${branch}`, () => assertRelative(kolmogorovSf(n, x), expected, 1e-10));
  }

  it('one-sided Smirnov survival function', () => {
    assertRelative(smirnovSf(10, 0.3), 0.1354635556, 1e-14);
    assertRelative(smirnovSf(1000, 0.05), 0.006506037390545166, 1e-11);
    assertRelative(smirnovSf(25000, 0.02), 2.0305983550598765e-9, 1e-10);
    assert.equal(smirnovSf(7, 0), 1);
    assert.equal(smirnovSf(7, 1), 0);
  });
});
