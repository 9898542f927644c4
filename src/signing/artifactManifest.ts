// A version's artifact manifest: every file of its artifact folder with its SHA-256 and size, and one digest over
// the list. Recorded in the register event (so the hash chain and, when signed, the signature cover it) and
// re-checked later: the files deployed are the files that were registered.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readLedger } from '../registry/ledgerFile';
import { escapesFolder, hashFile, isUnder, walkFolder } from './folderWalk';

export const ARTIFACT_MANIFEST_VERSION = 1;
/** A folder with more files than this is not hashed at registration (a whole mlruns tree, say): the event says so. */
export const MAX_MANIFEST_FILES = 20_000;
/** Never part of an artifact: version control and our own ledger folder. */
const SKIPPED = ['.git', '.model-ledger'];

export interface ManifestEntry {
  /** Relative to the artifact folder, `/`-separated. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ArtifactManifest {
  readonly v: number;
  readonly files: readonly ManifestEntry[];
  /** SHA-256 over the lines `<sha256> <size> <path>\n` in path order: one value names the whole folder. */
  readonly digest: string;
  /** Symlinks found (not followed, not hashed). */
  readonly symlinks?: readonly string[];
}

export function manifestDigest(files: readonly ManifestEntry[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.sha256} ${f.size} ${f.path}\n`);
  return hash.digest('hex');
}

/** Hashes every file under `dir`; undefined when `dir` is not a local folder (a URI, a missing path). */
export async function buildArtifactManifest(dir: string): Promise<ArtifactManifest | { readonly skipped: string } | undefined> {
  const isDir = await fs.stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) return undefined;
  const walk = await walkFolder(dir, (relative) => SKIPPED.some((p) => isUnder(relative, p)));
  if (walk.files.length > MAX_MANIFEST_FILES) return { skipped: `${walk.files.length} files, more than ${MAX_MANIFEST_FILES}: not hashed` };
  const files: ManifestEntry[] = [];
  for (const f of walk.files) files.push({ path: f.path, size: f.size, sha256: await hashFile(path.join(dir, ...f.path.split('/'))) });
  return { v: ARTIFACT_MANIFEST_VERSION, files, digest: manifestDigest(files), ...(walk.symlinks.length ? { symlinks: walk.symlinks } : {}) };
}

/** Reads a manifest recorded in an event; a reason when it is not one (a tampered or foreign shape, a path leaving the folder). */
export function readRecordedManifest(value: unknown): { manifest: ArtifactManifest } | { problem: string } {
  if (typeof value !== 'object' || value === null) return { problem: 'no artifact manifest was recorded for this version' };
  const record = value as Record<string, unknown>;
  if (typeof record.skipped === 'string') return { problem: `no manifest was recorded: ${record.skipped}` };
  if (!Array.isArray(record.files) || typeof record.digest !== 'string') return { problem: 'the recorded manifest has no files list or digest' };
  const files: ManifestEntry[] = [];
  for (const entry of record.files as unknown[]) {
    const e = entry as Record<string, unknown>;
    if (typeof e?.path !== 'string' || typeof e.size !== 'number' || typeof e.sha256 !== 'string') return { problem: 'a manifest entry lacks path, size or sha256' };
    if (escapesFolder(e.path)) return { problem: `the manifest lists ${JSON.stringify(e.path)}, a path outside the artifact folder` };
    files.push({ path: e.path, size: e.size, sha256: e.sha256 });
  }
  if (manifestDigest(files) !== record.digest) return { problem: 'the recorded manifest does not match its own digest' };
  const symlinks = Array.isArray(record.symlinks) ? record.symlinks.filter((s): s is string => typeof s === 'string') : [];
  return { manifest: { v: Number(record.v) || ARTIFACT_MANIFEST_VERSION, files, digest: record.digest, ...(symlinks.length ? { symlinks } : {}) } };
}

export interface ArtifactCheck {
  readonly ok: boolean;
  readonly folder: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly symlinks: readonly string[];
  /** Set when nothing could be compared (no manifest, no folder). */
  readonly problem?: string;
  readonly recordedDigest?: string;
  readonly currentDigest?: string;
}

/** Re-hashes `dir` and compares it with the recorded manifest. */
export async function checkArtifacts(recorded: unknown, dir: string): Promise<ArtifactCheck> {
  const empty = { folder: dir, added: [], removed: [], changed: [], symlinks: [] };
  const read = readRecordedManifest(recorded);
  if ('problem' in read) return { ok: false, ...empty, problem: read.problem };
  const current = await buildArtifactManifest(dir);
  if (!current) return { ok: false, ...empty, problem: `${dir} is not a folder`, recordedDigest: read.manifest.digest };
  if ('skipped' in current) return { ok: false, ...empty, problem: current.skipped, recordedDigest: read.manifest.digest };
  const before = new Map(read.manifest.files.map((f) => [f.path, f]));
  const after = new Map(current.files.map((f) => [f.path, f]));
  const added = [...after.keys()].filter((p) => !before.has(p));
  const removed = [...before.keys()].filter((p) => !after.has(p));
  const changed = [...before.keys()].filter((p) => after.has(p) && (after.get(p)!.sha256 !== before.get(p)!.sha256 || after.get(p)!.size !== before.get(p)!.size));
  const symlinks = [...(current.symlinks ?? [])];
  const ok = added.length + removed.length + changed.length === 0 && symlinks.join('\0') === (read.manifest.symlinks ?? []).join('\0');
  return { ok, folder: dir, added, removed, changed, symlinks, recordedDigest: read.manifest.digest, currentDigest: current.digest };
}

/** One line per difference, for the CLI and the Models view. */
export function describeArtifactCheck(check: ArtifactCheck): string[] {
  if (check.problem) return [check.problem];
  if (check.ok) return [`all files match the manifest (sha256:${check.recordedDigest})`];
  return [
    ...check.added.map((p) => `added: ${p}`),
    ...check.removed.map((p) => `removed: ${p}`),
    ...check.changed.map((p) => `changed: ${p}`),
    ...check.symlinks.map((p) => `symlink (not followed): ${p}`),
  ];
}

/** The folder a version's `source` names, relative to the workspace folder (the ledger's grandparent). */
export function artifactFolder(ledgerFile: string, source: string): string {
  return path.resolve(path.dirname(path.dirname(ledgerFile)), source);
}

/** The manifest to record at registration, or nothing when the source is not a local folder. */
export async function manifestForSource(ledgerFile: string, source: string | undefined): Promise<{ artifacts?: ArtifactManifest | { readonly skipped: string } }> {
  if (!source || /^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return {};
  const artifacts = await buildArtifactManifest(artifactFolder(ledgerFile, source));
  return artifacts ? { artifacts } : {};
}

/** The register event's manifest of a version, re-checked against its folder (or DIR). Reading only: nothing is written. */
export async function verifyVersionArtifacts(ledgerFile: string, model: string, version: number, dir?: string): Promise<ArtifactCheck | undefined> {
  const read = await readLedger(ledgerFile);
  const registered = read.events.find((e) => e.action === 'register' && e.model === model && e.version === version);
  if (!registered) return undefined;
  const after = registered.after ?? {};
  const source = typeof after.source === 'string' ? after.source : undefined;
  const folder = dir ?? (source ? artifactFolder(ledgerFile, source) : undefined);
  if (!folder) return { ok: false, folder: '', added: [], removed: [], changed: [], symlinks: [], problem: 'the version has no artifact folder: give DIR' };
  return checkArtifacts(after.artifacts, folder);
}
