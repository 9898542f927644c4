import path from 'node:path';

/**
 * The repository's own copy of the test fixtures (`test/fixtures/`, sources and licenses in its SOURCES.md).
 * Resolved from this file's location, so it works from the compiled tests (`out/test/…`) and in any clone:
 * tests never read a folder outside the repository.
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

/** A path inside `test/fixtures/`. */
export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}
