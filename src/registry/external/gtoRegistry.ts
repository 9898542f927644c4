import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseYaml } from '../../shared/boundedYaml';
import { byName, dropUndefined, errorMessage, isMissing } from './common';
import type { ExternalModel, ExternalVersion, RegistryDiagnostic, RegistryReadResult, Stage } from './types';
import { readRegularText } from '../../ingest/regularFile';

const execFileAsync = promisify(execFile);

// The grammar of GTO's tag names (gto/constants.py), with GTO's `[a-zA-Z0-9-_./]` dirname class written
// as intended: in Python that class holds the range 9-_, which would swallow '=', '@' and ':'.
const NAME = '[a-zA-Z0-9](?:[a-zA-Z0-9\\-/_]*[a-zA-Z0-9])?';
const DIRNAME = '[a-zA-Z0-9\\-_./]+';
const SEMVER =
  '(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-(?:(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?';
const TAG_NAME = new RegExp(
  `^(?<artifact>(?:${DIRNAME}=)?${NAME})(?:(?:#(?<stage>${NAME})|@(?<version>v${SEMVER}))(?<cancel>!?)|@(?:(?<deprecated>deprecated)|(?<created>created)))(?:#(?<counter>[0-9]+))?$`,
);

type Action = 'register' | 'deregister' | 'assign' | 'unassign' | 'deprecate' | 'create';

interface GtoEvent {
  tag: string;
  action: Action;
  artifact: string;
  semver?: string;
  stage?: string;
  commit: string;
  /** Milliseconds; git stores the tagger date in whole seconds. */
  date: number;
  tagger?: string;
  subject: string;
}

interface VersionState {
  entry: ExternalVersion;
  semver: string;
  commit: string;
}

/**
 * Reads a GTO (Git Tag Ops) registry from the annotated tags of the git repository containing
 * `repoDir`, read-only, through one `git for-each-ref` call. Lightweight tags are ignored, as GTO does.
 *
 * Versions are numbered by registration order per artifact (tagger date, then tag name); the semver is
 * kept in `tags['gto.version']`. A stage assignment names a commit, not a version: it goes to the
 * artifact's version registered on that commit. Per artifact and stage name the most recent assignment
 * still in force wins (an unassignment withdraws only that version's assignment, so the stage falls back
 * to the previous holder, as in GTO). `prod`/`production` and `staging`/`stage` map to MLflow's stages;
 * every stage a version holds, mapped or not, is listed in `tags['gto.stage']`. Only tagger NAMES are
 * read: e-mail addresses never leave git.
 */
export async function readGtoRegistry(repoDir: string): Promise<RegistryReadResult> {
  const requested = path.resolve(repoDir);
  const result: RegistryReadResult = { models: [], diagnostics: [] };
  const report = (diagnostic: RegistryDiagnostic) => result.diagnostics.push(diagnostic);
  try {
    if (!(await fs.stat(requested)).isDirectory()) {
      report({ file: requested, message: 'not a folder: no GTO registry read', severity: 'info' });
      return result;
    }
  } catch (error) {
    report({ file: requested, message: `cannot open the folder: ${errorMessage(error)}`, severity: 'info' });
    return result;
  }
  try {
    await git(['--version'], requested);
  } catch (error) {
    report({ file: requested, message: `git is not available (${errorMessage(error)}): no GTO registry read`, severity: 'info' });
    return result;
  }
  let root: string;
  try {
    root = path.resolve((await git(['rev-parse', '--show-toplevel'], requested)).trim());
  } catch {
    report({ file: requested, message: 'not inside a git work tree: no GTO registry read', severity: 'info' });
    return result;
  }
  let listing: string;
  try {
    const format = ['%(refname:strip=2)', '%(objecttype)', '%(*objectname)', '%(taggerdate:unix)', '%(taggername)', '%(subject)'].join('%00');
    listing = await git(['for-each-ref', `--format=${format}`, 'refs/tags'], root);
  } catch (error) {
    report({ file: root, message: `cannot list git tags: ${errorMessage(error)}`, severity: 'error' });
    return result;
  }
  const events = parseTagListing(listing, root, report);
  const annotations = await readArtifactAnnotations(root, report);
  result.models = buildModels(events, annotations, root, report);
  return result;
}

async function git(args: string[], cwd: string): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    windowsHide: true,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
  });
  return stdout;
}

function parseTagListing(listing: string, root: string, report: (d: RegistryDiagnostic) => void): GtoEvent[] {
  const events: GtoEvent[] = [];
  for (const line of listing.split('\n')) {
    if (line === '') continue;
    const [tag = '', objectType, commit = '', seconds = '', tagger = '', subject = ''] = line.split('\0');
    const match = TAG_NAME.exec(tag);
    if (objectType !== 'tag') {
      if (match) report({ file: root, position: `tag ${tag}`, message: 'lightweight tag ignored: GTO reads annotated tags only', severity: 'info' });
      continue;
    }
    if (!match?.groups) {
      if (/[@#]/.test(tag)) report({ file: root, position: `tag ${tag}`, message: 'not a valid GTO tag name; ignored', severity: 'info' });
      continue;
    }
    const g = match.groups;
    const cancelled = g.cancel === '!';
    const action: Action = g.version
      ? cancelled ? 'deregister' : 'register'
      : g.stage
        ? cancelled ? 'unassign' : 'assign'
        : g.deprecated ? 'deprecate' : 'create';
    const date = /^\d+$/.test(seconds) ? Number(seconds) * 1000 : 0;
    events.push(
      dropUndefined<GtoEvent>({
        tag,
        action,
        artifact: (g.artifact ?? '').replace('=', ':'),
        semver: g.version,
        stage: g.stage,
        commit,
        date,
        tagger: tagger.trim() === '' ? undefined : tagger.trim(),
        subject,
      }),
    );
  }
  return events.sort((a, b) => a.date - b.date || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

interface Annotation {
  description?: string;
  type?: string;
  path?: string;
  labels?: string;
}

/** `artifacts.yaml` (GTO) and the `artifacts:` section of `dvc.yaml` (DVC ≥ 3), from the work tree. */
async function readArtifactAnnotations(root: string, report: (d: RegistryDiagnostic) => void): Promise<Map<string, Annotation>> {
  const annotations = new Map<string, Annotation>();
  for (const [fileName, section] of [
    ['artifacts.yaml', undefined],
    ['dvc.yaml', 'artifacts'],
  ] as const) {
    const file = path.join(root, fileName);
    let parsed: unknown;
    try {
      parsed = parseYaml(await readRegularText(file), { intAsBigInt: true });
    } catch (error) {
      if (!isMissing(error)) report({ file, message: `cannot read artifact annotations: ${errorMessage(error).split('\n')[0]}`, severity: 'warning' });
      continue;
    }
    const table = section ? (parsed as Record<string, unknown> | null)?.[section] : parsed;
    if (table === undefined || table === null) continue;
    if (typeof table !== 'object' || Array.isArray(table)) {
      report({ file, message: 'artifact annotations are not a map of name → {type, path, description, labels}; ignored', severity: 'warning' });
      continue;
    }
    for (const [name, value] of Object.entries(table as Record<string, unknown>)) {
      if (annotations.has(name) || typeof value !== 'object' || value === null) continue;
      const fields = value as Record<string, unknown>;
      const asText = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined);
      annotations.set(
        name,
        dropUndefined<Annotation>({
          description: asText(fields.description) ?? asText(fields.desc),
          type: asText(fields.type),
          path: asText(fields.path),
          labels: Array.isArray(fields.labels) ? fields.labels.map(asText).filter((l) => l !== undefined).join(',') : undefined,
        }),
      );
    }
  }
  return annotations;
}

function mapStage(gtoStage: string): Stage {
  const lower = gtoStage.toLowerCase();
  if (lower === 'prod' || lower === 'production') return 'Production';
  if (lower === 'staging' || lower === 'stage') return 'Staging';
  return 'None';
}

const STAGE_RANK: Record<Stage, number> = { None: 0, Archived: 0, Staging: 1, Production: 2 };

function buildModels(events: GtoEvent[], annotations: Map<string, Annotation>, root: string, report: (d: RegistryDiagnostic) => void): ExternalModel[] {
  const byArtifact = new Map<string, GtoEvent[]>();
  for (const event of events) byArtifact.set(event.artifact, [...(byArtifact.get(event.artifact) ?? []), event]);

  const models: ExternalModel[] = [];
  for (const [artifact, artifactEvents] of byArtifact) {
    const versions: VersionState[] = [];
    const touch = (state: VersionState, event: GtoEvent) => {
      if (event.date > 0) state.entry.updatedAt = Math.max(state.entry.updatedAt ?? 0, event.date);
    };
    // Registrations first: a stage tag made in the same second sorts before its version tag ('#' < '@').
    for (const event of artifactEvents) {
      if (event.action !== 'register' && event.action !== 'deregister') continue;
      const existing = versions.find((v) => v.semver === event.semver);
      if (event.action === 'register') {
        if (existing && !existing.entry.deleted) {
          report({ file: root, position: `tag ${event.tag}`, message: `${artifact} ${event.semver} is already registered; tag ignored`, severity: 'warning' });
        } else if (existing) {
          delete existing.entry.deleted;
          existing.commit = event.commit;
          touch(existing, event);
        } else {
          const entry: ExternalVersion = dropUndefined({
            version: versions.length + 1,
            stage: 'None' as Stage,
            aliases: [],
            description: /^Registering artifact /.test(event.subject) || event.subject === '' ? undefined : event.subject,
            createdAt: event.date || undefined,
            updatedAt: event.date || undefined,
            createdBy: event.tagger,
            tags: { 'gto.version': event.semver ?? '', 'gto.commit': event.commit, 'gto.tag': event.tag },
          });
          versions.push({ entry, semver: event.semver ?? '', commit: event.commit });
        }
      } else if (!existing) {
        report({ file: root, position: `tag ${event.tag}`, message: `deregisters ${artifact} ${event.semver}, which was never registered; ignored`, severity: 'warning' });
      } else {
        existing.entry.deleted = true;
        touch(existing, event);
      }
    }

    // Per stage name, the latest assignment of each version that no later unassignment withdrew.
    const assignments = new Map<string, Map<VersionState, number>>();
    for (const event of artifactEvents) {
      if ((event.action !== 'assign' && event.action !== 'unassign') || !event.stage) continue;
      const target = versionAtCommit(versions, event);
      if (!target) {
        report({
          file: root,
          position: `tag ${event.tag}`,
          message: `${event.action === 'assign' ? 'assigns' : 'unassigns'} stage "${event.stage}" on commit ${event.commit.slice(0, 12)}, where ${artifact} has no registered version; ignored`,
          severity: 'warning',
        });
        continue;
      }
      touch(target, event);
      const holders = assignments.get(event.stage) ?? new Map<VersionState, number>();
      if (event.action === 'assign') {
        holders.delete(target); // re-insert so iteration order follows time
        holders.set(target, event.date);
      } else {
        holders.delete(target);
      }
      assignments.set(event.stage, holders);
    }
    const heldStages = new Map<VersionState, string[]>();
    for (const [stage, holders] of assignments) {
      const active = [...holders.keys()].filter((v) => !v.entry.deleted);
      const winner = active[active.length - 1];
      if (winner) heldStages.set(winner, [...(heldStages.get(winner) ?? []), stage]);
    }
    for (const [state, stages] of heldStages) {
      stages.sort();
      state.entry.tags['gto.stage'] = stages.join(',');
      state.entry.stage = stages.map(mapStage).reduce((best, s) => (STAGE_RANK[s] > STAGE_RANK[best] ? s : best), 'None' as Stage);
    }

    const annotation = annotations.get(artifact);
    const tags: Record<string, string> = {};
    if (annotation?.type !== undefined) tags['gto.type'] = annotation.type;
    if (annotation?.path !== undefined) tags['gto.path'] = annotation.path;
    if (annotation?.labels !== undefined) tags['gto.labels'] = annotation.labels;
    if (artifactEvents.some((e) => e.action === 'deprecate')) tags['gto.deprecated'] = 'true';
    const dates = artifactEvents.map((e) => e.date).filter((d) => d > 0);
    models.push(
      dropUndefined<ExternalModel>({
        name: artifact,
        origin: 'gto',
        location: root,
        description: annotation?.description,
        createdAt: dates.length ? Math.min(...dates) : undefined,
        updatedAt: dates.length ? Math.max(...dates) : undefined,
        tags,
        aliases: {},
        versions: versions.map((v) => v.entry),
      }),
    );
  }
  return models.sort(byName);
}

/**
 * The version registered on the commit a stage tag points to. Several versions can share a commit
 * (re-tagging the same model): the one the tag message names, else the newest active registration.
 */
function versionAtCommit(versions: VersionState[], event: GtoEvent): VersionState | undefined {
  const candidates = versions.filter((v) => v.commit === event.commit);
  if (candidates.length <= 1) return candidates[0];
  const named = /\bversion (v\S+)/.exec(event.subject)?.[1];
  return (
    candidates.find((v) => v.semver === named) ??
    [...candidates].reverse().find((v) => !v.entry.deleted) ??
    candidates[candidates.length - 1]
  );
}
