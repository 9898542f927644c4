import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;
let loadedFrom: string | undefined;

/**
 * Loads sql.js and compiles its WASM once per process, on first use only: the extension's activation
 * never pays for it (the bundle imports this lazily).
 */
export function loadSqlJs(wasmPath?: string): Promise<SqlJsStatic> {
  if (!loading) {
    const wasm = wasmPath ?? defaultWasmPath();
    loadedFrom = wasm;
    loading = import('sql.js').then((mod) => {
      const init = (mod as unknown as { default?: typeof mod.default }).default ?? (mod as unknown as typeof mod.default);
      return init({ locateFile: () => wasm });
    });
    loading.catch(() => {
      loading = undefined; // let a later call retry, e.g. after a missing file is restored
    });
  }
  return loading;
}

export function sqlJsWasmPath(): string | undefined {
  return loadedFrom;
}

function defaultWasmPath(): string {
  // Bundled (dist/extension.js, dist/cli.js): the build copies the WASM next to the bundle.
  const besideBundle = path.join(__dirname, 'sql-wasm.wasm');
  if (existsSync(besideBundle)) {
    return besideBundle;
  }
  // Unbundled (compiled tests run from out/src/store): the package in the repository's node_modules.
  return path.join(__dirname, '..', '..', '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
}
