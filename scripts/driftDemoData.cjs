// Demo data for drift and monitoring (deterministic, seeded): a reference dataset (the training
// data) and 14 days of current data where three features drift from DRIFT_START on, and the model's
// predictions get worse from then on while a challenger's (prediction_v2) stay good. Used by the
// demo workspace (scripts/demoWorkspace.mjs) and the drift panel's browser check.
'use strict';

const DAY_MS = 86_400_000;
const CURRENT_START = Date.UTC(2026, 10, 1);
const DAYS = 14;
/** The first day (UTC) whose rows drift. */
const DRIFT_START = Date.UTC(2026, 10, 8);
const FEATURES = ['amount', 'tenure_months', 'country', 'sessions', 'age'];
/** The features whose distribution changes from DRIFT_START on. */
const DRIFTING = ['amount', 'country', 'sessions'];
const COUNTRIES = ['DE', 'FR', 'US', 'GB'];

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function pick(random, weights) {
  let u = random();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

function row(random, drifted) {
  const amount = Math.exp(3.5 + 0.6 * normal(random) + (drifted ? 0.9 : 0));
  const tenure = Math.max(0, Math.round(24 + 12 * normal(random)));
  const country = COUNTRIES[pick(random, drifted ? [0.1, 0.1, 0.6, 0.2] : [0.4, 0.3, 0.2, 0.1])];
  const sessions = Math.max(0, Math.round((drifted ? 14 : 8) + 3 * normal(random)));
  const age = Math.round(40 + 11 * normal(random));
  const churn = 0.04 * sessions - 0.03 * tenure + 0.002 * amount + 0.5 * normal(random) > -0.2 ? 1 : 0;
  return { amount, tenure, country, sessions, age, churn };
}

function flip(random, label, rate) {
  return random() < rate ? 1 - label : label;
}

/** { reference, current }: CSV text. The reference has `amount..age` and `label`; current adds timestamp and predictions. */
function driftDemoCsv(options = {}) {
  const random = rng(options.seed ?? 7);
  const referenceRows = options.referenceRows ?? 5000;
  const perDay = options.rowsPerDay ?? 500;
  const fmt = (r) => [r.amount.toFixed(2), r.tenure, r.country, r.sessions, r.age].join(',');
  const reference = [[...FEATURES, 'label'].join(',')];
  for (let i = 0; i < referenceRows; i++) {
    const r = row(random, false);
    reference.push(`${fmt(r)},${r.churn}`);
  }
  const current = [['timestamp', ...FEATURES, 'label', 'prediction', 'prediction_v2'].join(',')];
  for (let day = 0; day < DAYS; day++) {
    const dayStart = CURRENT_START + day * DAY_MS;
    const drifted = dayStart >= DRIFT_START;
    for (let i = 0; i < perDay; i++) {
      const time = new Date(dayStart + Math.floor((i / perDay) * DAY_MS)).toISOString().slice(0, 19);
      const r = row(random, drifted);
      current.push(`${time},${fmt(r)},${r.churn},${flip(random, r.churn, drifted ? 0.2 : 0.02)},${flip(random, r.churn, 0.03)}`);
    }
  }
  return { reference: reference.join('\n') + '\n', current: current.join('\n') + '\n' };
}

// eslint-disable-next-line no-undef -- CommonJS module
module.exports = { driftDemoCsv, DRIFT_START, CURRENT_START, DAYS, DAY_MS, FEATURES, DRIFTING };
