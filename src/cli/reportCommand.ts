// `model-ledger report --format md|html --out FILE`: the audit report of the ledger (see src/report).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadPolicy } from '../policy';
import { auditHtml, auditMarkdown, buildAudit } from '../report/auditReport';
import { toJson } from '../shared/json';
import { CliError, EXIT_OK, EXIT_USAGE } from './cliError';
import { openCliStore, type CliCommand, type CliContext } from './context';
import { DEFAULT_LEDGER } from './registryCommands';

/** The ledger `report` and `card` read (exits 2 when there is none) and the workspace folder it belongs to. */
export async function existingLedger(context: CliContext): Promise<{ ledgerFile: string; workspaceRoot: string }> {
  const explicitLedger = typeof context.values.ledger === 'string' && context.values.ledger ? context.values.ledger : context.env.MODEL_LEDGER_LEDGER;
  const ledgerFile = explicitLedger ? path.resolve(context.cwd, explicitLedger) : path.join(context.cwd, DEFAULT_LEDGER);
  try {
    await fs.access(ledgerFile);
  } catch {
    throw new CliError(`no ledger at ${ledgerFile}; register a model first or pass --ledger PATH`, EXIT_USAGE);
  }
  // The workspace is the folder the ledger's folder sits in (.model-ledger/ledger.jsonl), else the current one.
  return { ledgerFile, workspaceRoot: explicitLedger ? context.cwd : path.dirname(path.dirname(ledgerFile)) };
}

export const REPORT_COMMAND: CliCommand = {
  name: 'report',
  summary: 'write the audit report: versions per stage, history with reasons, approvals and gates, lineage with file hashes, verification',
  usage: 'model-ledger report --format md|html --out FILE [--ledger PATH] [--policy-file PATH] [--store PATH] [--json]',
  options: {
    format: { type: 'string', description: 'md (Markdown) or html (one self-contained file); default: from --out’s extension, else md' },
    out: { type: 'string', description: 'where to write the report (default: stdout)' },
    ledger: { type: 'string', description: `ledger file (default: $MODEL_LEDGER_LEDGER, else ${DEFAULT_LEDGER} in the current folder)` },
    'policy-file': { type: 'string', description: 'policy to check every transition against (default: policy.yaml beside the ledger, when it exists)' },
  },
  async run(context) {
    const out = typeof context.values.out === 'string' && context.values.out ? path.resolve(context.cwd, context.values.out) : undefined;
    const formatText = typeof context.values.format === 'string' ? context.values.format.toLowerCase() : out && /\.html?$/i.test(out) ? 'html' : 'md';
    const format = formatText === 'markdown' ? 'md' : formatText;
    if (format !== 'md' && format !== 'html') throw new CliError(`unknown format "${formatText}": md or html`, EXIT_USAGE);
    const { ledgerFile, workspaceRoot } = await existingLedger(context);
    const policyFile = typeof context.values['policy-file'] === 'string' && context.values['policy-file'] ? path.resolve(context.cwd, context.values['policy-file']) : path.join(path.dirname(ledgerFile), 'policy.yaml');
    const policy = await loadPolicy(policyFile);
    const wantsStore = typeof context.values.store === 'string' || !!context.env.MODEL_LEDGER_STORE;
    const store = wantsStore ? await openCliStore(context) : undefined;
    let text: string;
    let ok: boolean;
    let models: number;
    try {
      const data = await buildAudit({ ledgerFile, workspaceRoot, ...(store ? { db: store.db } : {}), ...(policy.state === 'missing' && !context.values['policy-file'] ? {} : { policy }) });
      text = format === 'html' ? auditHtml(data) : auditMarkdown(data);
      ok = data.verification.ok;
      models = data.models.length;
    } finally {
      await store?.close();
    }
    if (out) {
      await fs.mkdir(path.dirname(out), { recursive: true });
      await fs.writeFile(out, text, 'utf8');
      context.stdout(context.values.json ? toJson({ ok, file: out, format, models }) + '\n' : `Wrote ${out} (${format}, ${models} model${models === 1 ? '' : 's'}; ledger ${ok ? 'verified' : 'NOT verified'})\n`);
    } else {
      context.stdout(text);
    }
    if (!wantsStore) context.stderr('model-ledger report: no --store given, so the lineage has no params, metrics or files (scan first and pass --store)\n');
    return EXIT_OK;
  },
};
