// Child of run.ts: reads `count` mutants of one format, printing "ok <ms>" per mutant. A hang shows as
// silence (the parent kills it), an abort as the child's death.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALL_IMPORTERS, FsFileFinder, ImportEngine } from '../../src/ingest';
import { parseLedger } from '../../src/registry/ledgerFile';
import { parsePolicy } from '../../src/policy/policyFile';
import { Store } from '../../src/store';
import { compileRunFilter } from '../../src/tracking/runFilter';
import { parseRule } from '../../src/monitoring/rules';
import { readDataset } from '../../src/datasets';
import { FORMATS, mutate } from './mutants';

async function importOnce(relative: string, text: Buffer): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ml-fuzz-'));
  try {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    const { store } = await Store.open(undefined);
    await new ImportEngine(store, root, ALL_IMPORTERS).scan(new FsFileFinder());
    await store.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [format, seedText, countText] = process.argv.slice(2);
  const spec = FORMATS[format];
  for (let i = 0; i < Number(countText); i++) {
    const mutant = mutate(spec.seed(), Number(seedText) * 100_003 + i);
    const started = Date.now();
    try {
      if (spec.kind === 'ledger') parseLedger(mutant.toString('utf8'));
      else if (spec.kind === 'policy') parsePolicy(mutant.toString('utf8'));
      else if (spec.kind === 'filter') {
        try {
          compileRunFilter(mutant.toString('utf8'));
        } catch {
          // a RunFilterError is the answer for a bad filter
        }
        parseRule(mutant.toString('utf8'));
      } else if (spec.kind === 'dataset') {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-fuzz-'));
        writeFileSync(path.join(dir, 'd.csv'), mutant);
        await readDataset(path.join(dir, 'd.csv')).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      } else await importOnce(spec.kind, mutant);
    } catch (error) {
      process.stdout.write(`threw ${JSON.stringify(String(error).slice(0, 120))}\n`);
    }
    process.stdout.write(`ok ${Date.now() - started}\n`);
  }
}

void main();
