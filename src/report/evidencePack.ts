// The audit report's evidence pack: an inventory of every registry the workspace sees (the ledger's
// models, governed by its policy and hash chain, and the imported MLflow / GTO / server registries,
// which are not), the fairness results recorded per version, the model cards, and an index that maps
// the report's sections to the headings of the EU AI Act's Annex IV (technical documentation), so an
// auditor finds each piece. Host-free; rendered by auditReport.ts (Markdown and script-free HTML).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'sql.js';
import { humanCardFile } from '../cards/humanParts';
import { listModels } from '../registry/queries';
import type { RecordedGate } from './eventText';

export interface InventoryRow {
  readonly name: string;
  /** `ledger`, `mlflow-file:<path>`, `mlflow-sqlite:<path>`, `gto`, `mlflow-server:<id>`. */
  readonly origin: string;
  /** Only the ledger's models are governed: policy gates, approvals, a verifiable history. */
  readonly governed: boolean;
  readonly versions: number;
  readonly production: number | null;
}

export interface FairnessEvidence {
  readonly model: string;
  readonly version: number;
  readonly time: string;
  readonly move: string;
  readonly gate: RecordedGate;
}

export interface CardEvidence {
  readonly model: string;
  /** The human parts file, relative to the workspace; null when it does not exist yet. */
  readonly humanParts: string | null;
  readonly command: string;
}

export interface EvidencePack {
  readonly inventory: readonly InventoryRow[];
  /** False when no store was given: only the ledger's own models are listed. */
  readonly inventoryComplete: boolean;
  readonly fairness: readonly FairnessEvidence[];
  readonly cards: readonly CardEvidence[];
  /** Ledger events of action `alert` (monitoring thresholds crossed). */
  readonly alerts: number;
}

interface LedgerModelFacts {
  readonly name: string;
  readonly versions: readonly { readonly version: number; readonly stage: string }[];
  readonly history: readonly { readonly time: string; readonly version: number | null; readonly action: string; readonly summary: string; readonly gates: readonly RecordedGate[] }[];
}

function originOrder(origin: string): number {
  return origin === 'ledger' ? 0 : 1;
}

export function buildEvidencePack(models: readonly LedgerModelFacts[], ledgerFile: string, root: string, db?: Database): EvidencePack {
  const fromLedger: InventoryRow[] = models.map((m) => ({
    name: m.name,
    origin: 'ledger',
    governed: true,
    versions: m.versions.length,
    production: m.versions.find((v) => v.stage === 'Production')?.version ?? null,
  }));
  const imported: InventoryRow[] = db
    ? listModels(db)
        .filter((m) => m.origin !== 'ledger')
        .map((m) => ({ name: m.name, origin: m.origin, governed: false, versions: m.versionCount, production: m.productionVersion ?? null }))
    : [];
  const inventory = [...fromLedger, ...imported].sort((a, b) => originOrder(a.origin) - originOrder(b.origin) || a.name.localeCompare(b.name) || a.origin.localeCompare(b.origin));
  const fairness = models.flatMap((m) =>
    m.history.flatMap((e) => e.gates.filter((g) => g.gate.startsWith('fairness:')).map((gate) => ({ model: m.name, version: e.version ?? 0, time: e.time, move: e.summary, gate }))),
  );
  const cards = models.map((m) => {
    const file = humanCardFile(ledgerFile, m.name);
    const production = m.versions.find((v) => v.stage === 'Production')?.version ?? m.versions[0]?.version ?? 1;
    return {
      model: m.name,
      humanParts: existsSync(file) ? path.relative(root, file).split(path.sep).join('/') : null,
      command: `model-ledger card ${m.name} ${production} --format md`,
    };
  });
  const alerts = models.reduce((n, m) => n + m.history.filter((e) => e.action === 'alert').length, 0);
  return { inventory, inventoryComplete: db !== undefined, fairness, cards, alerts };
}

/** EU AI Act Annex IV headings (technical documentation) and where this report answers them. */
export const ANNEX_IV: readonly { readonly heading: string; readonly sections: readonly { readonly title: string; readonly anchor: string }[] }[] = [
  { heading: '1. General description of the AI system', sections: [{ title: 'Model inventory', anchor: 'inventory' }, { title: 'Model cards', anchor: 'cards' }] },
  { heading: '2. Elements of the AI system and its development process', sections: [{ title: 'Lineage per version (runs, params, data files with SHA-256)', anchor: 'models' }, { title: 'Model cards: training and evaluation data', anchor: 'cards' }] },
  { heading: '3. Monitoring, functioning and control', sections: [{ title: 'Fairness results per version', anchor: 'fairness' }, { title: 'Gates at the time of each move (history)', anchor: 'models' }] },
  { heading: '5. Risk management system (Article 9)', sections: [{ title: 'Policy gates, approvals and overrides (history)', anchor: 'models' }, { title: 'Ledger verification', anchor: 'verification' }] },
  { heading: '6. Changes through the lifecycle', sections: [{ title: 'History per model (hash-chained ledger)', anchor: 'models' }] },
  { heading: '7. Harmonised standards and other specifications applied', sections: [{ title: 'Standards and specifications', anchor: 'standards' }] },
  { heading: '9. Post-market monitoring (Article 72)', sections: [{ title: 'Monitoring alerts and drift gates', anchor: 'monitoring' }] },
];

export const STANDARDS_TEXT = [
  'Fairness metrics: the definitions of Fairlearn 0.14 (demographic parity, equalized odds, equal opportunity; MetricFrame semantics), matched value for value to Fairlearn’s own results.',
  'Model cards: the Hugging Face model-card layout and the Model Card Toolkit JSON schema v0.0.2.',
  'Ledger: SHA-256 hash chain over canonical JSON of every registry event.',
  'No harmonised standard under the EU AI Act is recorded as applied: list them in the human parts of the model cards.',
];
