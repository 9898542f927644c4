/**
 * What a model card of one version says, gathered once from the audit data (ledger, runs, data files
 * with their hashes, recorded gate results), the human parts file and, when given, the fairness
 * metrics of an evaluation file. The Hugging Face Markdown and the Model Card Toolkit JSON both render this.
 */
import type { FairnessResult } from '../fairness';
import type { RecordedGate } from '../report/eventText';
import type { AuditModel, AuditVersion } from '../report/auditReport';
import type { HumanParts } from './humanParts';

export interface CardFairness {
  /** The evaluation file, relative to the workspace. */
  readonly file: string;
  readonly result: FairnessResult;
}

export interface CardInputs {
  readonly model: AuditModel;
  readonly version: AuditVersion;
  readonly human: HumanParts;
  readonly fairness?: CardFairness;
}

export interface CardData extends CardInputs {
  /** Finite last metric values of the source run, sorted by name. */
  readonly metrics: readonly (readonly [string, number])[];
  /** Metrics that are NaN or infinite: listed in the text, left out of model-index (it needs numbers). */
  readonly nonFiniteMetrics: readonly string[];
  /** Fairness gates recorded in the ledger for moves of this version, oldest first. */
  readonly fairnessGates: readonly (RecordedGate & { readonly time: string; readonly move: string })[];
  readonly license: string | undefined;
  readonly owners: readonly { readonly name: string; readonly contact?: string }[];
}

function ownersOf(metadata: Readonly<Record<string, unknown>>, fallback: string): { name: string; contact?: string }[] {
  const raw = metadata.owners;
  const list = Array.isArray(raw) ? raw : [];
  const owners = list.flatMap((o): { name: string; contact?: string }[] => {
    if (typeof o === 'string') return [{ name: o }];
    if (o && typeof o === 'object' && typeof (o as { name?: unknown }).name === 'string') {
      const contact = (o as { contact?: unknown }).contact;
      return [{ name: (o as { name: string }).name, ...(typeof contact === 'string' ? { contact } : {}) }];
    }
    return [];
  });
  return owners.length ? owners : [{ name: fallback }];
}

export function cardData(inputs: CardInputs): CardData {
  const all = inputs.version.run?.metrics ?? [];
  const fairnessGates = inputs.model.history
    .filter((e) => e.version === inputs.version.version)
    .flatMap((e) => e.gates.filter((g) => g.gate.startsWith('fairness:')).map((g) => ({ ...g, time: e.time, move: e.summary })));
  const license = inputs.human.metadata.license;
  return {
    ...inputs,
    metrics: all.filter(([, v]) => Number.isFinite(v)),
    nonFiniteMetrics: all.filter(([, v]) => !Number.isFinite(v)).map(([k, v]) => `${k} = ${String(v)}`),
    fairnessGates,
    license: typeof license === 'string' && license.trim() ? license.trim() : undefined,
    owners: ownersOf(inputs.human.metadata, inputs.version.createdBy),
  };
}

/** A group as "sex=female, race=A" (the slice name in both formats). */
export function sliceName(group: Readonly<Record<string, string>>): string {
  return Object.entries(group).map(([k, v]) => `${k}=${v}`).join(', ');
}
