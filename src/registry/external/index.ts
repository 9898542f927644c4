// Read-only readers of registries kept by other tools, into one plain data model.
export { readGtoRegistry } from './gtoRegistry';
export { readMlflowFileRegistry } from './mlflowFileRegistry';
export { readMlflowSqliteRegistry } from './mlflowSqliteRegistry';
export type { ExternalModel, ExternalVersion, RegistryDiagnostic, RegistryOrigin, RegistryReadResult, Stage } from './types';
