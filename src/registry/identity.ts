import { execFile } from 'node:child_process';
import os from 'node:os';
import type { Actor } from './events';

function gitConfig(cwd: string, key: string, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['config', '--get', key], { cwd, timeout: 3000, windowsHide: true, ...(env ? { env: { ...process.env, ...env } } : {}) }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim() || undefined);
    });
  });
}

/**
 * Who is acting: git's user.name/user.email for the folder (what a commit would record), else the
 * OS user. On one machine this is advisory; the ledger's hashes make later edits visible, and CI
 * (`model-ledger verify`) is where policy is enforced.
 */
export async function currentActor(cwd: string, env?: NodeJS.ProcessEnv): Promise<Actor> {
  const [name, email] = await Promise.all([gitConfig(cwd, 'user.name', env), gitConfig(cwd, 'user.email', env)]);
  if (name) return email ? { name, email } : { name };
  let user = 'unknown';
  try {
    user = os.userInfo().username || user;
  } catch {
    // no user database entry (some containers): keep "unknown"
  }
  return email ? { name: user, email } : { name: user };
}
