// The store's public surface: everything outside src/store imports from here.
export { NotAStoreError, Store, StoreTooNewError, STORE_APPLICATION_ID, type OpenReport, type OpenStoreOptions } from './store';
export { acquireFileLock, LockTimeoutError, type HeldLock, type LockOptions } from './fileLock';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersionOf } from './schema';
export { appendMetricPoints, MetricWriter, parseSeriesLabel, readMetricSeries, seriesLabel, seriesSummaries, CHUNK_POINTS, type PointBatch, type SeriesSummary } from './metrics';
export { storeStats, type StoreStats } from './stats';
export { loadSqlJs } from './sqlJs';
