import { Flags, type Interfaces } from '@oclif/core';
import { backendFlags, backendSettings, configurationFlags, driverFlagSettings } from '../cli/backend-flags.js';
import { BaseCommand } from '../cli/base-command.js';
import { matrixInvocations } from '@llm-speed/framework';
import { resolveSettings } from '@llm-speed/framework';
import type { LlmSpeedConfig } from '@llm-speed/framework';
import { detectDrivers } from '@llm-speed/framework';
import { UsageError, parseReps, MAX_REPS } from '@llm-speed/framework';
import { chooseDriver, collectFingerprint, isAccelerator } from '@llm-speed/framework';
import { runBench } from '@llm-speed/framework';
import { DOCS_URL, commandHint, hintContextFrom, publishRun, resumeRun, verifyCommand, type HintContext } from '@llm-speed/framework';
import { createProgress } from '@llm-speed/framework';
import { renderResultsTable, tableWidth } from '@llm-speed/framework';
import { configDir, runsDir } from '@llm-speed/framework';
import { loadSuite, suitePlans } from '@llm-speed/framework';
import { POWER_METER_CHOICES, resolveEnergySettings, type EnergySettings } from '@llm-speed/framework';
import { DEFAULT_API_URL } from './compare.js';

const OUTPUT = 'OUTPUT';
const ENERGY = 'ENERGY';
const UPLOAD = 'UPLOAD';
/** Measured (README "Which engine the default uses"): 3–7 s on the 2-core development machine, model generation included. */
export const QUICK_TIME = 'under 10 s on an idle 2-core CPU with the embedded default';

/**
 * The parsed flags. oclif's InferredFlags adds its own global `json: boolean` to every command's
 * flags; bench's --json is a PATH, so the intersection typed flags.json as undefined and the
 * compiler checked none of its uses.
 */
type BenchFlags = Omit<Interfaces.InferredFlags<typeof Bench.flags>, 'json'> & { json: string | undefined };

export default class Bench extends BaseCommand {
  static summary = 'Run the workload suite against a backend and save, sign and upload the result.';
  static description = `With no arguments: the default suite (W1 chat-short, W2 chat-long, W4 concurrent-decode, W5 agent-trace) on the auto-detected backend and its first model. With nothing installed, the embedded llama.cpp engine runs a synthetic reference model generated on first use.

Every setting also comes from the config file (\`llm-speed config init\` writes a commented one; llm-speed.config.yaml, .llm-speedrc, ...) and from LLM_SPEED_* environment variables (LLM_SPEED_BACKEND, LLM_SPEED_MODEL, LLM_SPEED_WORKLOADS, LLM_SPEED_SUITE, LLM_SPEED_API_URL, LLM_SPEED_API_KEY, LLM_SPEED_MODE, LLM_SPEED_UPLOAD, ...). A flag wins over the environment, which wins over the config file.

Privacy modes (${DOCS_URL}/PRIVACY.md): default, --anon (adds X-LLM-Speed-Anon), --strict-anon (fresh key per run, no fingerprint hash, no identifying headers).`;
  static examples = [
    '<%= config.bin %> bench',
    '<%= config.bin %> bench --quick --dry-run --print-payload',
    '<%= config.bin %> bench --no-upload --json run.json',
    '<%= config.bin %> bench --backend llama.cpp --model ./qwen2.5-7b-q4_k_m.gguf --workload W1,W2',
    '<%= config.bin %> bench --resume ~/.cache/llm-speed/runs/2026-11-24T10-00-00.000Z-a1b2c3d4e5f60708.json',
  ];
  static flags = {
    backend: Flags.string({ char: 'b', description: 'Backend to run (see `llm-speed detect`). Default: auto-detected; hosted APIs only when named.' }),
    model: Flags.string({ char: 'm', description: 'Model reference for the backend: a GGUF path, an ollama tag, a hub id, provider:model.' }),
    workload: Flags.string({ char: 'w', description: 'Workloads by id or name, comma-separated (W1,W2 or chat-short). W3 long-context-decay runs only when named.', multiple: true, delimiter: ',' }),
    suite: Flags.string({ description: 'Suite version (default: the one pinned in this release, suite-v1).' }),
    quick: Flags.boolean({ description: `Smoke test: short outputs, W1 unless --workload names others, one repetition, flagged "quick"; ${QUICK_TIME}.` }),
    reps: Flags.string({
      description: `Timed repetitions of every workload, 1–${MAX_REPS} (LLM_SPEED_REPS). Default: W1 and W2 repeat until decode tok/s is within ±2 % at 95 % confidence (3–8 and 3–4 times), W4 and W5 three times, each within a time budget; --quick: 1. The median is the headline, every repetition is in the result.`,
      helpValue: 'N',
    }),
    json: Flags.string({ description: 'Also write the signed run JSON to PATH ("-" for stdout). Implies no upload.', helpValue: 'PATH', helpGroup: OUTPUT }),
    'dry-run': Flags.boolean({ description: 'Run the workloads but neither save nor upload.', helpGroup: OUTPUT }),
    'print-payload': Flags.boolean({ description: 'Print the exact bytes that would be uploaded: the canonical JSON signed inside the JWS (headers on stderr).', helpGroup: OUTPUT }),
    upload: Flags.boolean({ description: 'Upload the signed result (--no-upload: keep it local only).', allowNo: true, helpGroup: UPLOAD }),
    'api-url': Flags.string({ description: `Results server (LLM_SPEED_API_URL; default ${DEFAULT_API_URL}).`, helpGroup: UPLOAD }),
    'api-key': Flags.string({ description: 'Bearer token for the results server (LLM_SPEED_API_KEY; never sent in --strict-anon).', helpGroup: UPLOAD }),
    anon: Flags.boolean({ description: 'Anonymous mode: persistent key, X-LLM-Speed-Anon header.', exclusive: ['strict-anon'], helpGroup: UPLOAD }),
    'strict-anon': Flags.boolean({ description: 'Strict anonymity: ephemeral key, no fingerprint hash, no identifying headers.', exclusive: ['anon'], helpGroup: UPLOAD }),
    'include-raw-timings': Flags.boolean({ description: 'Upload per-token timings too (kept locally in any case).', helpGroup: UPLOAD }),
    yes: Flags.boolean({ char: 'y', description: 'Consent to uploading without the interactive prompt (the consent is recorded).', helpGroup: UPLOAD }),
    resume: Flags.string({ description: 'Verify and upload a run saved earlier (after a failed or skipped upload).', helpValue: 'PATH', helpGroup: UPLOAD }),
    'energy-price': Flags.string({
      description: 'Your electricity price per kWh: the results table shows the cost of a million tokens at it. Never uploaded (LLM_SPEED_ENERGY_PRICE_PER_KWH, energy.price_per_kwh).',
      helpValue: 'PRICE',
      helpGroup: ENERGY,
    }),
    'power-meter': Flags.string({
      description: 'Power meters to read: auto (nvidia-smi, amdgpu, RAPL where readable), none, or powermetrics (macOS, as root) (LLM_SPEED_ENERGY_POWER_METER, energy.power_meter).',
      options: [...POWER_METER_CHOICES],
      helpGroup: ENERGY,
    }),
    ...backendFlags,
    ...configurationFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Bench);
    const modeFlag: LlmSpeedConfig['mode'] = flags['strict-anon'] ? 'strict-anon' : flags.anon ? 'anon' : undefined;
    const { settings, file, configPath } = await resolveSettings({
      configFile: flags.config,
      flags: {
        backend: flags.backend,
        model: flags.model,
        workloads: flags.workload,
        reps: flags.reps === undefined ? undefined : parseReps(flags.reps, '--reps'),
        suite: flags.suite,
        upload: flags.upload,
        mode: modeFlag,
        api_key: flags['api-key'],
        api_url: flags['api-url'],
        include_raw_timings: flags['include-raw-timings'] || undefined,
        ...backendSettings(flags),
      },
    });
    const energy = resolveEnergySettings({ file: settings.energy, env: process.env, flags: { energyPrice: flags['energy-price'], powerMeter: flags['power-meter'] } });
    const mode = settings.mode ?? 'default';
    const apiUrl = settings.api_url ?? DEFAULT_API_URL;
    const confDir = settings.config_dir ?? configDir(process.env);
    // Every command printed for pasting carries what this invocation set: server, config folder and file.
    const hints = hintContextFrom(settings, configPath, { defaultApiUrl: DEFAULT_API_URL, apiKeyFromFlag: Boolean(flags['api-key']) });

    // Checked before anything is sent: a dry run must never upload.
    if (flags['dry-run'] && flags.resume) throw new UsageError('--dry-run and --resume cannot be combined: --resume uploads a saved run, --dry-run never uploads');
    if (flags.resume) {
      // settings.mode, not `mode`: with none asked for, the run goes up in the mode it was made in.
      const resumed = await resumeRun({
        path: flags.resume,
        mode: settings.mode,
        upload: settings.upload ?? true,
        printPayload: flags['print-payload'],
        apiUrl,
        apiKey: settings.api_key,
        yes: flags.yes,
        configDir: confDir,
        interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
        io: { out: (t) => this.log(t), err: (t) => this.logToStderr(t), input: process.stdin, output: process.stderr },
        hints,
      });
      this.log(`uploaded${resumed.mode === 'default' ? '' : ` (${resumed.mode})`}: ${resumed.upload.url}`);
      this.logToStderr(commandHint('check its signature', verifyCommand(resumed.upload.id, hints)));
      return;
    }

    // A config matrix runs one invocation — one signed submission — per (backend, model).
    const invocations = matrixInvocations(file, settings, { backendFlag: flags.backend, modelFlag: flags.model, workloadFlag: flags.workload });
    // Every invocation's workloads before the first runs: a matrix run naming W9 must not fail after others uploaded.
    for (const invocation of invocations) suitePlans(loadSuite(settings.suite ?? 'suite-v1'), invocation.workloads, { quick: flags.quick });
    for (const [i, invocation] of invocations.entries()) {
      if (invocations.length > 1) this.logToStderr(`\n[${i + 1}/${invocations.length}] ${invocation.backend ?? 'auto'} · ${invocation.model ?? 'default model'}`);
      if (this.abort.signal.aborted) break;
      await this.benchOnce({ ...settings, ...invocation }, flags, { mode, apiUrl, confDir, hints, energy });
    }
  }

  /**
   * Runs `engine install --offer` (the llama.cpp plugin's) when the backend bench would choose runs
   * on the CPU of a machine with a GPU: it asks in a terminal only, once per machine, and never
   * installs unasked. Resolves whether it installed a build.
   */
  private async offerGpuEngine(detected: Awaited<ReturnType<typeof detectDrivers>>, backend: string | undefined): Promise<boolean> {
    if (!process.stdin.isTTY || !process.stderr.isTTY || !this.config.findCommand('engine:install')) return false;
    let chosen;
    try {
      chosen = chooseDriver(detected, backend);
    } catch {
      return false;
    }
    if (chosen.detection.name !== 'llama.cpp' || chosen.detection.build?.kind !== 'cpu') return false;
    const gpus = (await collectFingerprint({ strictAnon: true })).gpus;
    if (!gpus.some(isAccelerator)) return false;
    const answer = (await this.config.runCommand('engine:install', ['--offer'])) as { installed?: boolean } | undefined;
    return answer?.installed === true;
  }

  private async benchOnce(
    settings: LlmSpeedConfig,
    flags: BenchFlags,
    env: { mode: NonNullable<LlmSpeedConfig['mode']>; apiUrl: string; confDir: string; hints: HintContext; energy: EnergySettings },
  ): Promise<void> {
    const { mode, apiUrl, confDir, hints, energy } = env;
    const suite = loadSuite(settings.suite ?? 'suite-v1');
    const workloads = suitePlans(suite, settings.workloads, { quick: flags.quick });
    const ctx = this.driverContext(settings);
    let detected = await detectDrivers(await this.discover(), ctx, { driverFlags: driverFlagSettings(flags) });
    // A terminal on a machine whose GPU the chosen engine would leave idle is offered the GPU build, once.
    if (!flags.json && (await this.offerGpuEngine(detected, settings.backend))) detected = await detectDrivers(await this.discover(), ctx, { driverFlags: driverFlagSettings(flags) });
    const progress = createProgress();
    let outcome;
    try {
      outcome = await runBench({
        detected,
        ctx,
        workloads,
        suiteVersion: suite.version,
        suiteDigest: suite.digest,
        backend: settings.backend,
        model: settings.model,
        quick: flags.quick,
        // --quick is one repetition unless --reps itself says otherwise (a config file's reps does not).
        reps: flags.quick && flags.reps === undefined ? undefined : settings.reps,
        strictAnon: mode === 'strict-anon',
        progress,
        powerMeter: energy.powerMeter,
        collectFingerprint,
        // The same probe as the fingerprint's, made once per process (fingerprint/collect.ts).
        machineGpus: async () => (await collectFingerprint({ strictAnon: true })).gpus,
      });
    } finally {
      progress.done();
    }
    const toStdout = flags.json === '-' || flags['print-payload'];
    // Laid out for the terminal it lands on (80 columns on a pipe): notes wrap under their row.
    const table = renderResultsTable(outcome.run, { width: tableWidth(toStdout ? process.stderr : process.stdout), pricePerKwh: energy.pricePerKwh });
    if (toStdout) this.logToStderr(table);
    else this.log(table);

    const published = await publishRun(outcome.run, {
      mode,
      dryRun: flags['dry-run'],
      interrupted: outcome.interrupted,
      upload: settings.upload ?? true,
      jsonPath: flags.json,
      printPayload: flags['print-payload'],
      includeRawTimings: settings.include_raw_timings ?? false,
      apiUrl,
      apiKey: settings.api_key,
      yes: flags.yes,
      configDir: confDir,
      runsDir: settings.cache_dir ? `${settings.cache_dir}/runs` : runsDir(process.env),
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
      io: { out: (t) => this.log(t), err: (t) => this.logToStderr(t), input: process.stdin, output: process.stderr },
      hints,
    });
    if (published.savedPath) this.logToStderr(`saved: ${published.savedPath}`);
    if (flags.json && flags.json !== '-') this.logToStderr(`written: ${flags.json}`);
    if (published.upload) {
      this.logToStderr(`published: ${published.upload.url}`);
      this.logToStderr(commandHint('check its signature', verifyCommand(published.upload.id, hints)));
    } else if (published.uploadSkipped) this.logToStderr(published.uploadSkipped);
  }
}
