import { mlflowFileStoreImporter } from './mlflow/fileStore';
import { mlflowSqliteImporter } from './mlflow/sqliteStore';
import { csvImporter } from './csv';
import { dvcliveImporter } from './dvclive';
import { jsonlImporter } from './jsonl';
import { tensorboardImporter } from './tensorboard/importer';
import { wandbImporter } from './wandb';
import type { Importer } from './types';

/** Every source format, in the order they are scanned. */
export const ALL_IMPORTERS: readonly Importer[] = [mlflowFileStoreImporter, mlflowSqliteImporter, tensorboardImporter, csvImporter, dvcliveImporter, wandbImporter, jsonlImporter];

/**
 * The importers with the user's extra globs (setting `modelLedger.sources`: format → globs) added to
 * their discovery and watch patterns. A matched file still has to be of that format: each
 * importer's `unitOf` decides.
 */
export function importersWithExtraGlobs(extra: Readonly<Record<string, readonly string[]>> | undefined): readonly Importer[] {
  if (!extra) return ALL_IMPORTERS;
  return ALL_IMPORTERS.map((importer) => {
    const globs = (extra[importer.format] ?? []).filter((g) => typeof g === 'string' && g.trim() !== '' && g.trim() !== '**' && g.trim() !== '**/*');
    if (globs.length === 0) return importer;
    return {
      format: importer.format,
      ...(importer.runsInWorker ? { runsInWorker: true } : {}),
      patterns: [...importer.patterns, ...globs],
      watchPatterns: [...(importer.watchPatterns ?? importer.patterns), ...globs],
      unitOf: (file: string) => importer.unitOf(file),
      importUnit: (unit, context) => importer.importUnit(unit, context),
    } satisfies Importer;
  });
}
