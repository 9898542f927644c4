import { mlflowFileStoreImporter } from './mlflow/fileStore';
import { mlflowSqliteImporter } from './mlflow/sqliteStore';
import { tensorboardImporter } from './tensorboard/importer';
import type { Importer } from './types';

/** Every source format, in the order they are scanned. */
export const ALL_IMPORTERS: readonly Importer[] = [mlflowFileStoreImporter, mlflowSqliteImporter, tensorboardImporter];
