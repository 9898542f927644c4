/**
 * Which dataset a model version was trained on (host-free): the reference its drift is measured
 * against. In order: the version's last `set-reference` ledger event; then the source run's tags and
 * params, first match wins: REFERENCE_KEYS below (our logger's `reference_data`, then the common
 * names `train_data`, `train_dataset`, `training_data`, `train_path`, `dataset`, `data`), and MLflow's
 * `mlflow.datasets` tag is not a path (it holds digests), so it is not used.
 */
export const REFERENCE_KEYS = ['reference_data', 'model_ledger.reference', 'train_data', 'train_dataset', 'training_data', 'train_path', 'train_file', 'dataset', 'data'] as const;

const DATA_EXTENSIONS = /\.(csv|tsv|txt|jsonl|ndjson|parquet|pq)$/i;

export interface ReferenceChoice {
  readonly path: string;
  /** Where it came from: "ledger", "tag train_data", "param dataset". */
  readonly source: string;
}

/** The reference from the run's tags and params: a value that names a CSV/JSONL/Parquet file. */
export function referenceFromRun(params: readonly (readonly [string, string])[], tags: readonly (readonly [string, string])[]): ReferenceChoice | undefined {
  for (const key of REFERENCE_KEYS) {
    for (const [kind, pairs] of [['tag', tags], ['param', params]] as const) {
      const found = pairs.find(([k]) => k === key);
      if (found && DATA_EXTENSIONS.test(found[1].trim())) return { path: found[1].trim(), source: `${kind} ${key}` };
    }
  }
  return undefined;
}
