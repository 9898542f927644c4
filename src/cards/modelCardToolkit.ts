/**
 * The card as Model Card Toolkit JSON (schema v0.0.2, copied in test/fixtures/model-card-toolkit/):
 * model_details, model_parameters, quantitative_analysis (performance metrics per slice) and
 * considerations. Only the schema's own keys: it allows no others at the top level. A metric's value
 * is a string in that schema (as in the toolkit's proto): the shortest text that reads back as the same double.
 */
import type { CardData } from './cardData';
import { sliceName } from './cardData';
import { HUMAN_SECTIONS, type HumanSection } from './humanParts';

const PER_GROUP = ['selectionRate', 'tpr', 'fpr', 'accuracy', 'rocAuc'] as const;

function descriptions(data: CardData, section: HumanSection): { description: string }[] {
  const text = data.human.sections[section];
  return text ? [{ description: text }] : [];
}

interface Metric {
  type: string;
  value: number;
  slice?: string;
}

function performanceMetrics(data: CardData): Metric[] {
  const out: Metric[] = data.metrics.map(([type, value]) => ({ type, value }));
  const fairness = data.fairness?.result;
  if (fairness) {
    for (const group of fairness.byGroup) {
      for (const metric of PER_GROUP) {
        const value = group[metric];
        if (value !== undefined && Number.isFinite(value)) out.push({ type: metric, value, slice: sliceName(group.group) });
      }
    }
    const columns = fairness.sensitiveColumns.join(' × ');
    for (const [name, byMethod] of [['demographic_parity_difference', fairness.disparities.demographic_parity_difference], ['demographic_parity_ratio', fairness.disparities.demographic_parity_ratio]] as const) {
      for (const [method, value] of Object.entries(byMethod)) if (Number.isFinite(value)) out.push({ type: `${name} (${method})`, value, slice: columns });
    }
    for (const [name, byAgg] of [['equalized_odds_difference', fairness.disparities.equalized_odds_difference], ['equalized_odds_ratio', fairness.disparities.equalized_odds_ratio]] as const) {
      for (const [agg, byMethod] of Object.entries(byAgg)) {
        for (const [method, value] of Object.entries(byMethod)) if (Number.isFinite(value)) out.push({ type: `${name} (${method}, ${agg})`, value, slice: columns });
      }
    }
  }
  for (const gate of data.fairnessGates) if (gate.value !== undefined && Number.isFinite(gate.value)) out.push({ type: gate.gate.replace(/^fairness:\s*/, ''), value: gate.value, slice: `recorded gate (${gate.status}, ${gate.time.slice(0, 10)})` });
  return out;
}

export function modelCardToolkitJson(data: CardData): Record<string, unknown> {
  const v = data.version;
  const run = v.run;
  const datasets = (run?.files ?? []).filter((f) => f.role === 'data').map((f) => ({ name: f.path, description: f.sha256 ? `SHA-256 ${f.sha256}, ${f.bytes} bytes` : (f.note ?? 'not hashed') }));
  if (data.fairness) datasets.push({ name: data.fairness.file, description: `evaluation data for the fairness metrics (${data.fairness.result.overall.count} rows)` });
  const architecture = run?.params.find(([k]) => /^(model|model_type|architecture|estimator|algorithm)$/i.test(k))?.[1];
  const risks = [data.human.sections.ethicalConsiderations, data.human.sections.risks].filter((t): t is string => !!t).map((name) => ({ name, mitigation_strategy: '' }));
  return {
    schema_version: '0.0.2',
    model_details: {
      name: data.model.name,
      overview: v.description ?? data.model.description ?? `${data.model.name} v${v.version}`,
      documentation: data.human.sections.intendedUse ?? `Version ${v.version} of ${data.model.name}, in ${v.stage}.`,
      owners: data.owners.map((o) => ({ name: o.name, ...(o.contact ? { contact: o.contact } : {}) })),
      version: { name: `v${v.version} (${v.stage}${v.aliases.length ? `, @${v.aliases.join(', @')}` : ''})`, date: v.createdAt.slice(0, 10) },
      licenses: data.license ? [{ identifier: data.license }] : [],
      references: [],
      citations: [],
    },
    model_parameters: {
      ...(architecture ? { model_architecture: architecture } : {}),
      data: datasets,
    },
    quantitative_analysis: { performance_metrics: performanceMetrics(data).map((m) => ({ ...m, value: String(m.value) })) },
    considerations: {
      users: [],
      use_cases: descriptions(data, 'intendedUse'),
      limitations: [...descriptions(data, 'limitations'), ...descriptions(data, 'outOfScope').map((d) => ({ description: `${HUMAN_SECTIONS.outOfScope}: ${d.description}` }))],
      tradeoffs: descriptions(data, 'tradeoffs'),
      ethical_considerations: risks,
    },
  };
}
