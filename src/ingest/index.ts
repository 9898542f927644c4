// The ingest capability's public surface.
export { ImportEngine, type ImportProgress, type ImportSummary, type UnitRef } from './engine';
export { FsFileFinder, SKIPPED_FOLDERS, type FileFinder } from './fsFinder';
export { ALL_IMPORTERS, importersWithExtraGlobs } from './importers';
export type { Diagnostic, Importer, SourceFormat } from './types';
