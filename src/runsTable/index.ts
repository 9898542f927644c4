// The runs table (host-free): data loaded into columns, the column model, sort/search/group, the windowed
// query the panel serves, and parameter importance for the sweep views.
export { loadRunsTableData, refreshRunningRows, storeFilterMatcher, type RunsTableData, type TableRun } from './tableData';
export { allColumnIds, cellText, cellValue, columnInfo, defaultColumns, metricColumnId } from './columns';
export { aggregate, aggregateColumn, groupRows, searchRows, sortRows } from './sortGroup';
export { defaultView, RunsTableModel, type FilterMatcher } from './tableModel';
export { CORRELATION_METHOD, forestImportance, IMPORTANCE_METHOD, parameterImportance, pearson } from './importance';
export { FIRST_WINDOW, RunsTableSession } from './tableSession';
export { runsTableHtml } from './runsTableHtml';
