// The evidence pack's sections of the audit report, in Markdown and in script-free HTML (every
// string escaped), placed after the ledger verification so the Annex IV index comes first. The index
// names sections by their heading and id, without links: the report loads and links to nothing.
import { escapeHtml as e, mdCell } from './auditReport';
import { ANNEX_IV, STANDARDS_TEXT, type EvidencePack } from './evidencePack';

function num(value: number | undefined): string {
  if (value === undefined) return '–';
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

const INVENTORY_NOTE = 'Governed: the model lives in the ledger, so its moves pass the policy’s gates and its history is hash-chained and verified. Imported registries are listed as they are; their moves are not governed here.';

export function evidenceMarkdown(pack: EvidencePack): string[] {
  const out: string[] = ['## EU AI Act Annex IV index', '', '| Annex IV heading | Where in this report |', '| --- | --- |'];
  for (const row of ANNEX_IV) out.push(`| ${mdCell(row.heading)} | ${row.sections.map((s) => mdCell(s.title)).join('; ')} |`);
  out.push('', '## Model inventory', '', INVENTORY_NOTE, '', '| Model | Registry | Governed | Versions | Production |', '| --- | --- | --- | ---: | ---: |');
  for (const m of pack.inventory) out.push(`| ${mdCell(m.name)} | ${mdCell(m.origin)} | ${m.governed ? 'yes' : 'no'} | ${m.versions} | ${m.production === null ? '–' : `v${m.production}`} |`);
  if (!pack.inventoryComplete) out.push('', 'No store was given: imported registries are not listed (scan first and pass --store).');
  out.push('', '## Fairness results per version', '');
  if (pack.fairness.length === 0) out.push('No fairness gate was evaluated in any recorded move.', '');
  else {
    out.push('| Model | Version | Time | Move | Gate | Status | Value | Reason |', '| --- | ---: | --- | --- | --- | --- | ---: | --- |');
    for (const f of pack.fairness) out.push(`| ${mdCell(f.model)} | ${f.version} | ${mdCell(f.time)} | ${mdCell(f.move)} | ${mdCell(f.gate.gate)} | ${mdCell(f.gate.status)} | ${num(f.gate.value)} | ${mdCell(f.gate.reason)} |`);
    out.push('');
  }
  out.push('## Model cards', '', '| Model | Human parts | Generate |', '| --- | --- | --- |');
  for (const c of pack.cards) out.push(`| ${mdCell(c.model)} | ${c.humanParts ? mdCell(c.humanParts) : 'not written yet'} | ${mdCell(c.command)} |`);
  out.push('', '## Post-market monitoring', '', `${pack.alerts} monitoring alert(s) recorded in the ledger.`, '', '## Standards and specifications', '', ...STANDARDS_TEXT.map((s) => `- ${mdCell(s)}`), '');
  return out;
}

export function evidenceHtml(pack: EvidencePack): string[] {
  const h: string[] = ['<h2 id="annex-iv">EU AI Act Annex IV index</h2>', '<table class="annex"><thead><tr><th>Annex IV heading</th><th>Where in this report</th></tr></thead><tbody>'];
  for (const row of ANNEX_IV) h.push(`<tr><td>${e(row.heading)}</td><td>${row.sections.map((s) => `${e(s.title)} <span class="muted">(§ ${e(s.anchor)})</span>`).join('<br>')}</td></tr>`);
  h.push('</tbody></table>', '<h2 id="inventory">Model inventory</h2>', `<p class="muted">${e(INVENTORY_NOTE)}</p>`);
  h.push('<table class="inventory"><thead><tr><th>Model</th><th>Registry</th><th>Governed</th><th>Versions</th><th>Production</th></tr></thead><tbody>');
  for (const m of pack.inventory) {
    h.push(`<tr data-governed="${m.governed}"><td>${e(m.name)}</td><td><code>${e(m.origin)}</code></td><td class="${m.governed ? 'ok' : 'warn'}">${m.governed ? 'yes' : 'no'}</td><td class="num">${m.versions}</td><td class="num">${m.production === null ? '–' : `v${m.production}`}</td></tr>`);
  }
  h.push('</tbody></table>');
  if (!pack.inventoryComplete) h.push('<p class="muted">No store was given: imported registries are not listed.</p>');
  h.push('<h2 id="fairness">Fairness results per version</h2>');
  if (pack.fairness.length === 0) h.push('<p>No fairness gate was evaluated in any recorded move.</p>');
  else {
    h.push('<table class="fairness"><thead><tr><th>Model</th><th>Version</th><th>Time</th><th>Move</th><th>Gate</th><th>Status</th><th>Value</th><th>Reason</th></tr></thead><tbody>');
    for (const f of pack.fairness) {
      const cls = f.gate.status === 'pass' ? 'ok' : f.gate.status === 'fail' ? 'bad' : 'warn';
      h.push(`<tr><td>${e(f.model)}</td><td class="num">${f.version}</td><td>${e(f.time)}</td><td>${e(f.move)}</td><td>${e(f.gate.gate)}</td><td class="${cls}">${e(f.gate.status)}</td><td class="num">${e(num(f.gate.value))}</td><td>${e(f.gate.reason)}</td></tr>`);
    }
    h.push('</tbody></table>');
  }
  h.push('<h2 id="cards">Model cards</h2><table class="cards"><thead><tr><th>Model</th><th>Human parts</th><th>Generate</th></tr></thead><tbody>');
  for (const c of pack.cards) h.push(`<tr><td>${e(c.model)}</td><td>${c.humanParts ? `<code>${e(c.humanParts)}</code>` : '<span class="muted">not written yet</span>'}</td><td><code>${e(c.command)}</code></td></tr>`);
  h.push('</tbody></table>', '<h2 id="monitoring">Post-market monitoring</h2>', `<p>${pack.alerts} monitoring alert(s) recorded in the ledger.</p>`);
  h.push('<h2 id="standards">Standards and specifications</h2><ul>', ...STANDARDS_TEXT.map((s) => `<li>${e(s)}</li>`), '</ul>', '<h2 id="models">Models</h2>');
  return h;
}
