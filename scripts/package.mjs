// Builds the production bundles and packages the .vsix into dist-vsix/ (vsce needs the folder to exist).
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'dist-vsix', 'model-ledger.vsix');
mkdirSync(path.dirname(out), { recursive: true });
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--production'], { stdio: 'inherit', cwd: root });
execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '-o', out], {
  stdio: 'inherit',
  cwd: root,
});
console.log(`${out}: ${(statSync(out).size / 1024).toFixed(1)} KiB`);
