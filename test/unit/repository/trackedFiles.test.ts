/**
 * A clone must pass its tests with nothing beside it: no tracked file names a folder outside the
 * repository (`../shared/…`) or an absolute path of a machine (`/work/…`, `/root/…`, `/home/<user>/…`).
 * Files written by real tools under `test/fixtures/` keep the paths those tools recorded (data, not
 * references), so they are not checked.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../fixturePath';

export interface PathViolation {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

const MACHINE_PATHS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?<![\w.])\/work\/(?=[\w.-])/, 'an absolute path of the build machine (/work/…)'],
  [/(?<![\w.])\/root\/(?=[\w.-])/, "an absolute path in root's home (/root/…)"],
  [/(?<![\w.])\/home\/(?!user\/)[A-Za-z][\w.-]*\//, 'an absolute path in a user\'s home (/home/<user>/…)'],
  [/(?<![\w.])\/Users\/[A-Za-z][\w.-]*\//, 'an absolute path in a macOS home (/Users/<user>/…)'],
  [/\bshared\/(?:fixtures|notes)\b/, 'a folder beside the repository (shared/fixtures, shared/notes)'],
  [/['"]shared['"]\s*,\s*['"](?:fixtures|notes)['"]/, "a folder beside the repository ('shared', 'fixtures')"],
];

/** `../…/shared` that climbs out of the repository from `file`'s folder. */
const RELATIVE_SHARED = /(?:\.\.\/)+shared\b/g;

/** The violations in one tracked file's text (`file` relative to the repository root). */
export function pathViolations(file: string, text: string): PathViolation[] {
  const violations: PathViolation[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, index) => {
    for (const [pattern, reason] of MACHINE_PATHS) {
      if (pattern.test(lineText)) violations.push({ file, line: index + 1, text: lineText.trim(), reason });
    }
    for (const match of lineText.matchAll(RELATIVE_SHARED)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[0]));
      if (target.startsWith('../')) violations.push({ file, line: index + 1, text: lineText.trim(), reason: `a folder outside the repository (${match[0]})` });
    }
  });
  return violations;
}

/** This file: its patterns and examples name such paths on purpose. */
const THIS_FILE = 'test/unit/repository/trackedFiles.test.ts';

/** Data written by real tools: it records their machines' paths, and is read, never followed. */
function isToolData(file: string): boolean {
  return file.startsWith('test/fixtures/') && !/^test\/fixtures\/[^/]+\.md$/.test(file) && !file.endsWith('/README.md');
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((file) => file.length > 0);
}

describe('repository: tracked files need nothing outside the repository', () => {
  it('finds each kind of outside reference in a line (the check can fail)', () => {
    const bad = [
      "const FIXTURE = '/work/shared/fixtures/drift';",
      "const REST = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'fixtures');",
      'See ../../shared/notes/vscode-test-harness.md',
      "const HOME = '/home/alice/project/mlruns';",
      "const CACHE = '/root/.cache/x';",
    ];
    const found = pathViolations('test/unit/drift/fixtures.ts', bad.join('\n'));
    assert.deepEqual([...new Set(found.map((v) => v.line))], [1, 2, 3, 4, 5]);
  });

  it('accepts references that stay inside the repository', () => {
    const good = [
      "import { toJson } from '../shared/json';", // src/cli → src/shared
      "import { vscodeApi } from '../shared/vscodeApi';",
      "const url = 'https://example.com/work/items';",
      "for (const privateValue of ['ubuntu', '/home/']) {}",
    ];
    assert.deepEqual(pathViolations('src/cli/commands.ts', good.join('\n')), []);
  });

  it('no tracked file names a path outside the repository', function () {
    if (!existsSync(path.join(REPO_ROOT, '.git'))) this.skip(); // not a git checkout (e.g. an unpacked .vsix)
    const violations = trackedFiles()
      .filter((file) => file !== THIS_FILE && !isToolData(file) && existsSync(path.join(REPO_ROOT, file)))
      .flatMap((file) => {
        const bytes = readFileSync(path.join(REPO_ROOT, file));
        if (bytes.includes(0)) return []; // binary
        return pathViolations(file, bytes.toString('utf8'));
      });
    assert.deepEqual(
      violations.map((v) => `${v.file}:${v.line}: ${v.reason}: ${v.text.slice(0, 120)}`),
      [],
    );
  });
});
