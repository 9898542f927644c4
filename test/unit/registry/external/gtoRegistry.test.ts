import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readGtoRegistry } from '../../../../src/registry/external/gtoRegistry';
import { useTempDir } from '../../helpers';

const T0 = 1_700_000_000; // seconds: git stores tagger dates in whole seconds

function gitAvailable(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A tiny git driver with fixed identities and dates, so tag order is deterministic. */
function makeGit(repo: string) {
  const run = (args: string[], seconds: number, who = 'Alice') =>
    execFileSync('git', ['-c', `user.name=${who}`, '-c', `user.email=${who.toLowerCase()}@example.com`, '-c', 'init.defaultBranch=main', ...args], {
      cwd: repo,
      env: { ...process.env, GIT_AUTHOR_DATE: `${seconds} +0000`, GIT_COMMITTER_DATE: `${seconds} +0000`, GIT_CONFIG_NOSYSTEM: '1', HOME: repo },
      encoding: 'utf8',
    }).trim();
  return {
    init: () => run(['init', '-q'], T0),
    commit: (message: string, seconds: number) => {
      run(['commit', '-q', '--allow-empty', '-m', message], seconds);
      return run(['rev-parse', 'HEAD'], seconds);
    },
    tag: (name: string, commit: string, seconds: number, who = 'Alice', message = `GTO ${name}`) => run(['tag', '-a', name, '-m', message, commit], seconds, who),
    lightweight: (name: string, commit: string) => run(['tag', name, commit], T0),
  };
}

describe('registry/external: GTO registry from git tags', function () {
  const temp = useTempDir();
  before(function () {
    if (!gitAvailable()) this.skip();
  });

  it('reads registrations, stages, deregistrations and annotations', async () => {
    const repo = temp.path;
    const git = makeGit(repo);
    git.init();
    const a = git.commit('first model', T0);
    const b = git.commit('second model', T0 + 100);
    const c = git.commit('third model', T0 + 200);
    git.tag('model@v1.0.0', a, T0 + 10, 'Alice', 'Registering artifact model version v1.0.0');
    git.tag('model@v1.1.0', b, T0 + 110, 'Bob', 'Registering artifact model version v1.1.0');
    git.tag('model#prod#1', a, T0 + 120, 'Bob', 'Assigning stage prod to artifact model version v1.0.0');
    git.tag('model#staging', b, T0 + 130); // simple form, no counter
    git.tag('model#prod#2', b, T0 + 140); // the later assignment wins the stage
    git.tag('model#staging!#3', b, T0 + 150); // unassignment, with a counter after the '!'
    git.tag('model#dev#4', a, T0 + 160);
    git.tag('model@v2.0.0', c, T0 + 210, 'Carol', 'retrained on May data');
    git.tag('model@v2.0.0!', c, T0 + 220); // deregistered
    git.lightweight('model@v9.9.9', c); // GTO ignores lightweight tags
    git.tag('nlp=encoder@v0.1.0', c, T0 + 230, 'Carol');
    git.tag('nlp=encoder#production#5', c, T0 + 240, 'Carol');
    git.tag('_bad@v1.0.0', c, T0 + 250); // invalid artifact name
    git.tag('v1.0.0', c, T0 + 260); // an ordinary release tag: not GTO, not reported
    // Same second: order by tag name, so v1.10.0 sorts (as text) before v1.2.0.
    git.tag('twin@v1.2.0', c, T0 + 300);
    git.tag('twin@v1.10.0', c, T0 + 300);
    git.tag('old@v0.0.1', a, T0 + 310);
    git.tag('old@deprecated', a, T0 + 320);
    writeFileSync(
      path.join(repo, 'artifacts.yaml'),
      'model:\n  type: model\n  path: models/model.pkl\n  description: Churn classifier\n  labels: [tabular, churn]\n',
    );
    mkdirSync(path.join(repo, 'sub'));

    // From a subfolder: the registry is the repository's.
    const result = await readGtoRegistry(path.join(repo, 'sub'));
    const byName = Object.fromEntries(result.models.map((m) => [m.name, m]));
    assert.deepEqual(Object.keys(byName).sort(), ['model', 'nlp:encoder', 'old', 'twin']);

    const model = byName.model!;
    assert.equal(model.origin, 'gto');
    assert.equal(model.location, realpathSync(repo));
    assert.equal(model.description, 'Churn classifier');
    assert.deepEqual(model.tags, { 'gto.type': 'model', 'gto.path': 'models/model.pkl', 'gto.labels': 'tabular,churn' });
    assert.deepEqual(model.aliases, {});
    assert.equal(model.createdAt, (T0 + 10) * 1000);
    assert.equal(model.updatedAt, (T0 + 220) * 1000);
    assert.deepEqual(
      model.versions.map((v) => [v.version, v.tags['gto.version'], v.stage, v.tags['gto.stage'], v.deleted ?? false]),
      [
        [1, 'v1.0.0', 'None', 'dev', false], // lost prod to v1.1.0, still dev
        [2, 'v1.1.0', 'Production', 'prod', false], // staging was unassigned
        [3, 'v2.0.0', 'None', undefined, true],
      ],
    );
    const [v1, v2, v3] = model.versions;
    assert.equal(v1!.createdBy, 'Alice');
    assert.equal(v1!.createdAt, (T0 + 10) * 1000);
    assert.equal(v1!.updatedAt, (T0 + 160) * 1000);
    assert.equal(v1!.tags['gto.commit'], a);
    assert.equal(v1!.description, undefined); // GTO's generated message is not a description
    assert.equal(v2!.createdBy, 'Bob');
    assert.equal(v2!.updatedAt, (T0 + 150) * 1000);
    assert.equal(v3!.description, 'retrained on May data');
    assert.equal(v3!.createdBy, 'Carol');

    const encoder = byName['nlp:encoder']!;
    assert.deepEqual(
      encoder.versions.map((v) => [v.version, v.stage, v.tags['gto.stage']]),
      [[1, 'Production', 'production']],
    );
    assert.deepEqual(
      byName.twin!.versions.map((v) => v.tags['gto.version']),
      ['v1.10.0', 'v1.2.0'],
    );
    assert.equal(byName.old!.tags['gto.deprecated'], 'true');

    assert.ok(!result.models.some((m) => m.versions.some((v) => v.tags['gto.version'] === 'v9.9.9')));
    assert.ok(!JSON.stringify(result).includes('example.com'), 'tagger e-mails never leave git');
    const infos = result.diagnostics.filter((d) => d.severity === 'info').map((d) => d.position);
    assert.deepEqual(infos.sort(), ['tag _bad@v1.0.0', 'tag model@v9.9.9']);
    assert.deepEqual(
      result.diagnostics.filter((d) => d.severity !== 'info'),
      [],
    );
  });

  it('falls back to the previous holder when the latest holder of a stage is unassigned', async () => {
    const git = makeGit(temp.path);
    git.init();
    const a = git.commit('a', T0);
    const b = git.commit('b', T0 + 100);
    git.tag('m@v1.0.0', a, T0 + 1);
    git.tag('m@v2.0.0', b, T0 + 101);
    git.tag('m#prod#1', a, T0 + 102);
    git.tag('m#prod#2', b, T0 + 103);
    git.tag('m#prod!#3', b, T0 + 104);
    const result = await readGtoRegistry(temp.path);
    assert.deepEqual(
      result.models[0]!.versions.map((v) => v.stage),
      ['Production', 'None'],
    );
  });

  it('warns about stage tags on commits without a registered version and deregistrations of unknown versions', async () => {
    const git = makeGit(temp.path);
    git.init();
    const a = git.commit('a', T0);
    const b = git.commit('b', T0 + 100);
    git.tag('m@v1.0.0', a, T0 + 1);
    git.tag('m#prod#1', b, T0 + 2);
    git.tag('m@v3.0.0!', a, T0 + 3);
    const result = await readGtoRegistry(temp.path);
    assert.deepEqual(
      result.models[0]!.versions.map((v) => [v.version, v.stage]),
      [[1, 'None']],
    );
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
    assert.deepEqual(warnings.map((d) => d.position).sort(), ['tag m#prod#1', 'tag m@v3.0.0!']);
  });

  it('gives an info diagnostic and nothing else outside a git repository or for a missing folder', async function () {
    try {
      execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: temp.path, stdio: 'ignore' });
      this.skip(); // the temp folder sits inside some repository on this machine
    } catch {
      // expected: not a repository
    }
    for (const dir of [temp.path, path.join(temp.path, 'missing')]) {
      const result = await readGtoRegistry(dir);
      assert.deepEqual(result.models, []);
      assert.equal(result.diagnostics.length, 1);
      assert.equal(result.diagnostics[0]!.severity, 'info');
    }
  });

  it('warns about a malformed artifacts.yaml and still reads the tags', async () => {
    const git = makeGit(temp.path);
    git.init();
    const a = git.commit('a', T0);
    git.tag('m@v1.0.0', a, T0 + 1);
    writeFileSync(path.join(temp.path, 'artifacts.yaml'), 'm: [unclosed\n');
    const result = await readGtoRegistry(temp.path);
    assert.equal(result.models[0]!.versions.length, 1);
    assert.equal(result.diagnostics.filter((d) => d.severity === 'warning' && d.file.endsWith('artifacts.yaml')).length, 1);
  });
});
