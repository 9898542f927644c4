/**
 * Registry of drift methods with Evidently's names, default thresholds and decision rules, plus
 * Evidently's default-method choice and dataset-level drift share. Every default here is
 * Evidently's behaviour; departures are explicit options (see `ColumnDriftOptions`).
 */
import { binColumn, type Binning, fillEmptyBins } from './binning';
import { andersonKSamp } from './stats/anderson';
import { allFinite, cleanCategorical, cleanNumeric, distinctCountSorted, requireNonEmpty, sortedCopy, withSortCache } from './stats/arrays';
import { chisquareDrift } from './stats/chisquare';
import { cramerVonMises2Samp } from './stats/cramer_von_mises';
import { energyDistance } from './stats/energy_distance';
import { hellingerDistance } from './stats/hellinger';
import { jensenShannonDistance } from './stats/jensenshannon';
import { klDivFromShares } from './stats/kl_div';
import { ks2samp, type KsMethod } from './stats/ks';
import { mannWhitneyU, type MannWhitneyAlternative } from './stats/mannw';
import { psiFromShares } from './stats/psi';
import { tTest } from './stats/t_test';
import { wassersteinNormed } from './stats/wasserstein';
import { twoProportionZTest } from './stats/z';
import { type Category, type ColumnType, DriftInputError, type RawValue } from './types';

export type DriftMethodName =
  | 'ks'
  | 'chisquare'
  | 'z'
  | 'wasserstein'
  | 'psi'
  | 'kl_div'
  | 'jensenshannon'
  | 'hellinger'
  | 'anderson'
  | 'cramer_von_mises'
  | 'ed'
  | 'mannw'
  | 't_test';

/** How a score is compared with the threshold: p-values drift when small, distances when large. */
export type DriftRule = 'p<=' | 'p<' | '>=' | '>';

export interface MethodOptions {
  /** ks: SciPy's `method` ('auto' = exact up to 10000 values per sample). */
  readonly ksMethod?: KsMethod;
  /**
   * mannw: Evidently tests only 'less' (reference stochastically smaller than current), so a
   * current sample shifted DOWN is never flagged; 'two-sided' catches both directions.
   */
  readonly mannWhitneyAlternative?: MannWhitneyAlternative;
  /** t_test: Evidently uses Student's pooled t-test; `false` gives Welch's test for unequal variances. */
  readonly tTestEqualVariance?: boolean;
}

export interface MethodOutcome {
  readonly score: number;
  readonly details: Record<string, unknown>;
  readonly warnings: string[];
}

export interface DriftMethod {
  readonly name: DriftMethodName;
  readonly displayName: string;
  readonly kind: 'pvalue' | 'distance';
  readonly defaultThreshold: number;
  readonly rule: DriftRule;
  readonly columnTypes: readonly ColumnType[];
  /** Inputs are already cleaned and non-empty (numbers for a numerical column). */
  compute(reference: readonly Category[], current: readonly Category[], columnType: ColumnType, options: MethodOptions): MethodOutcome;
}

function numbers(values: readonly Category[]): number[] {
  return values as number[];
}

function sharesOutcome(
  binning: Binning,
  score: number,
  filled: boolean,
): { score: number; details: Record<string, unknown>; warnings: string[] } {
  const details: Record<string, unknown> = {
    binning: binning.mode,
    edges: binning.edges,
    keys: binning.keys,
    referenceShares: binning.referenceShares,
    currentShares: binning.currentShares,
  };
  if (filled) {
    details.referenceFill = fillEmptyBins(binning.referenceShares).fill;
    details.currentFill = fillEmptyBins(binning.currentShares).fill;
  }
  return { score, details, warnings: [] };
}

const METHOD_LIST: DriftMethod[] = [
  {
    name: 'ks',
    displayName: 'K-S p_value',
    kind: 'pvalue',
    defaultThreshold: 0.05,
    rule: 'p<=',
    columnTypes: ['numerical'],
    compute(reference, current, _type, options) {
      const result = ks2samp(numbers(reference), numbers(current), options.ksMethod ?? 'auto');
      return { score: result.pvalue, details: { statistic: result.statistic, mode: result.mode }, warnings: result.warnings };
    },
  },
  {
    name: 'chisquare',
    displayName: 'chi-square p_value',
    kind: 'pvalue',
    defaultThreshold: 0.05,
    rule: 'p<',
    columnTypes: ['categorical', 'numerical'],
    compute(reference, current) {
      const result = chisquareDrift(reference, current);
      return {
        score: result.pvalue,
        details: { statistic: result.statistic, dof: result.dof, categories: result.categories },
        warnings: result.warnings,
      };
    },
  },
  {
    name: 'z',
    displayName: 'Z-test p_value',
    kind: 'pvalue',
    defaultThreshold: 0.05,
    rule: 'p<',
    columnTypes: ['categorical', 'numerical'],
    compute(reference, current) {
      const result = twoProportionZTest(reference, current);
      return { score: result.pvalue, details: { statistic: result.statistic }, warnings: [] };
    },
  },
  {
    name: 'wasserstein',
    displayName: 'Wasserstein distance (normed)',
    kind: 'distance',
    defaultThreshold: 0.1,
    rule: '>=',
    columnTypes: ['numerical'],
    compute(reference, current) {
      const result = wassersteinNormed(numbers(reference), numbers(current));
      return { score: result.normed, details: { distance: result.distance, referenceStd: result.referenceStd }, warnings: [] };
    },
  },
  {
    name: 'psi',
    displayName: 'PSI',
    kind: 'distance',
    defaultThreshold: 0.1,
    rule: '>=',
    columnTypes: ['categorical', 'numerical'],
    compute(reference, current, columnType) {
      const binning = binColumn(reference, current, columnType);
      return sharesOutcome(binning, psiFromShares(binning.referenceShares, binning.currentShares), true);
    },
  },
  {
    name: 'kl_div',
    displayName: 'Kullback-Leibler divergence',
    kind: 'distance',
    defaultThreshold: 0.1,
    rule: '>=',
    columnTypes: ['categorical', 'numerical'],
    compute(reference, current, columnType) {
      const binning = binColumn(reference, current, columnType);
      return sharesOutcome(binning, klDivFromShares(binning.referenceShares, binning.currentShares), true);
    },
  },
  {
    name: 'jensenshannon',
    displayName: 'Jensen-Shannon distance',
    kind: 'distance',
    defaultThreshold: 0.1,
    rule: '>=',
    columnTypes: ['categorical', 'numerical'],
    compute(reference, current, columnType) {
      const binning = binColumn(reference, current, columnType);
      return sharesOutcome(binning, jensenShannonDistance(binning.referenceShares, binning.currentShares), false);
    },
  },
  {
    name: 'hellinger',
    displayName: 'Hellinger distance',
    kind: 'distance',
    defaultThreshold: 0.1,
    rule: '>=',
    columnTypes: ['categorical', 'numerical'],
    compute(reference, current, columnType) {
      return { score: hellingerDistance(reference, current, columnType), details: {}, warnings: [] };
    },
  },
  {
    name: 'anderson',
    displayName: 'Anderson-Darling',
    kind: 'pvalue',
    defaultThreshold: 0.1,
    rule: 'p<',
    columnTypes: ['numerical'],
    compute(reference, current) {
      const result = andersonKSamp(numbers(reference), numbers(current));
      return { score: result.pvalue, details: { statistic: result.statistic }, warnings: result.warnings };
    },
  },
  {
    name: 'cramer_von_mises',
    displayName: 'Cramer-von Mises',
    kind: 'pvalue',
    defaultThreshold: 0.1,
    rule: 'p<=',
    columnTypes: ['numerical'],
    compute(reference, current) {
      const result = cramerVonMises2Samp(numbers(reference), numbers(current));
      return { score: result.pvalue, details: { statistic: result.statistic, mode: result.mode }, warnings: [] };
    },
  },
  {
    name: 'ed',
    displayName: 'Energy-distance',
    kind: 'distance',
    defaultThreshold: 0.1,
    rule: '>',
    columnTypes: ['numerical'],
    compute(reference, current) {
      return { score: energyDistance(numbers(reference), numbers(current)), details: {}, warnings: [] };
    },
  },
  {
    name: 'mannw',
    displayName: 'Mann-Whitney U-rank test',
    kind: 'pvalue',
    defaultThreshold: 0.05,
    rule: 'p<',
    columnTypes: ['numerical'],
    compute(reference, current, _type, options) {
      const alternative = options.mannWhitneyAlternative ?? 'less';
      const result = mannWhitneyU(numbers(reference), numbers(current), alternative);
      return { score: result.pvalue, details: { statistic: result.statistic, mode: result.mode, alternative }, warnings: [] };
    },
  },
  {
    name: 't_test',
    displayName: 't_test',
    kind: 'pvalue',
    defaultThreshold: 0.05,
    rule: 'p<',
    columnTypes: ['numerical'],
    compute(reference, current, _type, options) {
      const equalVariance = options.tTestEqualVariance ?? true;
      const result = tTest(numbers(reference), numbers(current), equalVariance);
      return { score: result.pvalue, details: { statistic: result.statistic, df: result.df, equalVariance }, warnings: result.warnings };
    },
  },
];

export const DRIFT_METHODS: Readonly<Record<DriftMethodName, DriftMethod>> = Object.freeze(
  Object.fromEntries(METHOD_LIST.map((method) => [method.name, method])) as Record<DriftMethodName, DriftMethod>,
);

export function isDriftMethodName(name: string): name is DriftMethodName {
  return Object.prototype.hasOwnProperty.call(DRIFT_METHODS, name);
}

/**
 * Applies a rule. A NaN score (e.g. a t-test on two constant columns) decides nothing: `null`.
 * Evidently reports such a column as not drifted; `datasetDrift` counts it the same way.
 */
export function applyRule(rule: DriftRule, score: number, threshold: number): boolean | null {
  if (Number.isNaN(score)) return null;
  switch (rule) {
    case 'p<=':
      return score <= threshold;
    case 'p<':
      return score < threshold;
    case '>=':
      return score >= threshold;
    case '>':
      return score > threshold;
  }
}

/**
 * Evidently's default method by column type, cleaned reference size and the number of distinct
 * values over reference ∪ current.
 */
export function defaultMethodFor(columnType: ColumnType, referenceRows: number, uniqueCount: number): DriftMethodName {
  if (referenceRows <= 1000) {
    if (columnType === 'numerical' && uniqueCount > 5) return 'ks';
    return uniqueCount > 2 ? 'chisquare' : 'z';
  }
  if (columnType === 'numerical' && uniqueCount > 5) return 'wasserstein';
  return 'jensenshannon';
}

export interface ColumnDriftOptions extends MethodOptions {
  readonly columnType: ColumnType;
  /** Omitted: Evidently's default for this column. */
  readonly method?: DriftMethodName;
  /** Omitted: the method's default threshold. */
  readonly threshold?: number;
  /** A name to carry into the result (the dataset report lists columns by it). */
  readonly column?: string;
}

export interface ColumnDriftResult {
  readonly column?: string;
  readonly method: DriftMethodName;
  readonly kind: 'pvalue' | 'distance';
  readonly rule: DriftRule;
  readonly score: number;
  readonly threshold: number;
  /** `null` when the score is NaN and the method cannot decide. */
  readonly drifted: boolean | null;
  readonly defaultMethod: boolean;
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly uniqueCount: number;
  readonly details: Record<string, unknown>;
  readonly warnings: string[];
}

/**
 * Drift of one column. Missing values (null, NaN, ±inf; non-numbers in a numerical column) are
 * dropped first, as Evidently does; an empty side after that throws `DriftInputError`.
 * A method that is undefined for the data (Anderson–Darling on one distinct value) throws
 * `DriftComputationError`.
 */
export function columnDrift(reference: readonly RawValue[], current: readonly RawValue[], options: ColumnDriftOptions): ColumnDriftResult {
  return withSortCache(() => columnDriftSorted(reference, current, options));
}

function columnDriftSorted(reference: readonly RawValue[], current: readonly RawValue[], options: ColumnDriftOptions): ColumnDriftResult {
  const { columnType } = options;
  // Already-clean numbers are used as they are (not copied), so a sorted copy cached for them in an
  // outer withSortCache scope serves again, e.g. for the same reference against every time window.
  const clean = columnType === 'numerical' ? (values: readonly RawValue[]) => (allFinite(values) ? (values as number[]) : cleanNumeric(values)) : cleanCategorical;
  const ref = clean(reference);
  const cur = clean(current);
  requireNonEmpty(ref, 'reference', reference.length);
  requireNonEmpty(cur, 'current', current.length);
  // Numbers: count distinct values over the two sorted samples (the tests reuse the sorted copies).
  const uniqueCount =
    columnType === 'numerical'
      ? distinctCountSorted(sortedCopy(ref as number[]), sortedCopy(cur as number[]))
      : new Set<Category>([...ref, ...cur]).size;
  const methodName = options.method ?? defaultMethodFor(columnType, ref.length, uniqueCount);
  const method = DRIFT_METHODS[methodName];
  if (!method) throw new DriftInputError(`Unknown drift method "${String(methodName)}".`);
  if (!method.columnTypes.includes(columnType)) {
    throw new DriftInputError(`The ${methodName} method applies to ${method.columnTypes.join(' or ')} columns, not ${columnType} ones.`);
  }
  const threshold = options.threshold ?? method.defaultThreshold;
  const outcome = method.compute(ref, cur, columnType, options);
  return {
    column: options.column,
    method: methodName,
    kind: method.kind,
    rule: method.rule,
    score: outcome.score,
    threshold,
    drifted: applyRule(method.rule, outcome.score, threshold),
    defaultMethod: options.method === undefined,
    referenceRows: ref.length,
    currentRows: cur.length,
    uniqueCount,
    details: outcome.details,
    warnings: outcome.warnings,
  };
}

export interface DatasetDriftResult {
  /** Drifted columns / all columns (0 when there are no columns). */
  readonly share: number;
  readonly driftShare: number;
  readonly drifted: boolean;
  readonly driftedCount: number;
  readonly columnCount: number;
  readonly columns: readonly ColumnDriftResult[];
}

/** Evidently's dataset drift: the share of drifted columns is at least `driftShare`. */
export function datasetDrift(columns: readonly ColumnDriftResult[], driftShare = 0.5): DatasetDriftResult {
  const driftedCount = columns.filter((column) => column.drifted === true).length;
  const share = columns.length === 0 ? 0 : driftedCount / columns.length;
  return {
    share,
    driftShare,
    drifted: columns.length > 0 && share >= driftShare,
    driftedCount,
    columnCount: columns.length,
    columns,
  };
}
