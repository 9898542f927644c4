// The audit report (host-free): for each model, the versions per stage, the full history with
// reasons, approvals and gate results, the lineage (version → run → params, metrics, data files and
// their SHA-256), and the ledger's verification result. Rendered as Markdown and as one
// self-contained HTML file (inline CSS, no scripts, no external resources, everything escaped).
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'sql.js';
import { checkLedgerAgainstPolicy, lastMetricValues, type PolicyLoad } from '../policy';
import { STAGES, type LedgerEvent } from '../registry/events';
import { readLedger } from '../registry/ledgerFile';
import { project } from '../registry/projection';
import { runArtifacts, runForUid } from '../registry/queries';
import { runDetails } from '../tracking/queries';
import { actorText, eventSummary, recordedGates, recordedOverride, type RecordedGate } from './eventText';
import { formatNumber } from '../shared/format';
import { buildEvidencePack, type EvidencePack } from './evidencePack';
import { evidenceHtml, evidenceMarkdown } from './evidenceRender';

/** At most this many files are hashed per run (the rest are counted). */
export const MAX_FILES_PER_RUN = 200;

export interface AuditInputs {
  readonly ledgerFile: string;
  /** The workspace folder: paths are shown relative to it, and only files inside it are hashed. */
  readonly workspaceRoot: string;
  /** The store with the runs (lineage); without it the report says the runs are unknown. */
  readonly db?: Database;
  /** The policy to check every transition against (`verify --policy`); missing or invalid is reported. */
  readonly policy?: PolicyLoad;
  readonly generatedAt?: Date;
}

export interface AuditFile {
  readonly path: string;
  readonly role: 'artifact' | 'data';
  readonly bytes: number | null;
  /** Hex SHA-256 of the content; null when the file is not in the workspace (see `note`). */
  readonly sha256: string | null;
  readonly note: string | null;
}

export interface AuditRun {
  readonly uid: string;
  readonly name: string | null;
  readonly experiment: string | null;
  readonly status: string;
  readonly sourcePath: string | null;
  readonly gitCommit: string | null;
  readonly params: readonly (readonly [string, string])[];
  readonly metrics: readonly (readonly [string, number])[];
  readonly files: readonly AuditFile[];
  readonly filesOmitted: number;
}

export interface AuditVersion {
  readonly version: number;
  readonly stage: string;
  readonly description: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly aliases: readonly string[];
  readonly source: string | null;
  readonly runUid: string | null;
  /** Null when the version has no run or the run is not in the store. */
  readonly run: AuditRun | null;
}

export interface AuditEvent {
  readonly time: string;
  readonly line: number;
  readonly id: string;
  readonly hash: string;
  readonly action: string;
  readonly version: number | null;
  readonly actor: string;
  readonly summary: string;
  readonly reason: string | null;
  readonly gates: readonly RecordedGate[];
  readonly override: string | null;
}

export interface AuditModel {
  readonly name: string;
  readonly description: string | null;
  /** Versions per stage, in STAGES order; several can share Staging or Archived. */
  readonly stages: readonly { readonly stage: string; readonly versions: readonly number[] }[];
  readonly versions: readonly AuditVersion[];
  /** Oldest first, as the ledger orders them. */
  readonly history: readonly AuditEvent[];
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly events: number;
  readonly problems: readonly { readonly line: number; readonly kind: string; readonly message: string }[];
  /** 'checked': every transition judged against the policy; otherwise why not. */
  readonly policy: 'checked' | 'no policy file' | 'invalid policy' | 'not requested';
}

export interface AuditData {
  readonly generatedAt: string;
  readonly ledgerFile: string;
  readonly policyFile: string | null;
  readonly models: readonly AuditModel[];
  readonly verification: AuditVerification;
  /** Inventory of every registry, fairness results, cards and the EU AI Act Annex IV index. */
  readonly evidence?: EvidencePack;
}

function relative(root: string, file: string): string {
  const rel = path.relative(root, file);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? file : rel).split(path.sep).join('/');
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', reject);
  });
  return hash.digest('hex');
}

async function describeFile(root: string, file: string, role: AuditFile['role']): Promise<AuditFile> {
  const shown = relative(root, file);
  if (!inside(root, file)) return { path: shown, role, bytes: null, sha256: null, note: 'outside the workspace: not hashed' };
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { path: shown, role, bytes: null, sha256: null, note: 'not a file' };
    return { path: shown, role, bytes: stat.size, sha256: await sha256(file), note: null };
  } catch {
    return { path: shown, role, bytes: null, sha256: null, note: 'not in the workspace' };
  }
}

function artifactRoot(uri: string | undefined, root: string): string | undefined {
  if (!uri) return undefined;
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? undefined : path.resolve(root, uri);
}

/** A param value that names a file in the workspace is a data file the run read (e.g. `train_data: data/train.csv`). */
async function dataFileOf(root: string, value: string): Promise<string | undefined> {
  if (value.length === 0 || value.length > 400 || /[\n\r]/.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  if (!/[/\\.]/.test(value)) return undefined;
  const file = path.resolve(root, value);
  if (!inside(root, file)) return undefined;
  try {
    return (await fs.stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

async function auditRun(db: Database, uid: string, root: string): Promise<AuditRun | null> {
  const run = runForUid(db, uid);
  if (!run) return null;
  const details = runDetails(db, run.id);
  const metrics = Object.entries(lastMetricValues(db, uid) ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const files: AuditFile[] = [];
  let omitted = 0;
  for (const [, value] of details.params) {
    const file = await dataFileOf(root, value);
    if (!file) continue;
    if (files.length >= MAX_FILES_PER_RUN) omitted++;
    else if (!files.some((f) => f.path === relative(root, file))) files.push(await describeFile(root, file, 'data'));
  }
  const base = artifactRoot(run.artifactUri, root);
  for (const artifact of runArtifacts(db, run.id)) {
    if (artifact.isDir) continue;
    if (files.length >= MAX_FILES_PER_RUN) {
      omitted++;
      continue;
    }
    files.push(base ? await describeFile(root, path.join(base, artifact.path), 'artifact') : { path: artifact.path, role: 'artifact', bytes: artifact.size ?? null, sha256: null, note: 'artifact root not local' });
  }
  return {
    uid,
    name: run.name ?? null,
    experiment: details.experimentName || null,
    status: run.status,
    sourcePath: run.sourcePath ?? null,
    gitCommit: details.gitCommit ?? null,
    params: details.params,
    metrics,
    files,
    filesOmitted: omitted,
  };
}

function auditEvent(e: LedgerEvent & { readonly line?: number }): AuditEvent {
  return {
    time: e.time,
    line: e.line ?? 0,
    id: e.id,
    hash: e.hash,
    action: String(e.action),
    version: e.version ?? null,
    actor: actorText(e.actor),
    summary: eventSummary(e),
    reason: e.reason ?? null,
    gates: recordedGates(e),
    override: recordedOverride(e) ?? null,
  };
}

/** Reads the ledger, verifies it (and, with a policy, every transition against it), and gathers the lineage. */
export async function buildAudit(inputs: AuditInputs): Promise<AuditData> {
  const root = path.resolve(inputs.workspaceRoot);
  const read = await readLedger(inputs.ledgerFile);
  const { state, problems: illegal } = project(read.events);
  const problems: { line: number; kind: string; message: string }[] = [...read.problems, ...illegal].map((p) => ({ line: p.line, kind: p.kind, message: p.message }));
  let policyState: AuditVerification['policy'] = 'not requested';
  if (inputs.policy) {
    if (inputs.policy.state === 'missing') policyState = 'no policy file';
    else if (inputs.policy.state === 'invalid') {
      policyState = 'invalid policy';
      for (const d of inputs.policy.diagnostics) problems.push({ line: 0, kind: 'policy', message: `${relative(root, d.file)}:${d.line}:${d.column}: ${d.message}` });
    } else {
      policyState = 'checked';
      const db = inputs.db;
      const policy = inputs.policy.policy;
      for (const p of checkLedgerAgainstPolicy(read.events, () => policy, (_m, v) => (db && v.runUid ? lastMetricValues(db, v.runUid) : undefined))) {
        problems.push({ line: p.line, kind: 'policy', message: p.message });
      }
    }
  }
  problems.sort((a, b) => a.line - b.line);
  const models: AuditModel[] = [];
  for (const model of [...state.models.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const versions: AuditVersion[] = [];
    for (const v of [...model.versions.values()].sort((a, b) => b.version - a.version)) {
      versions.push({
        version: v.version,
        stage: v.stage,
        description: v.description ?? null,
        createdBy: v.createdBy,
        createdAt: v.createdAt,
        aliases: [...model.aliases].filter(([, n]) => n === v.version).map(([a]) => a).sort(),
        source: v.source ?? null,
        runUid: v.runUid ?? null,
        run: inputs.db && v.runUid ? await auditRun(inputs.db, v.runUid, root) : null,
      });
    }
    models.push({
      name: model.name,
      description: model.description ?? null,
      stages: STAGES.map((stage) => ({ stage, versions: versions.filter((v) => v.stage === stage).map((v) => v.version) })),
      versions,
      history: read.events.filter((e) => e.model === model.name).map(auditEvent),
    });
  }
  return {
    generatedAt: (inputs.generatedAt ?? new Date()).toISOString(),
    ledgerFile: relative(root, inputs.ledgerFile),
    policyFile: inputs.policy ? relative(root, inputs.policy.file) : null,
    models,
    verification: { ok: problems.length === 0, events: read.events.length, problems, policy: policyState },
    evidence: buildEvidencePack(models, inputs.ledgerFile, root, inputs.db),
  };
}

// ---- Markdown -------------------------------------------------------------------------------------

/** Text for a Markdown table cell: no raw HTML, no table breaks, one line. */
export function mdCell(text: string | number | null | undefined): string {
  if (text === null || text === undefined || text === '') return '–';
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/([`[\]])/g, '\\$1');
}

function gateLine(g: RecordedGate): string {
  return `${g.status}: ${g.gate} (${g.reason})`;
}

function verdictText(v: AuditVerification): string {
  const policy = v.policy === 'checked' ? ', every transition checked against the policy' : v.policy === 'not requested' ? '' : ` (${v.policy}: transitions not checked against a policy)`;
  return v.ok ? `Verified: ${v.events} events, all hashes, links and transitions valid${policy}.` : `NOT verified: ${v.problems.length} problem(s) in ${v.events} events${policy}.`;
}

export function auditMarkdown(data: AuditData): string {
  const out: string[] = [];
  out.push('# Model Ledger audit report', '');
  out.push(`Generated ${data.generatedAt} from \`${data.ledgerFile.replace(/`/g, "'")}\`${data.policyFile ? ` with the policy \`${data.policyFile.replace(/`/g, "'")}\`` : ''}.`, '');
  out.push('## Ledger verification', '', verdictText(data.verification), '');
  if (data.verification.problems.length) {
    out.push('| Line | Kind | Problem |', '| ---: | --- | --- |');
    for (const p of data.verification.problems) out.push(`| ${p.line} | ${mdCell(p.kind)} | ${mdCell(p.message)} |`);
    out.push('');
  }
  if (data.evidence) out.push(...evidenceMarkdown(data.evidence));
  if (data.models.length === 0) out.push('No models in the ledger.', '');
  for (const model of data.models) {
    out.push(`## Model ${mdCell(model.name)}`, '');
    if (model.description) out.push(mdCell(model.description), '');
    out.push('### Current versions per stage', '', '| Stage | Versions |', '| --- | --- |');
    for (const s of model.stages) out.push(`| ${s.stage} | ${s.versions.length ? s.versions.map((v) => `v${v}`).join(', ') : '–'} |`);
    out.push('', '### History', '', '| Time | Version | Action | Change | Actor | Reason | Gates at the time |', '| --- | ---: | --- | --- | --- | --- | --- |');
    for (const e of model.history) {
      const gates = [...e.gates.map(gateLine), ...(e.override ? [`OVERRIDE: ${e.override}`] : [])].join('; ');
      out.push(`| ${mdCell(e.time)} | ${e.version ?? '–'} | ${mdCell(e.action)} | ${mdCell(e.summary)} | ${mdCell(e.actor)} | ${mdCell(e.reason)} | ${mdCell(gates)} |`);
    }
    out.push('', '### Lineage', '');
    for (const v of model.versions) {
      out.push(`#### v${v.version} (${v.stage})${v.aliases.length ? ` ${v.aliases.map((a) => `@${mdCell(a)}`).join(' ')}` : ''}`, '');
      out.push(`- Registered by ${mdCell(v.createdBy)} at ${mdCell(v.createdAt)}`);
      if (v.description) out.push(`- Description: ${mdCell(v.description)}`);
      if (v.source) out.push(`- Source: ${mdCell(v.source)}`);
      if (!v.runUid) out.push('- Run: none recorded');
      else if (!v.run) out.push(`- Run: ${mdCell(v.runUid)} (not in the store: scan the workspace to include its params, metrics and files)`);
      else {
        const r = v.run;
        out.push(`- Run: ${mdCell(r.name ?? r.uid)} (experiment ${mdCell(r.experiment)}, ${mdCell(r.status)}, uid ${mdCell(r.uid)}${r.gitCommit ? `, git ${mdCell(r.gitCommit)}` : ''})`);
        if (r.sourcePath) out.push(`- Run files: ${mdCell(r.sourcePath)}`);
        out.push('', '| Param | Value |', '| --- | --- |');
        for (const [k, val] of r.params) out.push(`| ${mdCell(k)} | ${mdCell(val)} |`);
        if (r.params.length === 0) out.push('| – | – |');
        out.push('', '| Metric (last value) | Value |', '| --- | ---: |');
        for (const [k, val] of r.metrics) out.push(`| ${mdCell(k)} | ${formatNumber(val)} |`);
        if (r.metrics.length === 0) out.push('| – | – |');
        out.push('', '| File | Role | Bytes | SHA-256 |', '| --- | --- | ---: | --- |');
        for (const f of r.files) out.push(`| ${mdCell(f.path)} | ${f.role} | ${f.bytes ?? '–'} | ${f.sha256 ?? mdCell(f.note)} |`);
        if (r.files.length === 0) out.push('| – | – | – | – |');
        if (r.filesOmitted) out.push('', `${r.filesOmitted} more file(s) not listed.`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}

// ---- HTML -----------------------------------------------------------------------------------------

export function escapeHtml(text: string | number | null | undefined): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --line: #d1d9e0; --head: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --head: #151b23; --ok: #3fb950; --bad: #f85149; --warn: #d29922; } }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.3em; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 1.05em; margin-top: 20px; } h4 { font-size: 1em; margin: 16px 0 6px; }
.muted { color: var(--muted); } .ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; } .warn { color: var(--warn); font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0 12px; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--head); font-weight: 600; white-space: nowrap; } table.history td:nth-child(-n+3) { white-space: nowrap; overflow-wrap: normal; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.verdict { padding: 10px 14px; border: 1px solid var(--line); border-left: 4px solid var(--ok); border-radius: 4px; }
.verdict.failed { border-left-color: var(--bad); }
.gates { margin: 0; padding-left: 16px; } .version { border: 1px solid var(--line); border-radius: 6px; padding: 4px 14px 8px; margin: 10px 0; }
.stage { display: inline-block; padding: 0 6px; border-radius: 8px; border: 1px solid var(--line); font-size: 12px; }
`;

function statusClass(status: string): string {
  return status === 'pass' ? 'ok' : status === 'fail' ? 'bad' : 'warn';
}

export function auditHtml(data: AuditData): string {
  const e = escapeHtml;
  const h: string[] = [];
  const v = data.verification;
  h.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="UTF-8">', "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
  h.push('<meta name="viewport" content="width=device-width, initial-scale=1.0">', '<title>Model Ledger audit report</title>', `<style>${STYLE}</style>`, '</head>', '<body>');
  h.push('<h1>Model Ledger audit report</h1>');
  h.push(`<p class="muted">Generated ${e(data.generatedAt)} from <code>${e(data.ledgerFile)}</code>${data.policyFile ? ` with the policy <code>${e(data.policyFile)}</code>` : ''}.</p>`);
  h.push('<h2 id="verification">Ledger verification</h2>');
  h.push(`<p class="verdict${v.ok ? '' : ' failed'}"><span class="${v.ok ? 'ok' : 'bad'}">${v.ok ? '✔' : '✘'}</span> ${e(verdictText(v))}</p>`);
  if (v.problems.length) {
    h.push('<table class="problems"><thead><tr><th>Line</th><th>Kind</th><th>Problem</th></tr></thead><tbody>');
    for (const p of v.problems) h.push(`<tr><td class="num">${p.line}</td><td>${e(p.kind)}</td><td>${e(p.message)}</td></tr>`);
    h.push('</tbody></table>');
  }
  if (data.evidence) h.push(...evidenceHtml(data.evidence));
  if (data.models.length === 0) h.push('<p>No models in the ledger.</p>');
  for (const model of data.models) {
    h.push(`<h2 class="model">Model ${e(model.name)}</h2>`);
    if (model.description) h.push(`<p>${e(model.description)}</p>`);
    h.push('<h3>Current versions per stage</h3><table class="stages"><thead><tr><th>Stage</th><th>Versions</th></tr></thead><tbody>');
    for (const s of model.stages) h.push(`<tr><td>${e(s.stage)}</td><td>${s.versions.length ? s.versions.map((n) => `v${n}`).join(', ') : '–'}</td></tr>`);
    h.push('</tbody></table>');
    h.push('<h3>History</h3><table class="history"><thead><tr><th>Time</th><th>Version</th><th>Action</th><th>Change</th><th>Actor</th><th>Reason</th><th>Gates at the time</th></tr></thead><tbody>');
    for (const ev of model.history) {
      const gates = ev.gates.map((g) => `<li><span class="${statusClass(g.status)}">${e(g.status)}</span> ${e(g.gate)} <span class="muted">— ${e(g.reason)}</span></li>`);
      if (ev.override) gates.push(`<li><span class="bad">override</span> ${e(ev.override)}</li>`);
      h.push(
        `<tr data-action="${e(ev.action)}"><td>${e(ev.time)}</td><td class="num">${ev.version ?? '–'}</td><td>${e(ev.action)}</td><td>${e(ev.summary)}</td><td>${e(ev.actor)}</td><td>${e(ev.reason ?? '–')}</td><td>${gates.length ? `<ul class="gates">${gates.join('')}</ul>` : '–'}</td></tr>`,
      );
    }
    h.push('</tbody></table>');
    h.push('<h3>Lineage</h3>');
    for (const ver of model.versions) {
      h.push(`<div class="version"><h4>v${ver.version} <span class="stage">${e(ver.stage)}</span>${ver.aliases.map((a) => ` <code>@${e(a)}</code>`).join('')}</h4>`);
      h.push(`<p class="muted">Registered by ${e(ver.createdBy)} at ${e(ver.createdAt)}${ver.source ? ` · source <code>${e(ver.source)}</code>` : ''}</p>`);
      if (ver.description) h.push(`<p class="description">${e(ver.description)}</p>`);
      if (!ver.runUid) h.push('<p>Run: none recorded.</p>');
      else if (!ver.run) h.push(`<p>Run <code>${e(ver.runUid)}</code> is not in the store: scan the workspace to include its params, metrics and files.</p>`);
      else {
        const r = ver.run;
        h.push(`<p>Run <strong>${e(r.name ?? r.uid)}</strong> · experiment ${e(r.experiment ?? '–')} · ${e(r.status)} · uid <code>${e(r.uid)}</code>${r.gitCommit ? ` · git <code>${e(r.gitCommit)}</code>` : ''}${r.sourcePath ? ` · files <code>${e(r.sourcePath)}</code>` : ''}</p>`);
        h.push('<table class="params"><thead><tr><th>Param</th><th>Value</th></tr></thead><tbody>');
        for (const [k, val] of r.params) h.push(`<tr><td>${e(k)}</td><td>${e(val)}</td></tr>`);
        if (!r.params.length) h.push('<tr><td colspan="2" class="muted">none</td></tr>');
        h.push('</tbody></table><table class="metrics"><thead><tr><th>Metric (last value)</th><th>Value</th></tr></thead><tbody>');
        for (const [k, val] of r.metrics) h.push(`<tr><td>${e(k)}</td><td class="num">${e(formatNumber(val))}</td></tr>`);
        if (!r.metrics.length) h.push('<tr><td colspan="2" class="muted">none</td></tr>');
        h.push('</tbody></table><table class="files"><thead><tr><th>File</th><th>Role</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>');
        for (const f of r.files) h.push(`<tr><td><code>${e(f.path)}</code></td><td>${f.role}</td><td class="num">${f.bytes ?? '–'}</td><td class="hash">${f.sha256 ? e(f.sha256) : `<span class="muted">${e(f.note)}</span>`}</td></tr>`);
        if (!r.files.length) h.push('<tr><td colspan="4" class="muted">none</td></tr>');
        h.push('</tbody></table>');
        if (r.filesOmitted) h.push(`<p class="muted">${r.filesOmitted} more file(s) not listed.</p>`);
      }
      h.push('</div>');
    }
  }
  h.push('</body>', '</html>', '');
  return h.join('\n');
}
