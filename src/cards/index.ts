/** Model cards per version (host-free): Hugging Face Markdown and Model Card Toolkit JSON. */
import path from 'node:path';
import type { FairnessColumns } from '../fairness';
import { fairnessFromFile } from '../fairness';
import { buildAudit, type AuditInputs } from '../report/auditReport';
import { cardData, type CardData, type CardFairness } from './cardData';
import { humanCardFile, readHumanParts } from './humanParts';

export { cardData, sliceName, type CardData, type CardFairness, type CardInputs } from './cardData';
export { huggingFaceCard } from './huggingFace';
export { modelCardToolkitJson } from './modelCardToolkit';
export { createHumanPartsIfMissing, humanCardFile, humanPartsTemplate, parseHumanParts, readHumanParts, HUMAN_SECTIONS, type HumanParts } from './humanParts';

export class CardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CardError';
  }
}

export interface CardRequest extends AuditInputs {
  readonly model: string;
  readonly version: number;
  /** An evaluation file and its columns for the per-group tables (optional). */
  readonly fairness?: { readonly file: string; readonly columns: FairnessColumns };
}

/** Everything a card of one version needs, read without writing anything. */
export async function loadCard(request: CardRequest): Promise<CardData> {
  const audit = await buildAudit(request);
  const model = audit.models.find((m) => m.name === request.model);
  if (!model) throw new CardError(`no model "${request.model}" in the ledger (models: ${audit.models.map((m) => m.name).join(', ') || 'none'})`);
  const version = model.versions.find((v) => v.version === request.version);
  if (!version) throw new CardError(`"${request.model}" has no version ${request.version} (versions: ${model.versions.map((v) => v.version).join(', ')})`);
  const human = await readHumanParts(humanCardFile(request.ledgerFile, request.model));
  const shownHuman = { ...human, file: path.relative(request.workspaceRoot, human.file).split(path.sep).join('/') };
  let fairness: CardFairness | undefined;
  if (request.fairness) {
    const outcome = await fairnessFromFile(request.fairness.file, request.fairness.columns);
    if (!outcome.result) throw new CardError(outcome.error ?? `cannot compute fairness metrics from ${request.fairness.file}`);
    fairness = { file: path.relative(request.workspaceRoot, request.fairness.file).split(path.sep).join('/'), result: outcome.result };
  }
  return cardData({ model, version, human: shownHuman, ...(fairness ? { fairness } : {}) });
}
