// MLflow 3 registry links: a version's `source` names the LoggedModel behind it
// (`models:/m-<id>`), or, for a copy made with copy_model_version, the version it was copied from
// (`models:/<name>/<version>`). The file store also writes `model_id`; SQLite does not.
import type { ExternalModel, ExternalVersion } from './types';

export type ModelsUri = { readonly modelId: string } | { readonly name: string; readonly version: number };

/** What a `models:/…` source points at, or undefined for any other source (a path, runs:/, s3://…). */
export function parseModelsUri(source: string | undefined): ModelsUri | undefined {
  if (!source?.startsWith('models:/')) return undefined;
  const rest = source.slice('models:/'.length);
  if (/^m-[0-9a-zA-Z]+$/.test(rest)) return { modelId: rest };
  const match = /^(.+)\/(\d+)$/.exec(rest);
  return match ? { name: match[1], version: Number(match[2]) } : undefined;
}

/**
 * Fills `modelId` (from `model_id` or the source) and `copiedFrom` of every version of one store's
 * registry; a copy's LoggedModel is the one of the version it copies (followed through copies of copies).
 */
export function linkMlflowVersions(models: readonly ExternalModel[]): void {
  const byName = new Map(models.map((m) => [m.name, m] as const));
  const find = (name: string, version: number): ExternalVersion | undefined => byName.get(name)?.versions.find((v) => v.version === version);
  for (const model of models) {
    for (const version of model.versions) {
      const uri = parseModelsUri(version.source);
      if (uri && 'modelId' in uri) version.modelId ??= uri.modelId;
      else if (uri) version.copiedFrom = { name: uri.name, version: uri.version };
    }
  }
  for (const model of models) {
    for (const version of model.versions) {
      let from = version.copiedFrom;
      const seen = new Set<string>();
      while (!version.modelId && from && !seen.has(`${from.name}/${from.version}`)) {
        seen.add(`${from.name}/${from.version}`);
        const original = find(from.name, from.version);
        if (original?.modelId) version.modelId = original.modelId;
        from = original?.copiedFrom;
      }
    }
  }
}
