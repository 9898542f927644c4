import { mlflowFileStoreImporter } from './mlflow/fileStore';
import type { Importer } from './types';

/** Every source format, in the order they are scanned. */
export const ALL_IMPORTERS: readonly Importer[] = [mlflowFileStoreImporter];
