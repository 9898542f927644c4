import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readGtoRegistry } from '../../../../src/registry/external/gtoRegistry';
import {
  GtoWriteError,
  gtoAssignStage,
  gtoDeprecate,
  gtoDeregister,
  gtoLatestVersion,
  gtoRegister,
  gtoUnassignStage,
  nextGtoVersion,
  normalizeGtoVersion,
} from '../../../../src/registry/external/gtoWriter';
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

/** Plain git, independent of the code under test: repository set-up and raw read-back. */
function makeRepo(repo: string) {
  const run = (args: string[], seconds = T0) =>
    execFileSync('git', args, {
      cwd: repo,
      env: { ...process.env, GIT_AUTHOR_DATE: `${seconds} +0000`, GIT_COMMITTER_DATE: `${seconds} +0000` },
      encoding: 'utf8',
    }).trim();
  run(['-c', 'init.defaultBranch=main', 'init', '-q']);
  run(['config', 'user.name', 'Alice']);
  run(['config', 'user.email', 'alice@example.com']);
  run(['config', 'tag.gpgSign', 'false']);
  return {
    run,
    commit: (message: string, seconds: number) => {
      run(['commit', '-q', '--allow-empty', '-m', message], seconds);
      return run(['rev-parse', 'HEAD']);
    },
    /** `name objecttype subject` per tag, in git's (name) order. */
    rawTags: () => run(['for-each-ref', '--format=%(refname:short) %(objecttype) %(contents:subject)', 'refs/tags']).split('\n').filter((l) => l !== ''),
    target: (tag: string) => run(['rev-parse', `refs/tags/${tag}^{commit}`]),
    tagger: (tag: string) => run(['for-each-ref', '--format=%(taggername) %(taggeremail)', `refs/tags/${tag}`]),
  };
}

describe('registry/external: GTO actions as git tags', function () {
  const temp = useTempDir();
  const savedEnv = { ...process.env };
  let clock = T0;
  /** Each action gets its own tagger second unless a test wants them to collide. */
  const tick = () => {
    clock += 10;
    process.env.GIT_COMMITTER_DATE = `${clock} +0000`;
  };

  before(function () {
    if (!gitAvailable()) this.skip();
  });
  beforeEach(() => {
    // Keep the machine's git configuration (identity, signing) out of the tests.
    process.env.HOME = temp.path;
    process.env.XDG_CONFIG_HOME = temp.path;
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    delete process.env.GIT_COMMITTER_NAME;
    delete process.env.GIT_COMMITTER_EMAIL;
    clock = T0 + 1000;
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });

  it('registers, assigns with counters, unassigns, deregisters and deprecates with GTO names and messages', async () => {
    const repo = temp.path;
    const git = makeRepo(repo);
    const a = git.commit('first model', T0);
    const b = git.commit('second model', T0 + 100);
    const c = git.commit('third model', T0 + 200);

    tick();
    assert.deepEqual(await gtoRegister(repo, { artifact: 'model', version: 'v1.0.0', ref: a }), {
      tag: 'model@v1.0.0',
      commit: a,
      message: 'Registering artifact model version v1.0.0',
    });
    tick();
    const second = await gtoRegister(repo, { artifact: 'model', version: '1.1.0', ref: 'HEAD~1', actor: { name: 'Bob', email: 'bob@example.com' } });
    assert.equal(second.tag, 'model@v1.1.0');
    assert.equal(second.commit, b);
    tick();
    assert.equal((await gtoAssignStage(repo, { artifact: 'model', version: 'v1.0.0', stage: 'prod' })).tag, 'model#prod#1');
    tick();
    assert.equal((await gtoAssignStage(repo, { artifact: 'model', version: 'v1.1.0', stage: 'prod' })).tag, 'model#prod#2');
    tick();
    assert.equal((await gtoAssignStage(repo, { artifact: 'model', version: '1.1.0', stage: 'staging' })).tag, 'model#staging#3');
    tick();
    assert.equal((await gtoUnassignStage(repo, { artifact: 'model', version: 'v1.1.0', stage: 'staging' })).tag, 'model#staging!#4');
    tick();
    assert.equal((await gtoDeregister(repo, { artifact: 'model', version: 'v1.0.0' })).tag, 'model@v1.0.0!');
    tick();
    await gtoRegister(repo, { artifact: 'model', version: 'v2.0.0', message: 'retrained on May data', actor: { name: 'Carol' } });
    tick();
    assert.equal((await gtoDeprecate(repo, { artifact: 'model' })).tag, 'model@deprecated');

    // Raw tags, read with plain git: all annotated, GTO's exact names and subjects.
    assert.deepEqual(git.rawTags(), [
      "model#prod#1 tag Assigning stage prod to artifact model version v1.0.0",
      "model#prod#2 tag Assigning stage prod to artifact model version v1.1.0",
      "model#staging!#4 tag Unassigning stage 'staging' to artifact 'model' version 'v1.1.0'",
      "model#staging#3 tag Assigning stage staging to artifact model version v1.1.0",
      "model@deprecated tag Deprecating artifact 'model'",
      'model@v1.0.0 tag Registering artifact model version v1.0.0',
      'model@v1.0.0! tag Deregistering artifact model version v1.0.0',
      'model@v1.1.0 tag Registering artifact model version v1.1.0',
      'model@v2.0.0 tag retrained on May data',
    ]);
    const targets = Object.fromEntries(
      ['model@v1.0.0', 'model@v1.1.0', 'model#prod#1', 'model#prod#2', 'model#staging#3', 'model#staging!#4', 'model@v1.0.0!', 'model@v2.0.0', 'model@deprecated'].map((t) => [t, git.target(t)]),
    );
    assert.deepEqual(targets, {
      'model@v1.0.0': a,
      'model@v1.1.0': b,
      'model#prod#1': a,
      'model#prod#2': b,
      'model#staging#3': b,
      'model#staging!#4': b,
      'model@v1.0.0!': a,
      'model@v2.0.0': c, // HEAD by default
      'model@deprecated': c, // the artifact's most recent event
    });
    assert.equal(git.tagger('model@v1.0.0'), 'Alice <alice@example.com>');
    assert.equal(git.tagger('model@v1.1.0'), 'Bob <bob@example.com>');
    assert.equal(git.tagger('model@v2.0.0'), 'Carol <>', 'no e-mail is made up for an actor without one');

    // The colleague's reader sees the same registry.
    const result = await readGtoRegistry(repo);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.models.length, 1);
    const model = result.models[0]!;
    assert.equal(model.name, 'model');
    assert.equal(model.tags['gto.deprecated'], 'true');
    assert.deepEqual(
      model.versions.map((v) => [v.version, v.tags['gto.version'], v.stage, v.tags['gto.stage'], v.deleted ?? false, v.createdBy, v.description]),
      [
        [1, 'v1.0.0', 'None', undefined, true, 'Alice', undefined],
        [2, 'v1.1.0', 'Production', 'prod', false, 'Bob', undefined],
        [3, 'v2.0.0', 'None', undefined, false, 'Carol', 'retrained on May data'],
      ],
    );
    assert.equal(model.versions[0]!.createdAt, (T0 + 1010) * 1000);
    assert.equal(await gtoLatestVersion(repo, 'model'), 'v2.0.0');
  });

  it('writes dir:name artifacts as dir=name and counts per artifact, lightweight tags included', async () => {
    const repo = temp.path;
    const git = makeRepo(repo);
    const a = git.commit('a', T0);
    tick();
    await gtoRegister(repo, { artifact: 'model', version: 'v0.1.0' });
    git.run(['tag', 'model#dev#7', a]); // lightweight: GTO ignores it as an event but counts past it
    git.run(['tag', 'model@v9.0.0', a]); // lightweight: registers nothing
    await assert.rejects(gtoAssignStage(repo, { artifact: 'model', version: 'v9.0.0', stage: 'prod' }), /not registered/);
    assert.equal(await gtoLatestVersion(repo, 'model'), 'v0.1.0');
    tick();
    const encoder = await gtoRegister(repo, { artifact: 'nlp/text:encoder', version: 'v0.1.0' });
    assert.equal(encoder.tag, 'nlp/text=encoder@v0.1.0');
    tick();
    assert.equal((await gtoAssignStage(repo, { artifact: 'nlp/text:encoder', version: 'v0.1.0', stage: 'production' })).tag, 'nlp/text=encoder#production#1');
    tick();
    assert.equal((await gtoAssignStage(repo, { artifact: 'model', version: 'v0.1.0', stage: 'prod' })).tag, 'model#prod#8');

    assert.deepEqual(git.rawTags(), [
      'model#dev#7 commit a',
      'model#prod#8 tag Assigning stage prod to artifact model version v0.1.0',
      'model@v0.1.0 tag Registering artifact model version v0.1.0',
      'model@v9.0.0 commit a',
      'nlp/text=encoder#production#1 tag Assigning stage production to artifact nlp/text:encoder version v0.1.0',
      'nlp/text=encoder@v0.1.0 tag Registering artifact nlp/text:encoder version v0.1.0',
    ]);
    const result = await readGtoRegistry(repo);
    const encoderModel = result.models.find((m) => m.name === 'nlp/text:encoder');
    assert.ok(encoderModel);
    assert.deepEqual(
      encoderModel.versions.map((v) => [v.tags['gto.version'], v.stage]),
      [['v0.1.0', 'Production']],
    );
  });

  it('orders actions taken within the same second by their counters', async () => {
    const repo = temp.path;
    const git = makeRepo(repo);
    git.commit('a', T0);
    process.env.GIT_COMMITTER_DATE = `${T0 + 50} +0000`; // every tag below in the same second
    await gtoRegister(repo, { artifact: 'm', version: 'v1.0.0' });
    await gtoAssignStage(repo, { artifact: 'm', version: 'v1.0.0', stage: 'prod' });
    await gtoUnassignStage(repo, { artifact: 'm', version: 'v1.0.0', stage: 'prod' });
    await gtoAssignStage(repo, { artifact: 'm', version: 'v1.0.0', stage: 'prod' });
    await assert.rejects(gtoAssignStage(repo, { artifact: 'm', version: 'v1.0.0', stage: 'prod' }), /already in stage prod/);
    assert.deepEqual(
      git.rawTags().map((l) => l.split(' ')[0]),
      ['m#prod!#2', 'm#prod#1', 'm#prod#3', 'm@v1.0.0'],
    );
  });

  it('refuses what GTO refuses and creates no tag then', async () => {
    const repo = temp.path;
    const git = makeRepo(repo);
    const a = git.commit('a', T0);
    const b = git.commit('b', T0 + 100);
    git.commit('c', T0 + 200);
    tick();
    await gtoRegister(repo, { artifact: 'model', version: 'v1.0.0-rc.1', ref: a });
    tick();
    await gtoRegister(repo, { artifact: 'model', version: 'v1.2.0', ref: b });
    tick();
    await gtoRegister(repo, { artifact: 'gone', version: 'v1.0.0' });
    tick();
    await gtoDeregister(repo, { artifact: 'gone', version: 'v1.0.0' });
    const before = git.rawTags();
    assert.equal(before.length, 4);

    const refusals: [string, () => Promise<unknown>, RegExp][] = [
      ['existing version', () => gtoRegister(repo, { artifact: 'model', version: '1.2.0' }), /already registered/],
      ['lower version', () => gtoRegister(repo, { artifact: 'model', version: 'v1.1.9' }), /not greater than the latest registered version v1\.2\.0/],
      ['same precedence, other build', () => gtoRegister(repo, { artifact: 'model', version: 'v1.2.0+build.7' }), /not greater/],
      ['pre-release of the latest', () => gtoRegister(repo, { artifact: 'model', version: 'v1.2.0-rc.1' }), /not greater/],
      ['deregistered version again', () => gtoRegister(repo, { artifact: 'gone', version: 'v1.0.0', ref: a }), /deregistered/],
      ['second version on a commit', () => gtoRegister(repo, { artifact: 'model', version: 'v2.0.0', ref: b }), /already registered on commit/],
      ['name starting with _', () => gtoRegister(repo, { artifact: '_bad', version: 'v3.0.0' }), /not a valid GTO artifact name/],
      ['name with a space', () => gtoRegister(repo, { artifact: 'my model', version: 'v3.0.0' }), /not a valid GTO artifact name/],
      ['name with @', () => gtoRegister(repo, { artifact: 'a@b', version: 'v3.0.0' }), /not a valid GTO artifact name/],
      ['dir=name as input', () => gtoRegister(repo, { artifact: 'dir=name', version: 'v3.0.0' }), /not a valid GTO artifact name/],
      ['two colons', () => gtoRegister(repo, { artifact: 'a:b:c', version: 'v3.0.0' }), /not a valid GTO artifact name/],
      ['empty name', () => gtoRegister(repo, { artifact: '', version: 'v3.0.0' }), /not a valid GTO artifact name/],
      ['not semver', () => gtoRegister(repo, { artifact: 'model', version: 'v3.0' }), /not a semantic version/],
      ['leading zero', () => gtoRegister(repo, { artifact: 'model', version: 'v03.0.0' }), /not a semantic version/],
      ['unknown ref', () => gtoRegister(repo, { artifact: 'model', version: 'v3.0.0', ref: 'no-such-branch' }), /does not resolve to a commit/],
      ['option-like ref', () => gtoRegister(repo, { artifact: 'model', version: 'v3.0.0', ref: '--all' }), /not a git revision/],
      ['assign unknown version', () => gtoAssignStage(repo, { artifact: 'model', version: 'v9.9.9', stage: 'prod' }), /v9\.9\.9 is not registered/],
      ['assign deregistered version', () => gtoAssignStage(repo, { artifact: 'gone', version: 'v1.0.0', stage: 'prod' }), /was deregistered/],
      ['assign bad stage', () => gtoAssignStage(repo, { artifact: 'model', version: 'v1.2.0', stage: 'prod!' }), /not a valid GTO stage name/],
      ['unassign a stage not held', () => gtoUnassignStage(repo, { artifact: 'model', version: 'v1.2.0', stage: 'prod' }), /not assigned/],
      ['deregister twice', () => gtoDeregister(repo, { artifact: 'gone', version: 'v1.0.0' }), /was deregistered/],
      ['deregister unknown version', () => gtoDeregister(repo, { artifact: 'model', version: 'v0.0.1' }), /not registered/],
      ['deprecate an unknown artifact', () => gtoDeprecate(repo, { artifact: 'nothing' }), /has no GTO tags/],
      ['actor with angle brackets', () => gtoRegister(repo, { artifact: 'model', version: 'v3.0.0', actor: { name: 'Eve <eve@x>' } }), /invalid tagger identity/],
    ];
    for (const [label, action, expected] of refusals) {
      await assert.rejects(action, (error: unknown) => {
        assert.ok(error instanceof GtoWriteError, `${label}: ${String(error)}`);
        assert.match(error.message, expected, label);
        return true;
      });
    }
    assert.deepEqual(git.rawTags(), before, 'a refused action leaves the tags as they were');

    tick();
    await gtoDeprecate(repo, { artifact: 'model' });
    await assert.rejects(gtoDeprecate(repo, { artifact: 'model' }), /deprecated already/);
  });

  it('refuses a folder that is not a git repository', async function () {
    try {
      execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: temp.path, stdio: 'ignore' });
      this.skip(); // the temp folder sits inside some repository on this machine
    } catch {
      // expected: not a repository
    }
    await assert.rejects(gtoRegister(temp.path, { artifact: 'm', version: 'v1.0.0' }), GtoWriteError);
  });

  it('keeps the actor even when GIT_COMMITTER_NAME is set, and uses git identity without an actor', async () => {
    const repo = temp.path;
    const git = makeRepo(repo);
    git.commit('a', T0);
    process.env.GIT_COMMITTER_NAME = 'Env Person';
    process.env.GIT_COMMITTER_EMAIL = 'env@example.com';
    tick();
    await gtoRegister(repo, { artifact: 'm', version: 'v1.0.0', actor: { name: 'Dana', email: 'dana@example.com' } });
    assert.equal(git.tagger('m@v1.0.0'), 'Dana <dana@example.com>');
    delete process.env.GIT_COMMITTER_NAME;
    delete process.env.GIT_COMMITTER_EMAIL;
    tick();
    await gtoAssignStage(repo, { artifact: 'm', version: 'v1.0.0', stage: 'dev' });
    assert.equal(git.tagger('m#dev#1'), 'Alice <alice@example.com>');
  });

  it('fails clearly instead of guessing an identity when git has none', async () => {
    const repo = temp.path;
    const git = makeRepo(repo);
    git.commit('a', T0);
    git.run(['config', '--unset', 'user.email']);
    process.env.EMAIL = 'guess@example.com'; // git would otherwise fall back to $EMAIL or to user@hostname
    tick();
    await assert.rejects(gtoRegister(repo, { artifact: 'm', version: 'v1.0.0' }), /no tagger identity/);
    assert.deepEqual(git.rawTags(), []);
  });
});

describe('registry/external: GTO version arithmetic', () => {
  it('bumps like GTO (python-semver): lower parts reset, pre-release and build dropped', () => {
    assert.equal(nextGtoVersion('v1.2.3', 'major'), 'v2.0.0');
    assert.equal(nextGtoVersion('v1.2.3', 'minor'), 'v1.3.0');
    assert.equal(nextGtoVersion('1.2.3', 'patch'), 'v1.2.4');
    assert.equal(nextGtoVersion('v1.2.3-rc.1+build.5', 'patch'), 'v1.2.4');
    assert.equal(nextGtoVersion('v0.0.9007199254740993', 'patch'), 'v0.0.9007199254740994');
    assert.throws(() => nextGtoVersion('v1.2', 'patch'), GtoWriteError);
    assert.throws(() => nextGtoVersion('latest', 'major'), GtoWriteError);
  });

  it('normalizes versions to the v-prefixed form tags use', () => {
    assert.equal(normalizeGtoVersion('1.0.0'), 'v1.0.0');
    assert.equal(normalizeGtoVersion('v1.0.0-alpha.1'), 'v1.0.0-alpha.1');
    assert.throws(() => normalizeGtoVersion('V1.0.0'), GtoWriteError);
    assert.throws(() => normalizeGtoVersion('vv1.0.0'), GtoWriteError);
  });
});
