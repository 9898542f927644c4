/**
 * The card in the Hugging Face model-card layout: a YAML metadata block (license, tags, `model-index`
 * with the version's metrics), then Model Details, Uses, Bias Risks and Limitations, Training and
 * Evaluation Data, Evaluation Results (fairness included) and Environmental Impact when known.
 * Generated text from files goes through mdCell (no raw HTML, no broken tables); the human parts are
 * Markdown their authors wrote and are kept as written.
 */
import { stringify as stringifyYaml } from 'yaml';
import { mdCell } from '../report/auditReport';
import type { CardData } from './cardData';
import { sliceName } from './cardData';
import { HUMAN_SECTIONS, type HumanSection } from './humanParts';

function num(value: number | undefined): string {
  if (value === undefined) return '—';
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

function frontMatter(data: CardData): string {
  const { license: _license, tags, ...rest } = data.human.metadata as Record<string, unknown>;
  const meta: Record<string, unknown> = {
    ...(data.license ? { license: data.license } : {}),
    tags: [...new Set(['model-ledger', ...(Array.isArray(tags) ? tags.map(String) : [])])],
    ...Object.fromEntries(Object.entries(rest).filter(([k]) => k !== 'owners' && k !== 'model-index')),
  };
  if (data.metrics.length > 0) {
    const task = typeof rest.pipeline_tag === 'string' ? rest.pipeline_tag : 'other';
    meta['model-index'] = [
      {
        name: `${data.model.name}-v${data.version.version}`,
        results: [{ task: { type: task }, metrics: data.metrics.map(([name, value]) => ({ type: name, value, name })) }],
      },
    ];
  }
  return `---\n${stringifyYaml(meta)}---\n`;
}

function human(data: CardData, section: HumanSection): string {
  return data.human.sections[section] ?? `_Not documented yet: add a "## ${HUMAN_SECTIONS[section]}" section to \`${data.human.file}\`._`;
}

function detailsSection(data: CardData): string {
  const v = data.version;
  const rows: [string, string][] = [
    ['Model', data.model.name],
    ['Version', `v${v.version}`],
    ['Stage', v.stage],
    ['Aliases', v.aliases.map((a) => `@${a}`).join(', ') || '—'],
    ['Registered by', `${v.createdBy}, ${v.createdAt}`],
    ['Owners', data.owners.map((o) => (o.contact ? `${o.name} (${o.contact})` : o.name)).join(', ')],
    ['License', data.license ?? 'not stated'],
    ['Source run', v.run ? `${v.run.name ?? v.run.uid} (${v.run.experiment ?? 'no experiment'}, ${v.run.status})` : (v.runUid ?? v.source ?? '—')],
    ['Git commit', v.run?.gitCommit ?? '—'],
  ];
  const description = v.description ?? data.model.description;
  return [
    '## Model Details',
    '',
    '### Model Description',
    '',
    description ? mdCell(description) : '_No description recorded in the ledger._',
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, value]) => `| ${k} | ${mdCell(value)} |`),
    '',
  ].join('\n');
}

function dataSection(data: CardData): string {
  const run = data.version.run;
  const files = run?.files.filter((f) => f.role === 'data') ?? [];
  const lines = ['## Training and Evaluation Data', '', '### Training Data', '', human(data, 'trainingData'), ''];
  if (files.length) {
    lines.push('Data files the source run names (SHA-256 at the time of this card):', '', '| file | bytes | SHA-256 |', '|---|---|---|');
    for (const f of files) lines.push(`| ${mdCell(f.path)} | ${f.bytes ?? '—'} | ${f.sha256 ? `\`${f.sha256}\`` : mdCell(f.note)} |`);
    lines.push('');
  }
  if (run?.params.length) {
    lines.push('### Training Hyperparameters', '', '| param | value |', '|---|---|', ...run.params.map(([k, value]) => `| ${mdCell(k)} | ${mdCell(value)} |`), '');
  }
  if (data.fairness) lines.push('### Evaluation Data', '', `Fairness metrics below were computed on \`${mdCell(data.fairness.file)}\` (${data.fairness.result.overall.count} rows).`, '');
  return lines.join('\n');
}

function fairnessTables(data: CardData): string[] {
  const lines: string[] = [];
  const result = data.fairness?.result;
  if (result) {
    const auc = result.overall.rocAuc !== undefined;
    lines.push(
      `#### Per group (${mdCell(result.sensitiveColumns.join(' × '))}; positive label ${mdCell(result.posLabel)}${result.weighted ? ', weighted' : ''})`,
      '',
      `| group | count | selection rate | TPR | FPR | accuracy |${auc ? ' ROC AUC |' : ''}`,
      `|---|---|---|---|---|---|${auc ? '---|' : ''}`,
    );
    for (const row of [{ name: 'overall', ...result.overall }, ...result.byGroup.map((g) => ({ name: sliceName(g.group), ...g }))]) {
      lines.push(`| ${mdCell(row.name)} | ${num(row.count)} | ${num(row.selectionRate)} | ${num(row.tpr)} | ${num(row.fpr)} | ${num(row.accuracy)} |${auc ? ` ${num(row.rocAuc)} |` : ''}`);
    }
    const d = result.disparities;
    lines.push(
      '',
      '#### Disparities (as Fairlearn defines them)',
      '',
      '| metric | between groups | to overall |',
      '|---|---|---|',
      `| demographic_parity_difference | ${num(d.demographic_parity_difference.between_groups)} | ${num(d.demographic_parity_difference.to_overall)} |`,
      `| demographic_parity_ratio | ${num(d.demographic_parity_ratio.between_groups)} | ${num(d.demographic_parity_ratio.to_overall)} |`,
      `| equalized_odds_difference (worst case) | ${num(d.equalized_odds_difference.worst_case.between_groups)} | ${num(d.equalized_odds_difference.worst_case.to_overall)} |`,
      `| equalized_odds_ratio (worst case) | ${num(d.equalized_odds_ratio.worst_case.between_groups)} | ${num(d.equalized_odds_ratio.worst_case.to_overall)} |`,
      '',
      ...result.notes.map((n) => `- ${mdCell(n)}`),
      '',
    );
  }
  if (data.fairnessGates.length) {
    lines.push('#### Fairness gates recorded in the ledger', '', '| when | move | gate | status | value | reason |', '|---|---|---|---|---|---|');
    for (const g of data.fairnessGates) lines.push(`| ${mdCell(g.time)} | ${mdCell(g.move)} | ${mdCell(g.gate)} | ${mdCell(g.status)} | ${num(g.value)} | ${mdCell(g.reason)} |`);
    lines.push('');
  }
  if (!lines.length) lines.push('_No fairness evaluation: no fairness gate was recorded for this version and no evaluation data was given._', '');
  return lines;
}

function evaluationSection(data: CardData): string {
  const lines = ['## Evaluation Results', ''];
  if (data.metrics.length) lines.push('| metric | value |', '|---|---|', ...data.metrics.map(([k, value]) => `| ${mdCell(k)} | ${num(value)} |`), '');
  else lines.push('_No metrics: the source run is not in the store._', '');
  if (data.nonFiniteMetrics.length) lines.push(`Not finite (left out of model-index): ${mdCell(data.nonFiniteMetrics.join('; '))}`, '');
  lines.push('### Fairness', '', ...fairnessTables(data));
  return lines.join('\n');
}

export function huggingFaceCard(data: CardData): string {
  const v = data.version;
  const parts = [
    frontMatter(data),
    `# Model Card for ${mdCell(data.model.name)} v${v.version}`,
    '',
    `Generated by Model Ledger from the registry ledger, the source run and its data files. The human parts come from \`${data.human.file}\`.`,
    '',
    ...data.human.problems.map((p) => `> **Note:** ${mdCell(p)}`),
    detailsSection(data),
    '## Uses',
    '',
    '### Direct Use',
    '',
    human(data, 'intendedUse'),
    '',
    '### Out-of-Scope Use',
    '',
    human(data, 'outOfScope'),
    '',
    '## Bias, Risks, and Limitations',
    '',
    human(data, 'limitations'),
    '',
    ...(data.human.sections.risks ? ['### Risks', '', data.human.sections.risks, ''] : []),
    '### Ethical Considerations',
    '',
    human(data, 'ethicalConsiderations'),
    '',
    dataSection(data),
    evaluationSection(data),
    ...(data.human.sections.environmentalImpact ? ['## Environmental Impact', '', data.human.sections.environmentalImpact, ''] : []),
    ...(data.human.extra.length ? ['## More Information', '', ...data.human.extra.flatMap((e) => [`### ${mdCell(e.heading)}`, '', e.text, ''])] : []),
  ];
  return parts.join('\n');
}
