export { createWandbImporter, runFolderOf, wandbImporter } from './importer';
export type { WandbImporterOptions } from './importer';
