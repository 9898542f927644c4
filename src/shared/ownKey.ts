/**
 * `record[key]` for keys that come from files and users: only the record's own properties, so a
 * metric, param or attribute named `constructor` or `__proto__` is just a missing name, never
 * something inherited from Object.prototype.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
