/**
 * JSON for machine-readable output. JSON has no NaN or Infinity (JSON.stringify would write null and
 * lose the difference), so non-finite numbers become the strings "NaN", "Infinity", "-Infinity".
 */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, nonFiniteAsString, indent);
}

function nonFiniteAsString(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}
