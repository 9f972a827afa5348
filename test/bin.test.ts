// End-to-end: the installed `imitate` command (bin/imitate.js over the built dist/), as a user
// runs it, including the README's quickstart and its custom-env example.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';

const root = new URL('..', import.meta.url).pathname;

function imitate(...args: string[]) {
  if (!existsSync(`${root}dist/src/cli.js`)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const r = spawnSync(process.execPath, ['bin/imitate.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, IMITATE_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('the README quickstart command runs the main job', async (t) => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const quick = readme.match(/npm ci && npx imitate (.+)\n/);
  t.ok(quick, 'README has the quickstart line');
  // The main job as written, shortened (the full 8000 steps are the GAIL benchmark's) and kept out of the repository's runs/.
  const args = quick![1].split(' ');
  t.equal(args[0], 'gail', 'the main job is GAIL');
  t.ok(args.includes('--demos') && existsSync(`${root}${args[args.indexOf('--demos') + 1]}`), 'its demonstrations are shipped');
  const out = t.testdir();
  args[args.indexOf('--steps') + 1] = '600';
  const r = imitate(...args, '--out', `${out}/run`, '--set', 'evalEvery=300');
  t.equal(r.code, 0, r.err);
  t.match(r.out, /eval at step 600: return -\d+\.\d+ ± \d+\.\d+ over 10 episodes\n {2}normalized score -?\d+\.\d %/);
  t.match(r.out, /^normalized score: -?\d+\.\d % at the final evaluation/m);
  t.match(r.out, /^learning curve: .*learning-curve\.png$/m);
  t.ok(existsSync(`${out}/run/learning-curve.png`));
});

t.test("the README's custom env goes through check-env and rollout", async (t) => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const example = readme.match(/`my-envs\.ts`:\n\n```ts\n([\s\S]*?)```/);
  t.equal(example?.[1], readFileSync(`${root}test/fixtures/my-envs.ts`, 'utf8'), 'test/fixtures/my-envs.ts is the README example verbatim');
  let r = imitate('check-env', 'test/fixtures/my-envs.ts');
  t.equal(r.code, 0, r.err);
  t.match(r.out, /Point-v0: ok \(5 checks passed\)/);
  r = imitate('rollout', '--import', './test/fixtures/my-envs.ts', '--env', 'Point-v0', '--episodes', '3');
  t.equal(r.code, 0, r.err);
  t.equal(r.out.match(/length {3}200 {2}truncated/g)?.length, 3);
  r = imitate('envs', '--import', 'test/fixtures/my-envs.ts');
  t.match(r.out, /Point-v0\n {4}observation Box\(-10, 10, \[2\], float32\)/);
});

t.test('errors are one line with a non-zero exit code', async (t) => {
  const r = imitate('rollout', '--env', 'Pendulum-v9');
  t.equal(r.code, 1);
  t.match(r.err, /^imitate: No env registered with id 'Pendulum-v9'\. Registered versions of 'Pendulum': Pendulum-v1\./);
  t.equal(r.err.trim().split('\n').length, 1);
});
