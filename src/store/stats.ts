import { promises as fs } from 'node:fs';
import type { Store } from './store';

export interface StoreStats {
  readonly file: string | undefined;
  readonly schemaVersion: number;
  readonly fileBytes: number | undefined;
  readonly experiments: number;
  readonly runs: number;
  readonly metricSeries: number;
  readonly metricPoints: number;
  readonly models: number;
  readonly modelVersions: number;
  readonly registryEvents: number;
  readonly sources: number;
}

/** Counts for "Show Store Info" and `model-ledger info`. */
export async function storeStats(store: Store): Promise<StoreStats> {
  let fileBytes: number | undefined;
  if (store.file) {
    try {
      fileBytes = (await fs.stat(store.file)).size;
    } catch {
      fileBytes = undefined;
    }
  }
  const points = store.db.exec('SELECT coalesce(sum(point_count), 0) FROM metric_series');
  return {
    file: store.file,
    schemaVersion: store.schemaVersion,
    fileBytes,
    experiments: store.count('experiments'),
    runs: store.count('runs'),
    metricSeries: store.count('metric_series'),
    metricPoints: Number(points[0].values[0][0]),
    models: store.count('models'),
    modelVersions: store.count('model_versions'),
    registryEvents: store.count('registry_events'),
    sources: store.count('sources'),
  };
}
