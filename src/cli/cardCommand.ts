// `model-ledger card NAME VERSION --format md|json --out F`: a version's model card (see src/cards).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CardError, huggingFaceCard, loadCard, modelCardToolkitJson } from '../cards';
import { toJson } from '../shared/json';
import { CliError, EXIT_OK, EXIT_USAGE } from './cliError';
import { openCliStore, type CliCommand } from './context';
import { FAIRNESS_OPTIONS, fairnessColumnsOf } from './fairnessCommand';
import { DEFAULT_LEDGER } from './registryCommands';
import { existingLedger } from './reportCommand';

export const CARD_COMMAND: CliCommand = {
  name: 'card',
  summary: 'write the model card of a version: Hugging Face Markdown or Model Card Toolkit JSON (human parts from .model-ledger/cards/NAME.md)',
  usage: 'model-ledger card NAME VERSION [--format md|json] [--out FILE] [--fairness-data FILE --label COL --prediction COL --sensitive COL…] [--ledger PATH] [--store PATH]',
  options: {
    format: { type: 'string', description: 'md (Hugging Face layout) or json (Model Card Toolkit); default: from --out’s extension, else md' },
    out: { type: 'string', description: 'where to write the card (default: stdout)' },
    ledger: { type: 'string', description: `ledger file (default: $MODEL_LEDGER_LEDGER, else ${DEFAULT_LEDGER} in the current folder)` },
    'fairness-data': { type: 'string', description: 'an evaluation file for the per-group fairness tables (with --label, --prediction, --sensitive)' },
    ...FAIRNESS_OPTIONS,
  },
  async run(context) {
    const [model, versionText] = context.positionals;
    const version = Number(versionText);
    if (!model || !Number.isInteger(version) || version < 1 || context.positionals.length > 2) throw new CliError('give NAME and VERSION (a whole number)', EXIT_USAGE);
    const out = typeof context.values.out === 'string' && context.values.out ? path.resolve(context.cwd, context.values.out) : undefined;
    const format = typeof context.values.format === 'string' ? context.values.format.toLowerCase() : out && /\.json$/i.test(out) ? 'json' : 'md';
    if (format !== 'md' && format !== 'json') throw new CliError(`unknown format "${format}": md or json`, EXIT_USAGE);
    const { ledgerFile, workspaceRoot } = await existingLedger(context);
    const fairnessFile = typeof context.values['fairness-data'] === 'string' && context.values['fairness-data'] ? path.resolve(context.cwd, context.values['fairness-data']) : undefined;
    const fairness = fairnessFile ? { file: fairnessFile, columns: fairnessColumnsOf(context) } : undefined;
    const wantsStore = typeof context.values.store === 'string' || !!context.env.MODEL_LEDGER_STORE;
    const store = wantsStore ? await openCliStore(context) : undefined;
    let text: string;
    try {
      const data = await loadCard({ ledgerFile, workspaceRoot, model, version, ...(store ? { db: store.db } : {}), ...(fairness ? { fairness } : {}) });
      for (const problem of data.human.problems) context.stderr(`${problem}\n`);
      text = format === 'json' ? toJson(modelCardToolkitJson(data)) + '\n' : huggingFaceCard(data);
    } catch (error) {
      if (error instanceof CardError) throw new CliError(error.message, EXIT_USAGE);
      throw error;
    } finally {
      await store?.close();
    }
    if (!out) {
      context.stdout(text);
      return EXIT_OK;
    }
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, text, 'utf8');
    context.stdout(context.values.json ? toJson({ file: out, format }) + '\n' : `Wrote ${out} (${format === 'json' ? 'Model Card Toolkit JSON' : 'Hugging Face Markdown'})\n`);
    return EXIT_OK;
  },
};
