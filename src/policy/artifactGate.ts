// The `artifacts` gate: `artifacts: verified` (the version's folder still matches the manifest recorded when it was
// registered) and `artifacts: signed-by KEYFILE` (its OpenSSF Model Signing signature, model.sig, verifies with that
// key). Hashing is asynchronous, gates are not: the evidence is gathered first (artifactEvidence) and the gate reads it.
import { createPublicKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readLedger } from '../registry/ledgerFile';
import { artifactFolder, checkArtifacts, describeArtifactCheck } from '../signing/artifactManifest';
import { verifyModel } from '../signing/modelSigning';
import type { GateContext, GateResult } from './gates';
import type { Policy } from './policyFile';

export type ArtifactsRequirement = { readonly requirement: 'verified' } | { readonly requirement: 'signed-by'; readonly keyFile: string };

/** `verified` or `signed-by KEYFILE`; undefined when the text is neither. */
export function parseArtifactsRequirement(text: string): ArtifactsRequirement | undefined {
  const trimmed = text.trim();
  if (trimmed === 'verified') return { requirement: 'verified' };
  const signed = /^signed-by\s+(\S.*)$/.exec(trimmed);
  return signed ? { requirement: 'signed-by', keyFile: signed[1]!.trim() } : undefined;
}

export interface ArtifactEvidence {
  /** The manifest check: ok, or why not. */
  readonly verified: { readonly ok: boolean; readonly reason: string };
  /** By key file as written in the policy: the model signature's result. */
  readonly signedBy: Readonly<Record<string, { readonly ok: boolean; readonly reason: string }>>;
}

type Outcome = Pick<GateResult, 'status' | 'reason'>;

export function evaluateArtifactsGate(requirement: ArtifactsRequirement, context: GateContext & { readonly artifacts?: ArtifactEvidence }): Outcome {
  const evidence = context.artifacts;
  if (!evidence) return { status: 'not-evaluable', reason: 'the artifacts were not checked for this move (model-ledger verify-artifacts)' };
  const result = requirement.requirement === 'verified' ? evidence.verified : evidence.signedBy[requirement.keyFile];
  if (!result) return { status: 'not-evaluable', reason: `the model signature was not checked with ${requirement.requirement === 'signed-by' ? requirement.keyFile : ''}` };
  return { status: result.ok ? 'pass' : 'fail', reason: result.reason };
}

function hasArtifactsGates(policy: Policy): boolean {
  return [...policy.models.values()].some((rules) => Object.values(rules).some((rule) => rule?.gates.some((g) => g.kind === 'artifacts')));
}

/** Every `signed-by` key file named anywhere in the policy. */
function signedByKeys(policy: Policy): string[] {
  const keys = new Set<string>();
  for (const rules of policy.models.values()) {
    for (const rule of Object.values(rules)) {
      for (const gate of rule?.gates ?? []) {
        const requirement = (gate as { requirement?: string; keyFile?: string }).requirement === 'signed-by' ? (gate as { keyFile?: string }).keyFile : undefined;
        if (requirement) keys.add(requirement);
      }
    }
  }
  return [...keys];
}

async function modelSignedBy(folder: string, keyFile: string, policyDir: string): Promise<{ ok: boolean; reason: string }> {
  let key;
  try {
    key = createPublicKey(await fs.readFile(path.resolve(policyDir, keyFile), 'utf8'));
  } catch {
    return { ok: false, reason: `cannot read the public key ${keyFile}` };
  }
  const result = await verifyModel({ modelPath: folder, trust: { kind: 'key', key } });
  return { ok: result.status === 'valid', reason: result.status === 'valid' ? `model.sig verifies with ${keyFile}` : `model signature ${result.status}: ${result.reasons.join('; ')}` };
}

/**
 * Gathers the evidence for one version: its folder re-hashed against the recorded manifest, and its model.sig checked
 * with each `signed-by` key of the policy (key files relative to the policy's folder). Reading only.
 */
export async function artifactEvidence(ledgerFile: string, policy: Policy, model: string, version: number): Promise<ArtifactEvidence | undefined> {
  if (!hasArtifactsGates(policy)) return undefined; // nothing to hash for
  const read = await readLedger(ledgerFile);
  const registered = read.events.find((e) => e.action === 'register' && e.model === model && e.version === version);
  const source = registered?.after && typeof registered.after.source === 'string' ? registered.after.source : undefined;
  if (!registered || !source) return undefined;
  const folder = artifactFolder(ledgerFile, source);
  const check = await checkArtifacts(registered.after?.artifacts, folder);
  const signedBy: Record<string, { ok: boolean; reason: string }> = {};
  for (const keyFile of signedByKeys(policy)) signedBy[keyFile] = await modelSignedBy(folder, keyFile, path.dirname(policy.file));
  return { verified: { ok: check.ok, reason: describeArtifactCheck(check).join('; ') }, signedBy };
}
