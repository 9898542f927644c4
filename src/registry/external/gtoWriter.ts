import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { errorMessage } from './common';

const execFileAsync = promisify(execFile);

// GTO's grammar (gto/constants.py). In `[a-zA-Z0-9-_./]` Python reads the '-' after the range 0-9 as a
// literal, so the dirname class is exactly these characters; ':' separates dirname and name in an
// artifact's name and is written '=' in tag names.
const NAME = '[a-zA-Z0-9](?:[a-zA-Z0-9\\-/_]*[a-zA-Z0-9])?';
const DIRNAME = '[a-zA-Z0-9\\-_./]+';
const SEMVER_CORE =
  '(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?';
const SEMVER_NO_GROUPS = SEMVER_CORE.replace(/\((?!\?)/g, '(?:');
const NAME_RE = new RegExp(`^${NAME}$`);
const FULLNAME_RE = new RegExp(`^(?:${DIRNAME}:)?${NAME}$`);
const VERSION_RE = new RegExp(`^v?${SEMVER_CORE}$`);
const TAG_RE = new RegExp(
  `^(?<artifact>(?:${DIRNAME}=)?${NAME})(?:(?:#(?<stage>${NAME})|@(?<version>v${SEMVER_NO_GROUPS}))(?<cancel>!?)|@(?:(?<deprecated>deprecated)|(?<created>created)))(?:#(?<counter>[0-9]+))?$`,
);

/** Who performs the action; recorded as the tagger. Without an e-mail the tag says `<>`. */
export interface GtoActor {
  name: string;
  email?: string;
}

export interface GtoRegisterOptions {
  artifact: string;
  /** Semantic version, `v1.2.3` or `1.2.3`; tags always carry the `v`. */
  version: string;
  /** Commit-ish to register; HEAD by default. */
  ref?: string;
  message?: string;
  actor?: GtoActor;
}

export interface GtoVersionOptions {
  artifact: string;
  version: string;
  message?: string;
  actor?: GtoActor;
}

export interface GtoStageOptions extends GtoVersionOptions {
  stage: string;
}

export interface GtoArtifactOptions {
  artifact: string;
  message?: string;
  actor?: GtoActor;
}

export interface GtoTagResult {
  tag: string;
  commit: string;
  message: string;
}

/** A refused GTO action: the registry would become inconsistent, or the input is not GTO's format. */
export class GtoWriteError extends Error {
  override name = 'GtoWriteError';
}

/*
 * Every action below writes one annotated tag into the LOCAL repository, exactly as `gto` does with its
 * default options, and nothing else. Tags are never pushed: publishing them (`git push origin <tag>`) is
 * part of the user's own git workflow, as it is for GTO without `--push`. Checks and tag creation are
 * not atomic; a concurrent writer that takes the same tag name makes `git tag` fail rather than overwrite.
 */

/**
 * `gto register`: tag `{artifact}@v{X.Y.Z}` on `ref` with "Registering artifact {artifact} version v{X.Y.Z}".
 * Refuses, like GTO, a version that was ever registered and a commit that already holds an active version
 * of the artifact; also refuses a version not greater than the latest active one (GTO itself allows that,
 * but then its "latest" and the registration order disagree).
 */
export async function gtoRegister(repo: string, options: GtoRegisterOptions): Promise<GtoTagResult> {
  const artifact = checkedArtifact(options.artifact);
  const version = normalizeGtoVersion(options.version);
  const commit = await resolveCommit(repo, options.ref ?? 'HEAD');
  const state = await loadState(repo, artifact);

  const existing = state.versions.get(version);
  if (existing) {
    throw new GtoWriteError(
      existing.active
        ? `${artifact} ${version} is already registered (tag ${existing.tag})`
        : `${artifact} ${version} was registered and then deregistered; GTO does not register a version twice`,
    );
  }
  const onCommit = [...state.versions.entries()].find(([, v]) => v.active && v.commit === commit);
  if (onCommit) throw new GtoWriteError(`${artifact} is already registered on commit ${commit.slice(0, 12)} as ${onCommit[0]}`);
  const latest = latestActive(state);
  if (latest && compareSemver(version, latest) <= 0) {
    throw new GtoWriteError(`${artifact} ${version} is not greater than the latest registered version ${latest}`);
  }

  const message = options.message || `Registering artifact ${artifact} version ${version}`;
  return createTag(repo, state, `${toTagName(artifact)}@${version}`, commit, message, options.actor);
}

/**
 * `gto assign`: tag `{artifact}#{stage}#{N}` on the commit of the version's registration, N being one
 * more than the highest counter among the artifact's tags (GTO's default "auto" naming).
 */
export async function gtoAssignStage(repo: string, options: GtoStageOptions): Promise<GtoTagResult> {
  const artifact = checkedArtifact(options.artifact);
  const version = normalizeGtoVersion(options.version);
  const stage = checkedStage(options.stage);
  const state = await loadState(repo, artifact);
  const target = activeVersion(state, artifact, version);
  if (stageHeld(state, target.commit, stage)) throw new GtoWriteError(`${artifact} ${version} is already in stage ${stage}`);
  const message = options.message || `Assigning stage ${stage} to artifact ${artifact} version ${version}`;
  return createTag(repo, state, `${toTagName(artifact)}#${stage}#${state.maxCounter + 1}`, target.commit, message, options.actor);
}

/** `gto unassign`: tag `{artifact}#{stage}!#{N}` on the version's commit; the version must hold the stage. */
export async function gtoUnassignStage(repo: string, options: GtoStageOptions): Promise<GtoTagResult> {
  const artifact = checkedArtifact(options.artifact);
  const version = normalizeGtoVersion(options.version);
  const stage = checkedStage(options.stage);
  const state = await loadState(repo, artifact);
  const target = state.versions.get(version);
  if (!target) throw new GtoWriteError(`${artifact} ${version} is not registered`);
  if (!stageHeld(state, target.commit, stage)) throw new GtoWriteError(`stage ${stage} is not assigned to ${artifact} ${version}`);
  const message = options.message || `Unassigning stage '${stage}' to artifact '${artifact}' version '${version}'`;
  return createTag(repo, state, `${toTagName(artifact)}#${stage}!#${state.maxCounter + 1}`, target.commit, message, options.actor);
}

/** `gto deregister`: tag `{artifact}@v{X.Y.Z}!` on the version's commit. */
export async function gtoDeregister(repo: string, options: GtoVersionOptions): Promise<GtoTagResult> {
  const artifact = checkedArtifact(options.artifact);
  const version = normalizeGtoVersion(options.version);
  const state = await loadState(repo, artifact);
  const target = activeVersion(state, artifact, version);
  const message = options.message || `Deregistering artifact ${artifact} version ${version}`;
  return createTag(repo, state, `${toTagName(artifact)}@${version}!`, target.commit, message, options.actor);
}

/** `gto deprecate`: tag `{artifact}@deprecated` on the commit of the artifact's most recent event. */
export async function gtoDeprecate(repo: string, options: GtoArtifactOptions): Promise<GtoTagResult> {
  const artifact = checkedArtifact(options.artifact);
  const state = await loadState(repo, artifact);
  if (state.deprecated) throw new GtoWriteError(`${artifact} is deprecated already`);
  const last = state.events[state.events.length - 1];
  if (!last) throw new GtoWriteError(`${artifact} has no GTO tags in this repository`);
  const message = options.message || `Deprecating artifact '${artifact}'`;
  return createTag(repo, state, `${toTagName(artifact)}@deprecated`, last.commit, message, options.actor);
}

/** The greatest active registered version of `artifact`, or undefined when it has none. */
export async function gtoLatestVersion(repo: string, artifact: string): Promise<string | undefined> {
  return latestActive(await loadState(repo, checkedArtifact(artifact)));
}

/**
 * The version after `latest` as GTO's `--bump-major/--bump-minor/--bump-patch` compute it (python-semver):
 * the bumped part goes up by one, lower parts reset to 0, pre-release and build metadata are dropped.
 */
export function nextGtoVersion(latest: string, bump: 'major' | 'minor' | 'patch'): string {
  const match = VERSION_RE.exec(latest.trim());
  if (!match) throw new GtoWriteError(`"${latest}" is not a semantic version like v1.2.3`);
  const [major, minor, patch] = [1, 2, 3].map((i) => BigInt(match[i] ?? '0')) as [bigint, bigint, bigint];
  if (bump === 'major') return `v${major + 1n}.0.0`;
  if (bump === 'minor') return `v${major}.${minor + 1n}.0`;
  if (bump === 'patch') return `v${major}.${minor}.${patch + 1n}`;
  throw new GtoWriteError(`unknown bump "${String(bump)}": use major, minor or patch`);
}

/** `1.2.3` or `v1.2.3` → `v1.2.3`; anything else is refused. */
export function normalizeGtoVersion(version: string): string {
  const trimmed = version.trim();
  if (!VERSION_RE.test(trimmed)) throw new GtoWriteError(`"${version}" is not a semantic version like v1.2.3`);
  return trimmed.startsWith('v') ? trimmed : `v${trimmed}`;
}

function checkedArtifact(artifact: string): string {
  if (typeof artifact !== 'string' || !FULLNAME_RE.test(artifact)) {
    throw new GtoWriteError(
      `"${artifact}" is not a valid GTO artifact name: letters, digits, '-', '_' and '/', starting and ending with a letter or digit, optionally prefixed by "dir:"`,
    );
  }
  return artifact;
}

function checkedStage(stage: string): string {
  if (typeof stage !== 'string' || !NAME_RE.test(stage)) {
    throw new GtoWriteError(`"${stage}" is not a valid GTO stage name: letters, digits, '-', '_' and '/', starting and ending with a letter or digit`);
  }
  return stage;
}

function toTagName(artifact: string): string {
  return artifact.replace(':', '=');
}

// ---- the registry state of one artifact, read from the tags --------------------------------------

interface TagEvent {
  tag: string;
  action: 'register' | 'deregister' | 'assign' | 'unassign' | 'deprecate' | 'create';
  version?: string;
  stage?: string;
  counter?: number;
  commit: string;
  date: number;
}

interface VersionState {
  commit: string;
  active: boolean;
  tag: string;
}

interface ArtifactState {
  /** Every tag name in the repository: a new tag must not collide with any, lightweight ones included. */
  allTags: Set<string>;
  /** Annotated GTO tags of the artifact, oldest first. */
  events: TagEvent[];
  versions: Map<string, VersionState>;
  deprecated: boolean;
  /** GTO counts lightweight tags too when it picks the next counter. */
  maxCounter: number;
}

async function loadState(repo: string, artifact: string): Promise<ArtifactState> {
  let listing: string;
  try {
    const format = ['%(refname:strip=2)', '%(objecttype)', '%(objectname)', '%(*objectname)', '%(taggerdate:unix)'].join('%00');
    listing = await git(repo, ['for-each-ref', `--format=${format}`, 'refs/tags']);
  } catch (error) {
    throw new GtoWriteError(`cannot list the git tags of ${repo}: ${gitErrorLine(error)}`);
  }
  const state: ArtifactState = { allTags: new Set(), events: [], versions: new Map(), deprecated: false, maxCounter: 0 };
  for (const line of listing.split('\n')) {
    if (line === '') continue;
    const [tag = '', objectType, object = '', peeled = '', seconds = ''] = line.split('\0');
    state.allTags.add(tag);
    const g = TAG_RE.exec(tag)?.groups;
    if (!g || (g.artifact ?? '').replace('=', ':') !== artifact) continue;
    if (g.counter !== undefined) state.maxCounter = Math.max(state.maxCounter, Number(g.counter));
    if (objectType !== 'tag') continue; // GTO reads annotated tags only
    const cancelled = g.cancel === '!';
    state.events.push({
      tag,
      action: g.version ? (cancelled ? 'deregister' : 'register') : g.stage ? (cancelled ? 'unassign' : 'assign') : g.deprecated ? 'deprecate' : 'create',
      version: g.version,
      stage: g.stage,
      counter: g.counter === undefined ? undefined : Number(g.counter),
      commit: peeled || object,
      date: Number(seconds) || 0,
    });
  }
  // Tagger dates have one-second resolution: counters order the tags GTO made within the same second.
  state.events.sort((a, b) => a.date - b.date || (a.counter !== undefined && b.counter !== undefined ? a.counter - b.counter : 0) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  for (const event of state.events) {
    if (event.action === 'register' && event.version) state.versions.set(event.version, { commit: event.commit, active: true, tag: event.tag });
    else if (event.action === 'deregister' && event.version) {
      const known = state.versions.get(event.version);
      if (known) known.active = false;
    } else if (event.action === 'deprecate') state.deprecated = true;
  }
  return state;
}

function activeVersion(state: ArtifactState, artifact: string, version: string): VersionState {
  const target = state.versions.get(version);
  if (!target) throw new GtoWriteError(`${artifact} ${version} is not registered`);
  if (!target.active) throw new GtoWriteError(`${artifact} ${version} was deregistered`);
  return target;
}

/** Whether the latest assignment or unassignment of `stage` on `commit` is an assignment (GTO's per-version view). */
function stageHeld(state: ArtifactState, commit: string, stage: string): boolean {
  let held = false;
  for (const event of state.events) {
    if (event.stage === stage && event.commit === commit) held = event.action === 'assign';
  }
  return held;
}

function latestActive(state: ArtifactState): string | undefined {
  let latest: string | undefined;
  for (const [version, v] of state.versions) if (v.active && (latest === undefined || compareSemver(version, latest) > 0)) latest = version;
  return latest;
}

/** Semantic Versioning 2.0.0 precedence (build metadata ignored); both must match VERSION_RE. */
function compareSemver(a: string, b: string): number {
  const pa = VERSION_RE.exec(a);
  const pb = VERSION_RE.exec(b);
  if (!pa || !pb) throw new GtoWriteError(`cannot compare versions ${a} and ${b}`);
  for (let i = 1; i <= 3; i++) {
    const x = BigInt(pa[i] ?? '0');
    const y = BigInt(pb[i] ?? '0');
    if (x !== y) return x < y ? -1 : 1;
  }
  const [preA, preB] = [pa[4], pb[4]];
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1;
  const idsA = preA.split('.');
  const idsB = preB.split('.');
  for (let i = 0; i < Math.min(idsA.length, idsB.length); i++) {
    const x = idsA[i]!;
    const y = idsB[i]!;
    if (x === y) continue;
    const numX = /^\d+$/.test(x);
    const numY = /^\d+$/.test(y);
    if (numX && numY) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (numX !== numY) return numX ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(idsA.length - idsB.length);
}

// ---- git ------------------------------------------------------------------------------------------

async function resolveCommit(repo: string, ref: string): Promise<string> {
  // A ref starting with '-' would be read as an option.
  if (ref.trim() === '' || ref.startsWith('-') || /[\0\n]/.test(ref)) throw new GtoWriteError(`"${ref}" is not a git revision`);
  try {
    return (await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch {
    throw new GtoWriteError(`"${ref}" does not resolve to a commit in ${repo}`);
  }
}

async function createTag(repo: string, state: ArtifactState, tag: string, commit: string, message: string, actor: GtoActor | undefined): Promise<GtoTagResult> {
  if (state.allTags.has(tag)) throw new GtoWriteError(`tag ${tag} already exists`);
  // Only identities configured in git (or given as actor) are used: without this git falls back to $EMAIL
  // or makes an address up from the login and host name.
  const config = ['-c', 'user.useConfigOnly=true'];
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (actor) {
    const name = actor.name?.trim() ?? '';
    const email = actor.email?.trim() ?? '';
    if (name === '' || /[<>\n\0]/.test(name) || /[<>\n\0]/.test(email)) throw new GtoWriteError(`invalid tagger identity "${actor.name}"`);
    config.push('-c', `user.name=${name}`, '-c', `user.email=${email}`);
    // These would override the configuration given with -c.
    delete env.GIT_COMMITTER_NAME;
    delete env.GIT_COMMITTER_EMAIL;
  }
  try {
    await git(repo, [...config, 'tag', '-a', '-m', message, tag, commit], env);
  } catch (error) {
    const detail = gitErrorLine(error);
    if (/auto-detection is disabled|tell me who you are|empty ident/i.test(errorMessage(error))) {
      throw new GtoWriteError(`git has no tagger identity for ${tag}: pass an actor, or set user.name and user.email in git (${detail})`);
    }
    throw new GtoWriteError(`git could not create tag ${tag}: ${detail}`);
  }
  return { tag, commit, message };
}

async function git(cwd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    windowsHide: true,
    env: { ...(env ?? process.env), GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout;
}

/** The last line git printed: the `fatal:` / `error:` line that says why. */
function gitErrorLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown } | undefined)?.stderr;
  const text = typeof stderr === 'string' && stderr.trim() !== '' ? stderr : errorMessage(error);
  return text.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? 'unknown error';
}
