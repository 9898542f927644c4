/** Public surface of the drift module (host-free: used by the drift panel and the CLI). */
export { binColumn, fillEmptyBins, histogramCounts, sturgesBinEdges, type Binning, type FilledShares } from './binning';
export {
  applyRule,
  columnDrift,
  datasetDrift,
  defaultMethodFor,
  DRIFT_METHODS,
  isDriftMethodName,
  type ColumnDriftOptions,
  type ColumnDriftResult,
  type DatasetDriftResult,
  type DriftMethod,
  type DriftMethodName,
  type DriftRule,
  type MethodOptions,
} from './methods';
export { andersonKSamp } from './stats/anderson';
export { chisquareDrift, chisquareGoodnessOfFit } from './stats/chisquare';
export { cramerVonMises2Samp } from './stats/cramer_von_mises';
export { energyDistance } from './stats/energy_distance';
export { hellingerDistance } from './stats/hellinger';
export { jensenShannon, jensenShannonDistance } from './stats/jensenshannon';
export { klDiv, klDivFromShares } from './stats/kl_div';
export { ks2samp } from './stats/ks';
export { mannWhitneyU } from './stats/mannw';
export { psi, psiFromShares } from './stats/psi';
export { tTest } from './stats/t_test';
export { wassersteinDistance, wassersteinNormed } from './stats/wasserstein';
export { twoProportionZTest } from './stats/z';
export { type Category, type ColumnType, DriftComputationError, DriftInputError, type RawValue } from './types';
