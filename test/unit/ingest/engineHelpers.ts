import { cpSync } from 'node:fs';
import path from 'node:path';
import { FsFileFinder, ImportEngine, type Importer, type ImportSummary } from '../../../src/ingest';
import { Store } from '../../../src/store';
import { listAllRuns, storeCounts, type RunListing, type StoreCounts } from '../../../src/tracking/report';

export { FIXTURES } from '../../fixturePath';
import { FIXTURES } from '../../fixturePath';

/** Copies a fixture folder into `dir` (fixtures are read-only) and returns the copy's path. */
export function copyFixture(relative: string, dir: string): string {
  const target = path.join(dir, path.basename(relative));
  cpSync(path.join(FIXTURES, relative), target, { recursive: true });
  return target;
}

export interface Scanned {
  readonly store: Store;
  readonly engine: ImportEngine;
  readonly summary: ImportSummary;
  readonly counts: StoreCounts;
  runs(): RunListing[];
  rescan(): Promise<ImportSummary & { counts: StoreCounts }>;
}

export async function scanWith(root: string, importers: readonly Importer[]): Promise<Scanned> {
  const { store } = await Store.open(undefined);
  const engine = new ImportEngine(store, root, importers);
  const summary = await engine.scan(new FsFileFinder());
  return {
    store,
    engine,
    summary,
    counts: storeCounts(store.db),
    runs: () => listAllRuns(store.db, { includeDeleted: true }),
    rescan: async () => {
      const again = await engine.scan(new FsFileFinder());
      return { ...again, counts: storeCounts(store.db) };
    },
  };
}
