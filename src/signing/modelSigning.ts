// OpenSSF Model Signing (sigstore/model-transparency, `model_signing` v1.x): a Sigstore bundle whose DSSE envelope
// carries an in-toto Statement with predicate https://model_signing/signature/v1.0 listing every file's digest.
// Verified as `model_signing verify key|certificate` does: the envelope's signature, the manifest's root digest,
// then the folder re-hashed with the signed serialization (files or shards, its ignore paths, git paths ignored).
import { createHash, createPublicKey, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { escapesFolder, hashFile, isUnder, walkFolder } from './folderWalk';
import { verifyCertificateChain } from './x509Chain';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const MODEL_SIGNING_PREDICATE = 'https://model_signing/signature/v1.0';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const IN_TOTO_STATEMENT = 'https://in-toto.io/Statement/v1';
/** Paths model_signing leaves out by default (its `ignore_git_paths`). */
export const GIT_PATHS = ['.git', '.gitattributes', '.github', '.gitignore'];
const MAX_SIGNATURE_BYTES = 16 * 1024 * 1024;
/** model_signing's hash_type names → Node's (BLAKE3 is not in Node: reported unsupported). */
const HASHES: Readonly<Record<string, string>> = { sha256: 'sha256', blake2: 'blake2b512' };

export type ModelTrust = { readonly kind: 'key'; readonly key: KeyObject } | { readonly kind: 'certificates'; readonly anchors: readonly X509Certificate[] };

/** valid: signed by the trusted key and the files match; keyless: a Sigstore (Fulcio/Rekor) bundle, not checkable offline. */
export type ModelStatus = 'valid' | 'invalid' | 'keyless' | 'unverifiable';

export interface FileDifferences {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export interface ModelVerification {
  readonly status: ModelStatus;
  readonly reasons: readonly string[];
  readonly modelPath: string;
  readonly signaturePath: string;
  /** Who signed: the key's SHA-256 hint or the certificate path, when the signature checked out. */
  readonly signer?: string;
  /** The in-toto subject's SHA-256 (a digest over every file's digest). */
  readonly manifestDigest?: string;
  readonly signedFiles?: number;
  readonly differences?: FileDifferences;
  readonly symlinks?: readonly string[];
}

export interface ModelVerifyOptions {
  readonly modelPath: string;
  /** Default: `model.sig` inside the model folder, or beside a single-file model. */
  readonly signaturePath?: string;
  readonly trust: ModelTrust;
  /** Extra paths to leave out, relative to the model folder (model_signing's --ignore-paths). */
  readonly ignorePaths?: readonly string[];
  readonly ignoreGitPaths?: boolean;
}

interface Resource {
  readonly name: string;
  readonly algorithm: string;
  readonly digest: string;
}

interface Serialization {
  readonly method: 'files' | 'shards';
  readonly hashType: string;
  readonly shardSize?: number;
  readonly ignorePaths: readonly string[];
}

interface SignedManifest {
  readonly subjectDigest: string;
  readonly serialization: Serialization;
  readonly resources: readonly Resource[];
}

class Refusal extends Error {
  constructor(
    readonly status: ModelStatus,
    message: string,
  ) {
    super(message);
  }
}

export async function defaultSignaturePath(modelPath: string): Promise<string> {
  const isDir = await fs.stat(modelPath).then((s) => s.isDirectory(), () => true);
  return isDir ? path.join(modelPath, 'model.sig') : path.join(path.dirname(modelPath), 'model.sig');
}

/** Verifies a model folder (or file) against its signature. Never throws for bad input: the reasons say what failed. */
export async function verifyModel(options: ModelVerifyOptions): Promise<ModelVerification> {
  const modelPath = path.resolve(options.modelPath);
  const signaturePath = path.resolve(options.signaturePath ?? (await defaultSignaturePath(modelPath)));
  const base = { modelPath, signaturePath };
  try {
    const bundle = await readBundle(signaturePath);
    const keyless = keylessReason(bundle);
    const { payload, signer } = keyless ? { payload: envelopeOf(bundle).payload, signer: undefined } : checkEnvelope(bundle, options.trust);
    const manifest = parseStatement(payload);
    const files = await compareFiles(modelPath, signaturePath, manifest, options);
    const reasons = [...(keyless ? [keyless] : []), ...files.reasons];
    const status: ModelStatus = keyless ? 'keyless' : reasons.length === 0 ? 'valid' : 'invalid';
    return { ...base, status, reasons, manifestDigest: manifest.subjectDigest, signedFiles: manifest.resources.length, differences: files.differences, symlinks: files.symlinks, ...(signer ? { signer } : {}) };
  } catch (error) {
    if (error instanceof Refusal) return { ...base, status: error.status, reasons: [error.message] };
    return { ...base, status: 'unverifiable', reasons: [error instanceof Error ? error.message : String(error)] };
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

async function readBundle(signaturePath: string): Promise<Json> {
  let stat;
  try {
    stat = await fs.stat(signaturePath);
  } catch {
    throw new Refusal('unverifiable', `${signaturePath}: no signature file`);
  }
  if (stat.size > MAX_SIGNATURE_BYTES) throw new Refusal('invalid', `${signaturePath}: ${stat.size} bytes is too large for a signature bundle`);
  let bundle: unknown;
  try {
    bundle = JSON.parse(await fs.readFile(signaturePath, 'utf8'));
  } catch (error) {
    throw new Refusal('invalid', `${signaturePath}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(bundle)) throw new Refusal('invalid', `${signaturePath}: not a Sigstore bundle (not an object)`);
  if (bundle.mediaType !== BUNDLE_MEDIA_TYPE) throw new Refusal('invalid', `${signaturePath}: unknown bundle media type ${JSON.stringify(bundle.mediaType)} (expected ${BUNDLE_MEDIA_TYPE})`);
  return bundle;
}

/** Sigstore keyless bundles carry a Fulcio certificate and transparency-log entries; checking them needs Sigstore's trust root. */
function keylessReason(bundle: Json): string | undefined {
  const material = isObject(bundle.verificationMaterial) ? bundle.verificationMaterial : {};
  if (material.certificate === undefined) return undefined;
  return 'keyless Sigstore signature (Fulcio certificate, Rekor log entry): not verifiable offline without Sigstore\'s trust root';
}

function envelopeOf(bundle: Json): { payload: Buffer; payloadType: string; signature: Buffer } {
  const envelope = bundle.dsseEnvelope;
  if (!isObject(envelope)) throw new Refusal('invalid', 'bundle has no DSSE envelope (dsseEnvelope)');
  const signatures = Array.isArray(envelope.signatures) ? envelope.signatures : [];
  const first: unknown = signatures[0];
  if (typeof envelope.payload !== 'string' || typeof envelope.payloadType !== 'string' || !isObject(first) || typeof first.sig !== 'string') {
    throw new Refusal('invalid', 'DSSE envelope lacks payload, payloadType or a signature');
  }
  if (signatures.length !== 1) throw new Refusal('invalid', `DSSE envelope has ${signatures.length} signatures (model_signing writes one)`);
  return { payload: Buffer.from(envelope.payload, 'base64'), payloadType: envelope.payloadType, signature: Buffer.from(first.sig, 'base64') };
}

/** DSSE's pre-authentication encoding: what the key signed. */
export function dssePae(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `), payload]);
}

const EC_HASH: Readonly<Record<string, string>> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

function checkEnvelope(bundle: Json, trust: ModelTrust): { payload: Buffer; signer: string } {
  const envelope = envelopeOf(bundle);
  const { key, signer } = trust.kind === 'key' ? trustedKey(bundle, trust.key) : chainKey(bundle, trust.anchors);
  const hash = key.asymmetricKeyType === 'ec' ? EC_HASH[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined;
  if (!hash) throw new Refusal('unverifiable', `key type ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''} is not one model_signing signs with (EC P-256, P-384, P-521)`);
  let good = false;
  try {
    good = cryptoVerify(hash, dssePae(IN_TOTO_PAYLOAD_TYPE, envelope.payload), key, envelope.signature);
  } catch {
    good = false;
  }
  if (!good) throw new Refusal('invalid', 'the DSSE signature does not verify with the trusted key');
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) throw new Refusal('invalid', `DSSE payload type ${JSON.stringify(envelope.payloadType)} is not ${IN_TOTO_PAYLOAD_TYPE}`);
  return { payload: envelope.payload, signer };
}

/** The hint model_signing ≥ 1.1 records: SHA-256 of the key's SubjectPublicKeyInfo PEM. */
export function publicKeyHint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'pem' })).digest('hex');
}

function trustedKey(bundle: Json, key: KeyObject): { key: KeyObject; signer: string } {
  const material = isObject(bundle.verificationMaterial) ? bundle.verificationMaterial : {};
  const hint = isObject(material.publicKey) ? material.publicKey.hint : undefined;
  const ours = publicKeyHint(key);
  if (typeof hint === 'string' && hint !== '' && hint !== ours) throw new Refusal('invalid', `signed by another key (hint ${hint}, trusted key ${ours})`);
  return { key, signer: `key sha256:${ours}` };
}

function chainKey(bundle: Json, anchors: readonly X509Certificate[]): { key: KeyObject; signer: string } {
  const material = isObject(bundle.verificationMaterial) ? bundle.verificationMaterial : {};
  const chain = isObject(material.x509CertificateChain) && Array.isArray(material.x509CertificateChain.certificates) ? material.x509CertificateChain.certificates : [];
  if (chain.length === 0) throw new Refusal('invalid', 'bundle has no certificate chain (x509CertificateChain) to check against the trusted certificates');
  let certificates: X509Certificate[];
  try {
    certificates = chain.map((c: unknown) => new X509Certificate(Buffer.from(isObject(c) && typeof c.rawBytes === 'string' ? c.rawBytes : '', 'base64')));
  } catch {
    throw new Refusal('invalid', 'a certificate in the bundle is not DER');
  }
  const result = verifyCertificateChain(certificates[0]!, certificates.slice(1), anchors);
  if (!result.ok) throw new Refusal('invalid', `certificate chain: ${result.reason}`);
  return { key: createPublicKey(result.publicKey.export({ type: 'spki', format: 'pem' })), signer: `certificate ${result.path.join(' ← ')}` };
}

/** The in-toto statement → the signed manifest; the subject's digest must be the digest over the listed resources. */
function parseStatement(payload: Buffer): SignedManifest {
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Refusal('invalid', 'DSSE payload is not JSON');
  }
  if (!isObject(statement) || statement._type !== IN_TOTO_STATEMENT) throw new Refusal('invalid', `payload is not an in-toto Statement v1`);
  if (statement.predicateType !== MODEL_SIGNING_PREDICATE) throw new Refusal('invalid', `unknown predicate type ${JSON.stringify(statement.predicateType)} (expected ${MODEL_SIGNING_PREDICATE})`);
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const subject: unknown = subjects[0];
  const subjectDigest = isObject(subject) && isObject(subject.digest) ? subject.digest.sha256 : undefined;
  if (subjects.length !== 1 || typeof subjectDigest !== 'string') throw new Refusal('invalid', 'statement must have exactly one subject with a sha256 digest');
  const predicate = isObject(statement.predicate) ? statement.predicate : {};
  const serialization = parseSerialization(predicate.serialization);
  const resources = parseResources(predicate.resources, serialization);
  const root = createHash('sha256');
  for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
  if (root.digest('hex') !== subjectDigest) throw new Refusal('invalid', `manifest is inconsistent: the subject digest ${subjectDigest} is not the digest of the listed files`);
  return { subjectDigest, serialization, resources };
}

function parseSerialization(value: unknown): Serialization {
  if (!isObject(value)) throw new Refusal('invalid', 'predicate has no serialization');
  const { method, hash_type: hashType, shard_size: shardSize, ignore_paths: ignorePaths } = value;
  if (method !== 'files' && method !== 'shards') throw new Refusal('unverifiable', `serialization method ${JSON.stringify(method)} is not supported (files, shards)`);
  if (typeof hashType !== 'string' || !HASHES[hashType]) throw new Refusal('unverifiable', `hash type ${JSON.stringify(hashType)} is not supported (${Object.keys(HASHES).join(', ')})`);
  if (method === 'shards' && (typeof shardSize !== 'number' || !Number.isSafeInteger(shardSize) || shardSize <= 0)) throw new Refusal('invalid', 'shard serialization without a positive shard_size');
  const ignored = Array.isArray(ignorePaths) ? ignorePaths.filter((p): p is string => typeof p === 'string') : [];
  return { method, hashType, ignorePaths: ignored, ...(method === 'shards' ? { shardSize: shardSize as number } : {}) };
}

function parseResources(value: unknown, serialization: Serialization): Resource[] {
  if (!Array.isArray(value)) throw new Refusal('invalid', 'predicate has no resources list');
  return value.map((r: unknown, index) => {
    if (!isObject(r) || typeof r.name !== 'string' || typeof r.digest !== 'string' || typeof r.algorithm !== 'string' || !/^([0-9a-f]{2})+$/.test(r.digest)) {
      throw new Refusal('invalid', `resource ${index} lacks a name, algorithm or hex digest`);
    }
    const file = serialization.method === 'shards' ? r.name.replace(/:\d+:\d+$/, '') : r.name;
    if (escapesFolder(file)) throw new Refusal('invalid', `resource ${JSON.stringify(r.name)} is a path outside the model folder`);
    if (r.algorithm !== serialization.hashType) throw new Refusal('invalid', `resource ${JSON.stringify(r.name)} uses ${r.algorithm}, the serialization ${serialization.hashType}`);
    return { name: r.name, algorithm: r.algorithm, digest: r.digest };
  });
}

interface FileComparison {
  readonly reasons: string[];
  readonly differences: FileDifferences;
  readonly symlinks: readonly string[];
}

/** Re-hashes the model as model_signing serializes it and compares with the signed manifest. */
async function compareFiles(modelPath: string, signaturePath: string, manifest: SignedManifest, options: ModelVerifyOptions): Promise<FileComparison> {
  const actual = await hashModel(modelPath, signaturePath, manifest.serialization, options);
  const expected = new Map(manifest.resources.map((r) => [r.name, r.digest]));
  const added = [...actual.digests.keys()].filter((name) => !expected.has(name)).sort();
  const removed = [...expected.keys()].filter((name) => !actual.digests.has(name)).sort();
  const changed = [...expected.keys()].filter((name) => actual.digests.has(name) && actual.digests.get(name) !== expected.get(name)).sort();
  const reasons: string[] = [];
  if (added.length) reasons.push(`files not in the signature: ${added.join(', ')}`);
  if (removed.length) reasons.push(`signed files missing: ${removed.join(', ')}`);
  if (changed.length) reasons.push(`files changed since signing: ${changed.join(', ')}`);
  if (actual.symlinks.length) reasons.push(`symlinks in the model folder (not followed, not allowed by the signature): ${actual.symlinks.join(', ')}`);
  if (actual.others.length) reasons.push(`entries that are neither files nor folders: ${actual.others.join(', ')}`);
  return { reasons, differences: { added, removed, changed }, symlinks: actual.symlinks };
}

async function hashModel(modelPath: string, signaturePath: string, serialization: Serialization, options: ModelVerifyOptions) {
  const algorithm = HASHES[serialization.hashType]!;
  const stat = await fs.lstat(modelPath).catch(() => undefined);
  if (!stat) throw new Refusal('invalid', `${modelPath}: no such model file or folder`);
  if (stat.isSymbolicLink()) return { digests: new Map<string, string>(), symlinks: ['.'], others: [] };
  const files = stat.isFile() ? [{ path: '.', size: stat.size, file: modelPath }] : await modelFiles(modelPath, signaturePath, serialization, options);
  if (!Array.isArray(files)) return { digests: new Map<string, string>(), symlinks: files.symlinks, others: files.others };
  const digests = new Map<string, string>();
  for (const file of files) {
    if (serialization.method === 'files') {
      digests.set(file.path, await hashFile(file.file, algorithm));
      continue;
    }
    for (const [start, end] of shardRanges(file.size, serialization.shardSize!)) {
      digests.set(`${file.path}:${start}:${end}`, await hashFile(file.file, algorithm, { start, end }));
    }
  }
  return { digests, symlinks: [] as string[], others: [] as string[] };
}

/** model_signing's shard endpoints: every shard_size bytes, the last one at the file's end (an empty file has one empty shard). */
export function shardRanges(size: number, shardSize: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (let end = shardSize; end < size; end += shardSize) {
    ranges.push([start, end]);
    start = end;
  }
  ranges.push([start, size]);
  return ranges;
}

async function modelFiles(modelPath: string, signaturePath: string, serialization: Serialization, options: ModelVerifyOptions) {
  const relativeSignature = path.relative(modelPath, signaturePath).split(path.sep).join('/');
  const ignored = [...serialization.ignorePaths, ...(options.ignorePaths ?? []), ...(options.ignoreGitPaths === false ? [] : GIT_PATHS), relativeSignature]
    .map((p) => path.posix.normalize(p.split(path.sep).join('/')))
    .filter((p) => !escapesFolder(p));
  const walk = await walkFolder(modelPath, (relative) => ignored.some((prefix) => isUnder(relative, prefix)));
  if (walk.symlinks.length || walk.others.length) return { symlinks: walk.symlinks, others: walk.others };
  return walk.files.map((f) => ({ ...f, file: path.join(modelPath, ...f.path.split('/')) }));
}
