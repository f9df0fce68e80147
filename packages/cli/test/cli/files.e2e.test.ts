/**
 * The files the CLI writes, through the real binary: `validate` knows each of them (a run, its
 * .local.json and .timings.json sidecars, a config file) and says which it found; `compare` given a
 * sidecar names the run file instead of dumping schema errors; `config init` writes a commented
 * config that the CLI reads and validates; driver settings come from the config file's drivers
 * section, LLM_SPEED_<NAME>_<KEY> and flags — for the template's echo driver (linked as a plugin) and
 * for the bundled openai-compat driver.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAiBackendRoutes, startReplayServer, type ReplayServer } from '@llm-speed/framework/testing';
import { sandbox, type Sandbox } from '../helpers/cli.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const TEMPLATE = join(REPO, 'templates/driver-plugin');
const MODEL = 'files-test-model';

describe('the files the CLI writes, and driver settings (e2e, real CLI)', function () {
  this.timeout(300_000);
  let box: Sandbox;
  let backend: ReplayServer;
  before(async () => {
    box = sandbox();
    backend = await startReplayServer(openAiBackendRoutes({ model: MODEL, honours: ['ignore_eos', 'min_tokens'], firstTokenMs: 2, tokenMs: 1 }));
  });
  after(async () => {
    await backend.close();
    box.cleanup();
  });

  it('validate names every file of a saved run (the run, .local.json, .timings.json) and a config, all valid', async () => {
    const bench = await box.run(['bench', '--backend', 'openai-compat', '--openai-compat-url', backend.url, '--quick', '--no-upload', '--anon', '--cache-dir', join(box.root, 'c')], {
      env: { LLM_SPEED_OPENAI_COMPAT_EXACT_OUTPUT_LENGTH: '1' },
    });
    assert.equal(bench.exitCode, 0, String(bench.stderr));
    const dir = join(box.root, 'c', 'runs');
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 3, files.join(', '));
    const [run, local, timings] = [files.find((f) => !/\.(local|timings)\.json$/.test(f))!, files.find((f) => f.endsWith('.local.json'))!, files.find((f) => f.endsWith('.timings.json'))!];
    writeFileSync(join(box.root, 'llm-speed.config.yaml'), `api_url: http://127.0.0.1:9\ndrivers:\n  openai-compat:\n    base_url: ${backend.url}\n`);
    // The command: everything in the runs folder, as a shell glob gives it.
    const result = await box.run(['validate', ...files.map((f) => join(dir, f)), join(box.root, 'llm-speed.config.yaml')]);
    assert.equal(result.exitCode, 0, `${result.stdout}${result.stderr}`);
    const lines = String(result.stdout).trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/ \(.*$/, '')),
      [
        `${join(dir, files[0]!)}: valid ${kindOf(files[0]!)}`,
        `${join(dir, files[1]!)}: valid ${kindOf(files[1]!)}`,
        `${join(dir, files[2]!)}: valid ${kindOf(files[2]!)}`,
        `${join(box.root, 'llm-speed.config.yaml')}: valid config`,
      ],
    );
    assert.ok(lines.some((l) => l.startsWith(`${join(dir, local)}: valid run-local (a run's local sidecar: the privacy mode --resume needs, never uploaded)`)));
    assert.ok(lines.some((l) => l.startsWith(`${join(dir, timings)}: valid run-timings (a run's timings sidecar`)));
    assert.ok(lines.some((l) => l.startsWith(`${join(dir, run)}: valid run (a run:`)));

    // A sidecar that was edited is checked against its own schema, not read as a config.
    writeFileSync(join(box.root, 'edited.local.json'), JSON.stringify({ run: run, privacy_mode: 'public' }));
    const edited = await box.run(['validate', join(box.root, 'edited.local.json')]);
    assert.equal(edited.exitCode, 1);
    assert.match(String(edited.stdout), /edited\.local\.json: run-local: \/privacy_mode: must be equal to one of the allowed values \(default, anon, strict-anon\)/);

    // compare given a sidecar: what it is, and the run file to pass instead.
    const compared = await box.run(['compare', join(dir, timings), join(dir, run)]);
    assert.equal(compared.exitCode, 2);
    assert.equal(
      String(compared.stderr).trim(),
      `Error: ${join(dir, timings)} is a run's timings sidecar: per-token decode intervals, kept locally, not a run; compare the run file it belongs to: ${join(dir, run)}`,
    );
    const withLocal = await box.run(['compare', join(dir, run), join(dir, local)]);
    assert.match(String(withLocal.stderr), new RegExp(`is a run's local sidecar.*compare the run file it belongs to: ${join(dir, run).replace(/[.]/g, '\\.')}`));
  });

  it('config init writes a commented config the CLI reads from its folder and validates; it refuses to overwrite', async () => {
    const folder = join(box.root, 'project');
    execFileSync('mkdir', ['-p', folder]);
    const init = await box.run(['config', 'init', join(folder, 'llm-speed.config.yaml')]);
    assert.equal(init.exitCode, 0, String(init.stderr));
    const written = readFileSync(join(folder, 'llm-speed.config.yaml'), 'utf8');
    assert.equal(written, readFileSync(join(REPO, 'templates/llm-speed.config.yaml'), 'utf8'), 'the README links this template');
    assert.match(written, /^# drivers:\n# {3}openai-compat:/m);
    const valid = await box.run(['validate', join(folder, 'llm-speed.config.yaml')]);
    assert.equal(valid.exitCode, 0, String(valid.stdout));
    assert.match(String(valid.stdout), /: valid config/);
    const again = await box.run(['config', 'init', join(folder, 'llm-speed.config.yaml')]);
    assert.equal(again.exitCode, 1);
    assert.match(String(again.stderr), /exists; nothing was written\nPass --force/);
    const json = await box.run(['config', 'init', join(folder, 'other.yaml'), '--json']);
    assert.deepEqual(JSON.parse(String(json.stdout)), { path: join(folder, 'other.yaml'), written: true });

    // Uncommenting the openai-compat section makes the bundled driver available: the CLI reads the file.
    writeFileSync(
      join(folder, 'llm-speed.config.yaml'),
      written
        .replace('#   openai-compat:', '  openai-compat:')
        .replace('# drivers:', 'drivers:')
        .replace(/# {5}base_url: \S+/, `    base_url: ${backend.url}/v1`),
    );
    const detect = await box.run(['detect', '--json', '--config', join(folder, 'llm-speed.config.yaml')]);
    assert.equal(detect.exitCode, 0, String(detect.stderr));
    const row = (JSON.parse(String(detect.stdout)).drivers as Array<{ name: string; available: boolean; reason?: string }>).find((d) => d.name === 'openai-compat')!;
    assert.equal(row.available, true, row.reason);
  });

  it('the bundled openai-compat driver: not configured says how; config file, variable and flag configure it; a bad value names the driver', async () => {
    const row = async (args: string[], env: Record<string, string> = {}) => {
      const r = await box.run(['detect', '--json', ...args], { env: { LLM_SPEED_CONFIG: join(box.root, 'none.yaml'), ...env } });
      return { r, row: r.exitCode === 0 ? (JSON.parse(String(r.stdout)).drivers as Array<{ name: string; available: boolean; reason?: string }>).find((d) => d.name === 'openai-compat')! : undefined };
    };
    writeFileSync(join(box.root, 'none.yaml'), '# nothing set\n');
    const unset = await row([]);
    assert.equal(unset.row!.available, false);
    assert.match(unset.row!.reason!, /^not configured: set drivers\.openai-compat\.base_url in the config file, LLM_SPEED_OPENAI_COMPAT_BASE_URL or --openai-compat-url/);
    assert.equal((await row([], { LLM_SPEED_OPENAI_COMPAT_BASE_URL: backend.url })).row!.available, true);
    assert.equal((await row(['--openai-compat-url', backend.url])).row!.available, true);
    writeFileSync(join(box.root, 'compat.yaml'), `drivers:\n  openai-compat:\n    base_url: ${backend.url}\n`);
    assert.equal((await row(['--config', join(box.root, 'compat.yaml')])).row!.available, true);
    // The flag wins over the variable, which wins over the file.
    const flagWins = await row(['--config', join(box.root, 'compat.yaml'), '--openai-compat-url', 'http://127.0.0.1:9'], { LLM_SPEED_OPENAI_COMPAT_BASE_URL: backend.url });
    assert.match(flagWins.row!.reason!, /127\.0\.0\.1:9/);
    const bad = await row([], { LLM_SPEED_OPENAI_COMPAT_BASE_URL: 'localhost:1234' });
    assert.equal(bad.r.exitCode, 1);
    assert.match(String(bad.r.stderr), /^Error: the openai-compat driver's settings is invalid: base_url: must match pattern "\^https\?:\/\/" \(from LLM_SPEED_OPENAI_COMPAT_BASE_URL\)/);
    // And a bench runs on it, by name.
    const bench = await box.run(['bench', '--backend', 'openai-compat', '--quick', '--no-upload', '--openai-compat-url', backend.url]);
    assert.equal(bench.exitCode, 0, String(bench.stderr));
    assert.match(String(bench.stdout), new RegExp(`openai-compat unknown · unknown build · ${MODEL}`));
  });

  it("the template's echo driver, linked as a plugin, takes its url from drivers.echo in the config file and LLM_SPEED_ECHO_URL", async () => {
    execFileSync('npx', ['tsc', '-p', TEMPLATE], { cwd: REPO, stdio: 'pipe' });
    const link = await box.run(['plugins', 'link', TEMPLATE, '--no-install']);
    assert.equal(link.exitCode, 0, String(link.stderr));
    try {
      const { startEchoServer } = await import('../../../../templates/driver-plugin/test/echo-server.js');
      const echo = await startEchoServer();
      try {
        const detect = async (env: Record<string, string>) => {
          const r = await box.run(['detect', '--json'], { env: { LLM_SPEED_CONFIG: join(box.root, 'echo.yaml'), ...env } });
          assert.equal(r.exitCode, 0, String(r.stderr));
          return (JSON.parse(String(r.stdout)).drivers as Array<{ name: string; available: boolean; reason?: string; version?: string }>).find((d) => d.name === 'echo')!;
        };
        writeFileSync(join(box.root, 'echo.yaml'), 'drivers:\n  echo:\n    url: http://127.0.0.1:9\n');
        assert.match((await detect({})).reason!, /no echo server answers at http:\/\/127\.0\.0\.1:9 /, 'the config file reached the driver');
        writeFileSync(join(box.root, 'echo.yaml'), `drivers:\n  echo:\n    url: ${echo.url}\n`);
        assert.equal((await detect({})).version, '1.2.3');
        assert.match((await detect({ LLM_SPEED_ECHO_URL: 'http://127.0.0.1:9' })).reason!, /127\.0\.0\.1:9/, 'the variable wins over the file');
        writeFileSync(join(box.root, 'echo.yaml'), 'drivers:\n  echo:\n    ulr: http://x\n');
        const typo = await box.run(['detect'], { env: { LLM_SPEED_CONFIG: join(box.root, 'echo.yaml') } });
        assert.equal(typo.exitCode, 1);
        assert.match(String(typo.stderr), /the echo driver's settings is invalid: unknown key "ulr" in drivers\.echo \(did you mean "url"\?\)/);
        writeFileSync(join(box.root, 'echo.yaml'), 'drivers:\n  ecoh:\n    url: http://x\n');
        const unknown = await box.run(['detect'], { env: { LLM_SPEED_CONFIG: join(box.root, 'echo.yaml') } });
        assert.match(String(unknown.stderr), /config file: drivers\.ecoh matches no installed driver \(did you mean "echo"\?\)/);
      } finally {
        await echo.close();
      }
    } finally {
      await box.run(['plugins', 'unlink', 'llm-speed-plugin-echo']);
    }
  });
});

function kindOf(file: string): string {
  return file.endsWith('.local.json') ? 'run-local' : file.endsWith('.timings.json') ? 'run-timings' : 'run';
}
