// ssh-keygen at test time: keys made fresh in a temp folder, signatures made and checked by OpenSSH itself,
// so every verdict of ours is compared with an independent implementation.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const HAS_SSH_KEYGEN = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' }).error === undefined;

/** Makes a key pair with no passphrase; returns the private key's path (the public key is `<path>.pub`). */
export function makeKey(dir: string, name: string, type: string, bits?: number): string {
  const file = path.join(dir, name);
  const args = ['-q', '-t', type, '-N', '', '-C', `${name}@example.com`, '-f', file, ...(bits ? ['-b', String(bits)] : [])];
  const result = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: ${result.stderr}`);
  return file;
}

export function publicKeyText(privateKey: string): string {
  return readFileSync(`${privateKey}.pub`, 'utf8').trim();
}

/** `ssh-keygen -Y sign` over `message`; returns the armored signature. */
export function sshSign(privateKey: string, namespace: string, message: Uint8Array): string {
  const result = spawnSync('ssh-keygen', ['-q', '-Y', 'sign', '-f', privateKey, '-n', namespace], { input: message, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen -Y sign: ${result.stderr}`);
  return result.stdout;
}

/** OpenSSH's own verdict: exit status 0 of `ssh-keygen -Y verify`. */
export function sshKeygenVerifies(allowedSigners: string, principal: string, namespace: string, signatureFile: string, message: Uint8Array): boolean {
  const args = ['-Y', 'verify', '-f', allowedSigners, '-I', principal, '-n', namespace, '-s', signatureFile];
  return spawnSync('ssh-keygen', args, { input: message, encoding: 'utf8' }).status === 0;
}
