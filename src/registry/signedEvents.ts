// The ledger's signatures checked as a whole: each event signed / unsigned / invalid / unknown key / not allowed,
// against `.model-ledger/allowed_signers`, and the problems `verify` reports. A ledger rewritten and re-hashed by
// someone without an allowed key fails here even though every hash and link is consistent.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadPolicy, ruleFor, type Policy, type PolicyTarget } from '../policy/policyFile';
import { parseAllowedSigners, type AllowedSigner, type AllowedSignersDiagnostic } from '../signing/allowedSigners';
import { checkEventSignature, type EventSignatureStatus } from '../signing/eventSignature';
import type { LedgerEvent } from './events';

export const ALLOWED_SIGNERS_FILE = 'allowed_signers';

export interface EventSignatureLine {
  readonly line: number;
  readonly eventId: string;
  readonly status: EventSignatureStatus;
  readonly principal: string;
  readonly fingerprint?: string;
  readonly reason?: string;
  /** The policy asks for this event to be signed. */
  readonly required: boolean;
}

export interface LedgerSignatureReport {
  readonly allowedSignersFile: string;
  /** False when the file does not exist: no key is trusted, so no signature counts as `signed`. */
  readonly allowedSignersFound: boolean;
  readonly events: readonly EventSignatureLine[];
  readonly problems: readonly { readonly line: number; readonly kind: 'signature'; readonly eventId?: string; readonly message: string }[];
  readonly diagnostics: readonly AllowedSignersDiagnostic[];
}

/** Whether the policy asks for this event to be signed: every event (top level), or a move to a target whose rule says so. */
export function signatureRequired(policy: Policy | undefined, event: LedgerEvent): boolean {
  if (!policy) return false;
  if (policy.signatures === 'required') return true;
  if (event.action !== 'transition' || !event.after) return false;
  const target = (event.after.rollback === true ? 'rollback' : event.after.stage) as PolicyTarget;
  return ruleFor(policy, event.model, target)?.rule.signatures === 'required';
}

async function readAllowedSigners(file: string): Promise<{ found: boolean; signers: readonly AllowedSigner[]; diagnostics: readonly AllowedSignersDiagnostic[] }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return { found: false, signers: [], diagnostics: [] };
  }
  return { found: true, ...parseAllowedSigners(text, file) };
}

/** Checks every event's signature. Reading only. */
export async function checkLedgerSignatures(ledgerFile: string, events: readonly (LedgerEvent & { readonly line: number })[], policy?: Policy): Promise<LedgerSignatureReport> {
  const allowedSignersFile = path.join(path.dirname(ledgerFile), ALLOWED_SIGNERS_FILE);
  const { found, signers, diagnostics } = await readAllowedSigners(allowedSignersFile);
  const lines: EventSignatureLine[] = [];
  const problems: { line: number; kind: 'signature'; eventId?: string; message: string }[] = diagnostics.map((d) => ({ line: 0, kind: 'signature', message: `${d.file}:${d.line}:${d.column}: ${d.message}` }));
  for (const event of events) {
    const check = checkEventSignature(event, signers);
    const required = signatureRequired(policy, event);
    lines.push({ line: event.line, eventId: event.id, required, ...check });
    const message = problemOf(check.status, required, found, check.principal);
    if (message) problems.push({ line: event.line, kind: 'signature', eventId: event.id, message: check.reason ? `${message}: ${check.reason}` : message });
  }
  return { allowedSignersFile, allowedSignersFound: found, events: lines, problems, diagnostics };
}

/**
 * Which statuses are problems: a signature that does not verify always is (the content changed after signing);
 * a key nobody allowed is once there is an allowed_signers file or the policy requires signatures; unsigned only
 * where the policy requires a signature.
 */
function problemOf(status: EventSignatureStatus, required: boolean, allowedSignersFound: boolean, principal: string): string | undefined {
  switch (status) {
    case 'signed':
      return undefined;
    case 'invalid':
      return 'the signature does not verify (the event was changed after it was signed)';
    case 'unknown-key':
      return required || allowedSignersFound ? `signed by a key that is not in ${ALLOWED_SIGNERS_FILE}` : undefined;
    case 'not-allowed':
      return required || allowedSignersFound ? `signed by a key not allowed for ${principal}` : undefined;
    case 'unsigned':
      return required ? 'the policy requires a signature and the event has none' : undefined;
  }
}

/** Counts per status, for one summary line. */
export function signatureSummary(report: LedgerSignatureReport): string {
  const counts = new Map<EventSignatureStatus, number>();
  for (const e of report.events) counts.set(e.status, (counts.get(e.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/** The policy's signature requirements, when a valid policy file exists (an invalid one is reported by `verify --policy`). */
export async function signaturePolicy(policyFile: string): Promise<Policy | undefined> {
  const loaded = await loadPolicy(policyFile);
  return loaded.state === 'ok' ? loaded.policy : undefined;
}

/** Per event, `file:line: status principal key`: printed when the ledger has signatures, an allowed_signers file, or a requirement. */
export function signatureLines(ledgerFile: string, report: LedgerSignatureReport): string[] {
  const relevant = report.allowedSignersFound || report.events.some((e) => e.status !== 'unsigned' || e.required);
  if (!relevant) return [];
  return [
    ...report.events.map((e) => `${ledgerFile}:${e.line}: ${e.status.padEnd(11)} ${e.principal}${e.fingerprint ? ` ${e.fingerprint}` : ''}${e.required ? ' (required)' : ''}`),
    `signatures: ${signatureSummary(report)} (trusted keys: ${report.allowedSignersFound ? report.allowedSignersFile : 'none, no allowed_signers file'})`,
  ];
}
