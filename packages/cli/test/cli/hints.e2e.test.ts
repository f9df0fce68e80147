/**
 * Every command the CLI prints for pasting is exact: built from the invocation (results server,
 * config folder, config file, privacy mode), printed once, alone on a line that nothing wraps —
 * and each is pasted back into a shell here and does what it says. The pasting shell has none of
 * the LLM_SPEED_* variables the printing run had: the command must carry what matters itself.
 *
 * Real CLI, real bench runs: the openai-compat driver against the framework's OpenAI-compatible
 * stand-in server (fast), uploads to a self-hosted results server stand-in that verifies the JWS
 * like the real one (helpers/results-server.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consentFilePath, recordConsent } from '@llm-speed/framework';
import { openAiBackendRoutes, startReplayServer, type ReplayServer } from '@llm-speed/framework/testing';
import { execa } from 'execa';
import { BIN, paste, printedCommands, sandbox, type Sandbox } from '../helpers/cli.js';
import { startResultsServer, type ResultsServer } from '../helpers/results-server.js';

const MODEL = 'hint-test-model';
/** The stand-in honours ignore_eos and min_tokens: tell the driver, so runs have their full length. */
const EXACT = { LLM_SPEED_OPENAI_COMPAT_EXACT_OUTPUT_LENGTH: 'true' };

describe('printed commands carry the invocation and work when pasted (e2e, real CLI)', function () {
  this.timeout(180_000);
  let box: Sandbox;
  let backend: ReplayServer;
  let results: ResultsServer;
  /** A fresh shell's environment: the sandbox's home folders, none of its LLM_SPEED_* settings. */
  let shellEnv: Record<string, string>;
  before(async () => {
    backend = await startReplayServer(openAiBackendRoutes({ model: MODEL, honours: ['ignore_eos', 'min_tokens'], firstTokenMs: 2, tokenMs: 1 }));
  });
  after(() => backend.close());
  beforeEach(async () => {
    box = sandbox();
    results = await startResultsServer();
    shellEnv = { HOME: box.root, XDG_CONFIG_HOME: box.env.XDG_CONFIG_HOME!, XDG_CACHE_HOME: box.env.XDG_CACHE_HOME!, XDG_DATA_HOME: box.env.XDG_DATA_HOME!, NO_COLOR: '1' };
  });
  afterEach(async () => {
    await results.close();
    box.cleanup();
  });

  /** A quick W1 on the stand-in backend: seconds, not minutes. */
  const bench = (args: string[], env: Record<string, string> = {}) =>
    box.run(['bench', '--backend', 'openai-compat', '--openai-compat-url', `${backend.url}/v1`, '--quick', ...args], { env: { ...EXACT, ...env } });

  const elsewhere = () => {
    const dir = join(box.root, 'elsewhere');
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it('a self-hosted server that is down: one unwrapped retry command, with --api-url, --config-dir and the mode, that uploads to that server', async () => {
    results.down = true;
    const failed = await bench(['--api-url', results.url, '--anon', '--yes']);
    assert.equal(failed.exitCode, 1, String(failed.stderr));
    const stderr = String(failed.stderr);
    assert.doesNotMatch(stderr, /›/, 'nothing is wrapped by oclif');
    const commands = printedCommands(stderr);
    assert.equal(commands.length, 1, `one command, printed once:\n${stderr}`);
    const retry = commands[0]!;
    assert.match(retry, /^llm-speed bench --resume \/\S+\.json --anon /);
    assert.ok(retry.includes(`--api-url ${results.url}`), retry);
    assert.ok(retry.includes(`--config-dir ${box.env.LLM_SPEED_CONFIG_DIR}`), retry);
    assert.equal(stderr.split(retry).length - 1, 1, 'the command appears once in all of stderr');
    assert.equal(results.requests.filter((r) => r.method === 'POST').length, 3, 'three attempts reached the self-hosted server');

    results.down = false;
    const resumed = await paste(retry, { env: shellEnv, cwd: elsewhere() });
    assert.equal(resumed.exitCode, 0, String(resumed.stderr));
    assert.match(String(resumed.stdout), new RegExp(`uploaded \\(anon\\): ${results.url}/r/r_`));
    const posted = results.requests.filter((r) => r.method === 'POST');
    assert.equal(posted.length, 4, 'the pasted command went to the same self-hosted server');
    assert.equal(posted[3]!.headers['x-llm-speed-anon'], '1', 'in the mode the run was made in');

    // The verify command it prints checks the stored run on that server.
    const [verify] = printedCommands(String(resumed.stderr));
    assert.equal(verify, `llm-speed verify-run r_00000000001 --api-url ${results.url}`);
    const verified = await paste(verify!, { env: shellEnv, cwd: elsewhere() });
    assert.equal(verified.exitCode, 0, String(verified.stderr));
    assert.match(String(verified.stdout), /^valid: the signature verifies/);
  });

  it('an offline run (upload: false in a --config file): the command names the config file and --upload, and uploads from any folder', async () => {
    const confDir = join(box.root, 'team-config');
    const configFile = join(box.root, 'configs', 'bench.yaml');
    mkdirSync(join(box.root, 'configs'));
    writeFileSync(configFile, `api_url: ${results.url}\nconfig_dir: ${confDir}\nupload: false\n`);
    await recordConsent(confDir, { cliVersion: 'test' });
    // Only the config file names the config folder here (the sandbox's LLM_SPEED_CONFIG_DIR would win over it).
    const offline = await bench(['--config', configFile], { LLM_SPEED_CONFIG_DIR: '' });
    assert.equal(offline.exitCode, 0, String(offline.stderr));
    assert.match(String(offline.stderr), /offline run: saved locally, not uploaded\./);
    const commands = printedCommands(String(offline.stderr));
    assert.equal(commands.length, 1, String(offline.stderr));
    assert.match(commands[0]!, new RegExp(`--api-url ${results.url} --config-dir ${confDir} --config ${configFile} --upload$`));
    assert.equal(results.requests.length, 0);

    const uploaded = await paste(commands[0]!, { env: shellEnv, cwd: elsewhere() });
    assert.equal(uploaded.exitCode, 0, String(uploaded.stderr));
    assert.equal(results.requests.filter((r) => r.method === 'POST').length, 1);
  });

  it('no consent and no terminal: says where consent is kept, and the printed --yes command uploads and records it there', async () => {
    const refused = await bench(['--api-url', results.url]);
    assert.equal(refused.exitCode, 0, String(refused.stderr));
    const stderr = String(refused.stderr);
    const consent = consentFilePath(box.env.LLM_SPEED_CONFIG_DIR!);
    assert.match(stderr, /not uploaded: no upload consent yet, and no terminal to ask on\. Nothing was sent/);
    assert.ok(stderr.includes(`Consent, once given, is kept in ${consent}; deleting that file revokes it.`), stderr);
    assert.doesNotMatch(stderr, /running llm-speed bench interactively once/);
    const [command] = printedCommands(stderr);
    assert.match(command!, / --api-url \S+ --config-dir \S+ --yes$/);
    assert.equal(existsSync(consent), false);

    const uploaded = await paste(command!, { env: shellEnv, cwd: elsewhere() });
    assert.equal(uploaded.exitCode, 0, String(uploaded.stderr));
    assert.ok(String(uploaded.stderr).includes(`upload consent recorded in ${consent} (delete that file to revoke it)`), String(uploaded.stderr));
    assert.ok(existsSync(consent), 'consent was recorded in the folder the message named');
    assert.equal(results.requests.filter((r) => r.method === 'POST').length, 1);
  });

  it('consent declined at the prompt (a real terminal): the --yes command that uploads, and the real path of the consent file', async () => {
    // `script` runs the CLI on a pseudo-terminal, so it asks, and reads the "n" typed ahead.
    const command = [process.execPath, BIN, 'bench', '--backend', 'openai-compat', '--openai-compat-url', `${backend.url}/v1`, '--quick', '--api-url', results.url].join(' ');
    const run = await execa('script', ['-qec', command, '/dev/null'], { env: { ...box.env, ...EXACT }, extendEnv: false, input: 'n\n', cwd: box.root, reject: false, timeout: 120_000 });
    const out = String(run.stdout).replace(/\r/g, '');
    assert.equal(run.exitCode, 0, out);
    assert.match(out, /Upload this run\? \[Y\/n\]/);
    const consent = consentFilePath(box.env.LLM_SPEED_CONFIG_DIR!);
    assert.ok(out.includes(`Revoke at any time by deleting ${consent}.`), out);
    assert.match(out, /not uploaded: you answered no to the upload prompt\. Nothing was sent/);
    assert.doesNotMatch(out, /interactively once/, 'not told to do what was just done');
    const commands = printedCommands(out);
    assert.equal(commands.length, 1, out);
    assert.match(commands[0]!, /--yes$/);
    assert.equal(results.requests.length, 0);

    const uploaded = await paste(commands[0]!, { env: shellEnv, cwd: elsewhere() });
    assert.equal(uploaded.exitCode, 0, String(uploaded.stderr));
    assert.equal(results.requests.filter((r) => r.method === 'POST').length, 1);
    assert.ok(existsSync(consent));
  });
});
