// Signing subcommands: verify-model (OpenSSF Model Signing bundles) for CI.
import { createPublicKey, type X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { toJson } from '../shared/json';
import { describeArtifactCheck, verifyVersionArtifacts } from '../signing/artifactManifest';
import { verifyModel, type ModelTrust, type ModelVerification } from '../signing/modelSigning';
import { parsePemCertificates } from '../signing/x509Chain';
import { CliError, EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from './cliError';
import type { CliCommand, CliContext } from './context';
import { ledgerPath } from './registryCommands';

/** A repeatable option's values (parseArgs gives an array for `multiple` options). */
export function optionList(context: CliContext, name: string): string[] {
  const value = context.values[name];
  if (value === undefined || typeof value === 'boolean') return [];
  return typeof value === 'string' ? [value] : [...value];
}

async function readUsageFile(context: CliContext, file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(path.resolve(context.cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, EXIT_USAGE);
  }
}

async function trustFrom(context: CliContext): Promise<ModelTrust> {
  const key = typeof context.values.key === 'string' ? context.values.key : undefined;
  const chain = optionList(context, 'cert-chain');
  if ((key === undefined) === (chain.length === 0)) throw new CliError('give either --key PUB.pem or --cert-chain CERT.pem (repeatable)', EXIT_USAGE);
  if (key !== undefined) {
    try {
      return { kind: 'key', key: createPublicKey(await readUsageFile(context, key, 'public key')) };
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`${key} is not a PEM public key`, EXIT_USAGE);
    }
  }
  const anchors: X509Certificate[] = [];
  for (const file of chain) {
    const found = parsePemCertificates(await readUsageFile(context, file, 'certificate file'));
    if (found.length === 0) throw new CliError(`${file} holds no PEM certificate`, EXIT_USAGE);
    anchors.push(...found);
  }
  return { kind: 'certificates', anchors };
}

/** model_signing's --ignore-paths are relative to the working folder; paths inside the model become model-relative. */
function ignorePathsFor(context: CliContext, modelPath: string): string[] {
  return optionList(context, 'ignore-paths').map((p) => {
    const relative = path.relative(modelPath, path.resolve(context.cwd, p));
    return relative.startsWith('..') || path.isAbsolute(relative) ? p : relative;
  });
}

function describe(result: ModelVerification): string {
  const head = `${result.status}: ${result.modelPath}${result.signer ? ` (${result.signer})` : ''}`;
  const files = result.signedFiles !== undefined ? `\n  ${result.signedFiles} signed files, manifest sha256:${result.manifestDigest}` : '';
  return head + files + result.reasons.map((r) => `\n  ${r}`).join('') + '\n';
}

export const VERIFY_MODEL_COMMAND: CliCommand = {
  name: 'verify-model',
  summary: 'verify a model folder against its OpenSSF Model Signing signature (model.sig): exit 0 valid, 1 invalid or unverifiable',
  usage: 'model-ledger verify-model DIR (--key PUB.pem | --cert-chain CERT.pem…) [--signature FILE] [--ignore-paths PATH…] [--json]',
  options: {
    key: { type: 'string', description: 'the signer\'s public key (PEM, EC P-256/P-384/P-521)' },
    'cert-chain': { type: 'string', multiple: true, description: 'trusted certificates (PEM), repeat for each file' },
    signature: { type: 'string', description: 'the signature bundle (default: DIR/model.sig)' },
    'ignore-paths': { type: 'string', multiple: true, description: 'paths to leave out of the model, repeat for each' },
  },
  async run(context) {
    if (context.positionals.length !== 1) throw new CliError('give exactly one model folder (or file); repeat --cert-chain / --ignore-paths for several values', EXIT_USAGE);
    const modelPath = path.resolve(context.cwd, context.positionals[0]!);
    const trust = await trustFrom(context);
    const signature = typeof context.values.signature === 'string' ? path.resolve(context.cwd, context.values.signature) : undefined;
    const result = await verifyModel({ modelPath, trust, ignorePaths: ignorePathsFor(context, modelPath), ...(signature ? { signaturePath: signature } : {}) });
    context.stdout(context.values.json ? toJson(result) + '\n' : describe(result));
    return result.status === 'valid' ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};

export const VERIFY_ARTIFACTS_COMMAND: CliCommand = {
  name: 'verify-artifacts',
  summary: "re-hash a version's artifact folder and compare it with the manifest recorded when it was registered: exit 0 same, 1 different",
  usage: 'model-ledger verify-artifacts NAME VERSION [DIR] [--ledger PATH] [--json]',
  options: { ledger: { type: 'string', description: 'ledger file (default: .model-ledger/ledger.jsonl in the current folder)' } },
  async run(context) {
    const [model, versionText, dir] = context.positionals;
    const version = Number(versionText);
    if (!model || !Number.isInteger(version) || version < 1 || context.positionals.length > 3) throw new CliError('give NAME VERSION [DIR]', EXIT_USAGE);
    const check = await verifyVersionArtifacts(ledgerPath(context), model, version, dir ? path.resolve(context.cwd, dir) : undefined);
    if (!check) throw new CliError(`no registered version ${model} v${version} in the ledger`, EXIT_USAGE);
    context.stdout(context.values.json ? toJson(check) + '\n' : `${model} v${version}: ${check.folder}\n${describeArtifactCheck(check).map((l) => `  ${l}\n`).join('')}`);
    return check.ok ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};

export const SIGNING_COMMANDS: readonly CliCommand[] = [VERIFY_MODEL_COMMAND, VERIFY_ARTIFACTS_COMMAND];
