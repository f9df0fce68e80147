/**
 * The CLI behaves like an oclif command line and keeps its word, through the real binary:
 * `-h` on every command, `help <command>`, one line with the nearest flag or command for a typo
 * (not a page of help), flag groups that say what they are, a description for every command, oclif's
 * `--json` where a command prints data, the exit codes the README documents, help and hints that
 * never point into a source checkout, `--quick`'s promise agreeing with the README, and
 * list-models naming the model bench will generate.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';
import { generateKeyPair, signRun } from '@llm-speed/framework';
import { sampleRun } from '@llm-speed/framework/testing';
import { sandbox, type Sandbox } from '../helpers/cli.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI_ROOT = join(REPO, 'packages/cli');

/** The help sections of a help page: "BACKEND FLAGS" → its lines. */
function sections(help: string): Map<string, string> {
  const out = new Map<string, string>();
  let current = '';
  for (const line of help.split('\n')) {
    if (/^[A-Z][A-Z ]+$/.test(line)) current = line;
    else if (current) out.set(current, `${out.get(current) ?? ''}${line}\n`);
  }
  return out;
}

describe('oclif conventions, exit codes and honest help (e2e, real CLI)', function () {
  this.timeout(300_000);
  let box: Sandbox;
  let commands: Array<{ id: string; plugin?: string; summary?: string; description?: string; hasJson: boolean }>;
  before(async () => {
    box = sandbox();
    const config = await Config.load(CLI_ROOT);
    commands = config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({ id: c.id, plugin: c.pluginName, summary: c.summary, description: c.description, hasJson: Boolean(c.flags.json) || Boolean(c.enableJsonFlag) }));
  });
  after(() => box.cleanup());

  it('-h works on every command, and `help <command>` shows the same page', async () => {
    assert.ok(commands.length >= 12, commands.map((c) => c.id).join(', '));
    for (const { id } of commands) {
      const words = id.split(':');
      const short = await box.run([...words, '-h']);
      assert.equal(short.exitCode, 0, `${words.join(' ')} -h: ${short.stderr}`);
      assert.match(String(short.stdout), /^USAGE$/m, `${words.join(' ')} -h prints its help`);
    }
    const help = await box.run(['help', 'bench']);
    assert.equal(help.exitCode, 0, String(help.stderr));
    assert.equal(String(help.stdout), String((await box.run(['bench', '--help'])).stdout));
    const topic = await box.run(['help', 'config', 'init']);
    assert.equal(topic.exitCode, 0, String(topic.stderr));
    assert.match(String(topic.stdout), /commented example config/);
  });

  it('every command has a summary and a description (list-models included)', () => {
    const ours = commands.filter((c) => c.plugin === 'llm-speed' || c.plugin?.startsWith('@llm-speed/'));
    assert.ok(ours.some((c) => c.id === 'list-models') && ours.some((c) => c.id === 'models:synth'));
    for (const c of ours) {
      assert.ok(c.summary, `${c.id} has a summary`);
      assert.ok(c.description, `${c.id} has a description`);
    }
  });

  it('an unknown flag: one line naming the nearest flag and where help is, exit 2 — not a page of help', async () => {
    for (const [args, guess] of [
      [['bench', '--quik'], '--quick'],
      [['bench', '--no-uplod'], '--no-upload'],
      [['list-models', '--backnd', 'x'], '--backend'],
      [['verify-run', 'x', '--jsn'], '--json'],
      // Commands from other plugins too: the llama.cpp plugin's, and oclif's own.
      [['models', 'synth', '--sise', 'tiny'], '--size'],
      [['plugins', 'install', '--forse', 'x'], '--force'],
    ] as const) {
      const r = await box.run([...args]);
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = String(r.stderr).trim().split('\n');
      assert.equal(lines[0], `Error: unknown flag ${args.find((a) => a.startsWith('--'))} (did you mean ${guess}?)`);
      assert.match(lines[1]!, /^See: llm-speed .+ --help$/);
      assert.equal(lines.length, 2, String(r.stderr));
      assert.equal(String(r.stdout), '');
    }
    const unlike = await box.run(['bench', '--zzzzzz']);
    assert.match(String(unlike.stderr), /^Error: unknown flag --zzzzzz\n/, 'no guess when nothing is close');
  });

  it('an unknown command: the nearest one, exit 2', async () => {
    const r = await box.run(['bnech', '--quick']);
    assert.equal(r.exitCode, 2, String(r.stderr));
    assert.equal(String(r.stderr).trim(), 'Error: "bnech" is not a llm-speed command (did you mean "bench"?)\nSee: llm-speed help');
  });

  it('flag groups say what they are: --cache-dir and --config-dir are configuration, not backend flags', async () => {
    for (const command of ['bench', 'detect', 'list-models']) {
      const page = sections(String((await box.run([command, '--help'])).stdout));
      const backend = page.get('BACKEND FLAGS') ?? '';
      const configuration = page.get('CONFIGURATION FLAGS') ?? '';
      for (const flag of ['--llama-cpp-path', '--ollama-host', '--vllm-url', '--openai-compat-url', '--python']) assert.match(backend, new RegExp(flag), `${command}: ${flag} under BACKEND FLAGS`);
      for (const flag of ['--cache-dir', '--config-dir', '--config=']) {
        assert.ok(configuration.includes(flag), `${command}: ${flag} under CONFIGURATION FLAGS`);
        assert.ok(!backend.includes(flag), `${command}: ${flag} not under BACKEND FLAGS`);
      }
    }
    const bench = sections(String((await box.run(['bench', '--help'])).stdout));
    assert.match(bench.get('UPLOAD FLAGS') ?? '', /--api-url[\s\S]*--resume/);
    assert.match(bench.get('OUTPUT FLAGS') ?? '', /--dry-run[\s\S]*--json=PATH/);
  });

  it("commands that print data take oclif's --json (a global flag); bench keeps --json PATH", async () => {
    for (const id of ['compare', 'config:init', 'detect', 'list-models', 'login', 'self-update', 'validate', 'verify', 'verify-run']) {
      const c = commands.find((x) => x.id === id)!;
      const page = sections(String((await box.run([...id.split(':'), '--help'])).stdout));
      assert.match(page.get('GLOBAL FLAGS') ?? '', /--json\s+Format output as json\./, `${id} has oclif's json flag`);
      assert.ok(c.hasJson);
    }
    assert.match(String((await box.run(['bench', '--help'])).stdout), /--json=PATH\s+Also write the signed run JSON to PATH/);

    const verify = await box.run(['verify', '--json']);
    assert.equal(verify.exitCode, 0, String(verify.stderr));
    assert.match(JSON.parse(String(verify.stdout)).dependencies_sha256, /^[0-9a-f]{64}$/);

    // verify-run --json keeps its exit codes: 0 valid, 1 invalid, 2 could not check.
    const signed = await signRun(sampleRun() as never, await generateKeyPair());
    writeFileSync(join(box.root, 'good.json'), JSON.stringify(signed));
    writeFileSync(join(box.root, 'bad.json'), JSON.stringify({ ...signed, cli_version: '9.9.9' }));
    const good = await box.run(['verify-run', join(box.root, 'good.json'), '--json']);
    assert.equal(good.exitCode, 0, String(good.stderr));
    assert.equal(JSON.parse(String(good.stdout)).valid, true);
    const bad = await box.run(['verify-run', join(box.root, 'bad.json'), '--json']);
    assert.equal(bad.exitCode, 1);
    assert.equal(JSON.parse(String(bad.stdout)).valid, false);
    const missing = await box.run(['verify-run', join(box.root, 'missing.json'), '--json']);
    assert.equal(missing.exitCode, 2);
    assert.equal(JSON.parse(String(missing.stdout)).valid, null);
  });

  it('exit codes as the README documents them: 0 success, 1 failure, 2 usage error', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Exit codes'));
    for (const code of ['| 0 |', '| 1 |', '| 2 |', '| 130 / 143 / 129 |']) assert.ok(table.includes(code), `README documents ${code}`);
    writeFileSync(join(box.root, 'run.json'), JSON.stringify(sampleRun()));
    writeFileSync(join(box.root, 'broken.json'), '{"fingerprint": {}, "results": "no"}');
    const cases: Array<[string[], number]> = [
      [['validate', join(box.root, 'run.json')], 0],
      [['validate', join(box.root, 'broken.json')], 1],
      [['bench', '--resume', join(box.root, 'run.json'), '--api-url', 'http://127.0.0.1:9', '--yes'], 1], // unsigned: refused, nothing sent
      [['bench', '--quik'], 2],
      [['bench', '--backend', 'no-such-backend'], 2],
      [['bench', '--workload', 'W9', '--no-upload'], 2],
      [['bench', '--anon', '--strict-anon'], 2],
      [['validate'], 2],
      [['nope'], 2],
    ];
    for (const [args, code] of cases) {
      const r = await box.run(args);
      assert.equal(r.exitCode, code, `${args.join(' ')} → ${r.exitCode}: ${r.stderr}`);
      // validate reports each problem as a line of its own on stdout; the rest say it on stderr.
      if (code !== 0)
        assert.match(
          args[0] === 'validate' && args.length > 1 ? String(r.stdout) : String(r.stderr),
          args[0] === 'validate' && args.length > 1 ? /broken\.json: run: / : /^Error: /,
          `${args.join(' ')} says what is wrong`,
        );
    }
    // 130/143/129 on SIGINT/SIGTERM/SIGHUP: signals.e2e.test.ts (a real llama-server run, killed).
  });

  it('help and hints never point at a file that exists only in a source checkout', async () => {
    const inSource = /(?<![\w/.-])(scripts\/[\w.-]+\.(sh|mjs)|schemas\/[\w.-]+\.json|docs\/[A-Z]+\.md|templates\/[\w./-]+)/;
    for (const { id } of commands) {
      const page = String((await box.run([...id.split(':'), '--help'])).stdout).replace(/https:\/\/\S+/g, '');
      assert.doesNotMatch(page, inSource, `${id} --help`);
    }
    // A config file with a typo: the hint is a command, not schemas/config.schema.json.
    writeFileSync(join(box.root, 'llm-speed.config.json'), JSON.stringify({ mdoe: 'anon' }));
    const typo = await box.run(['detect']);
    assert.equal(typo.exitCode, 1);
    assert.match(String(typo.stderr), /unexpected field "mdoe" \(did you mean "mode"\?\)/);
    assert.match(String(typo.stderr), /llm-speed config init --print/);
    assert.doesNotMatch(String(typo.stderr), inSource);
    writeFileSync(join(box.root, 'llm-speed.config.json'), '{}');
    // Every user-facing string in the shipped code (comments aside) is held to the same rule.
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.includes('/generated/')) {
          readFileSync(path, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              const code = line.trim();
              if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
              const strings =
                code
                  .replace(/\/\/ .*$/, '')
                  .replace(/https:\/\/\S+/g, '')
                  .match(/(['"`])(?:(?!\1).)*\1/g) ?? [];
              if (strings.some((s) => inSource.test(s))) offenders.push(`${path.slice(REPO.length)}:${i + 1}: ${code}`);
            });
        }
      }
    };
    for (const pkg of readdirSync(join(REPO, 'packages')).filter((p) => p !== 'server')) walk(join(REPO, 'packages', pkg, 'src'));
    assert.deepEqual(offenders, []);
  });

  it("--quick's promise in the help is the README's, and list-models names the model bench will generate", async () => {
    const help = String((await box.run(['bench', '--help'])).stdout).replace(/\s+/g, ' ');
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const promised = /--quick\s+Smoke test:.*?under (\d+) s/.exec(help)?.[1];
    const documented = /`--quick` takes under (\d+) s/.exec(readme)?.[1];
    assert.ok(promised && documented, `help: ${promised}, README: ${documented}`);
    assert.equal(promised, documented);

    const fresh = await box.run(['list-models', '--backend', 'llama.cpp'], { env: { LLM_SPEED_CACHE_DIR: join(box.root, 'empty-cache'), PATH: '/usr/bin:/bin' } });
    assert.equal(fresh.exitCode, 0, String(fresh.stderr));
    assert.doesNotMatch(String(fresh.stdout), /no models found/);
    assert.match(String(fresh.stdout), /^ {2}llm-speed\/synth-llama-tiny-F16 {2}\(F16, synthetic\) — the default: `llm-speed bench` generates it on first use/m);
  });
});
