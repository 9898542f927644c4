/** The CLI's `--json` shape of a fairness result (non-finite numbers become strings through toJson). */
import type { Disparities, FairnessResult, GroupRow } from './types';

/** The metric fields only (a GroupResult's `group` is written first, then these). */
export type FairnessJsonRow = GroupRow;

export interface FairnessJson {
  readonly overall: FairnessJsonRow;
  readonly byGroup: readonly (FairnessJsonRow & { readonly group: Readonly<Record<string, string>> })[];
  readonly disparities: {
    readonly demographic_parity_difference: Disparities['demographic_parity_difference'];
    readonly demographic_parity_ratio: Disparities['demographic_parity_ratio'];
    readonly equalized_odds_difference: Disparities['equalized_odds_difference'];
    readonly equalized_odds_ratio: Disparities['equalized_odds_ratio'];
  };
  readonly posLabel: string;
  readonly rowsWithoutGroup: number;
  readonly notes: readonly string[];
}

function row(source: GroupRow): FairnessJsonRow {
  return {
    count: source.count,
    selectionRate: source.selectionRate,
    tpr: source.tpr,
    fpr: source.fpr,
    accuracy: source.accuracy,
    ...(source.rocAuc === undefined ? {} : { rocAuc: source.rocAuc }),
  };
}

export function fairnessJson(result: FairnessResult): FairnessJson {
  const d = result.disparities;
  return {
    overall: row(result.overall),
    byGroup: result.byGroup.map((g) => ({ group: g.group, ...row(g) })),
    disparities: {
      demographic_parity_difference: d.demographic_parity_difference,
      demographic_parity_ratio: d.demographic_parity_ratio,
      equalized_odds_difference: d.equalized_odds_difference,
      equalized_odds_ratio: d.equalized_odds_ratio,
    },
    posLabel: result.posLabel,
    rowsWithoutGroup: result.rowsWithoutGroup,
    notes: result.notes,
  };
}
