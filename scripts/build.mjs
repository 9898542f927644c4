// Bundles the extension host code, the CLI and each webview with esbuild (one bundle each),
// and copies sql.js's WASM next to them. `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = path.join(root, 'dist');
mkdirSync(dist, { recursive: true });

// The WASM is loaded lazily at run time from dist/ (never at activation).
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
  define: { MODEL_LEDGER_VERSION: JSON.stringify(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version) },
};

const builds = [
  { ...common, entryPoints: [path.join(root, 'src/extension.ts')], outfile: path.join(dist, 'extension.js') },
  {
    ...common,
    entryPoints: [path.join(root, 'src/cli/main.ts')],
    outfile: path.join(dist, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  },
  // Import worker thread (src/ingest/workerPool.ts): the extension and the CLI start it from dist/.
  { ...common, entryPoints: [path.join(root, 'src/ingest/unitWorker.ts')], outfile: path.join(dist, 'unitWorker.js') },
];

// One browser bundle per webview panel: webview/<panel>/main.ts -> dist/webview/<panel>.js
const webviewDir = path.join(root, 'webview');
if (existsSync(webviewDir)) {
  for (const entry of readdirSync(webviewDir, { withFileTypes: true })) {
    const main = path.join(webviewDir, entry.name, 'main.ts');
    if (entry.isDirectory() && entry.name !== 'shared' && existsSync(main)) {
      builds.push({
        ...common,
        platform: 'browser',
        target: 'es2022',
        format: 'iife',
        external: [],
        entryPoints: [main],
        outfile: path.join(dist, 'webview', `${entry.name}.js`),
      });
    }
  }
}

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
