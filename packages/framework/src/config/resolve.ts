/**
 * Resolves settings with one precedence everywhere: flag > LLM_SPEED_* env > config file > default.
 * Config files are found by cosmiconfig (llm-speed.config.{json,yaml,js,ts}, .llm-speedrc*,
 * or the "llm-speed" key of package.json) and validated against config.schema.json.
 */
import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';
import type { LlmSpeedConfig } from '../contract/generated/config.js';
import { check } from '../contract/validate.js';
import { LlmSpeedError, ValidationError, errorMessage } from '../errors.js';
import { envVarFor, parseEnvValue, SETTINGS, type SettingKey } from './settings.js';

export interface LoadedConfigFile {
  path: string | null;
  config: LlmSpeedConfig;
}

/** YAML whose document is only comments reads as null, which cosmiconfig takes for "no config here": it is an empty one. */
const yamlOrEmpty: Loader = async (filepath, content) => ((await defaultLoaders['.yaml'](filepath, content)) as unknown) ?? {};

const explorer = () =>
  cosmiconfig('llm-speed', {
    loaders: { '.yaml': yamlOrEmpty, '.yml': yamlOrEmpty, noExt: yamlOrEmpty },
    searchPlaces: [
      'package.json',
      'llm-speed.config.json',
      'llm-speed.config.yaml',
      'llm-speed.config.yml',
      'llm-speed.config.js',
      'llm-speed.config.mjs',
      'llm-speed.config.ts',
      '.llm-speedrc',
      '.llm-speedrc.json',
      '.llm-speedrc.yaml',
      '.llm-speedrc.yml',
      '.llm-speedrc.js',
    ],
    searchStrategy: 'none',
    // A file of comments only (a fresh `llm-speed config init`) is the config file, an empty one:
    // skipping it would silently read another file further down the list instead.
    ignoreEmptySearchPlaces: false,
  });

/** Loads an explicit file (--config) or searches the working directory. */
export async function loadConfigFile(options: { file?: string; cwd?: string } = {}): Promise<LoadedConfigFile> {
  let found: { filepath: string; config: unknown } | null;
  try {
    found = options.file ? await explorer().load(options.file) : await explorer().search(options.cwd ?? process.cwd());
  } catch (error) {
    const where = options.file ?? 'the config file';
    throw new LlmSpeedError('config', `could not read ${where}: ${errorMessage(error).split('\n')[0]}`, {
      suggestions: ['Check the file exists and is valid JSON, YAML or JavaScript.'],
    });
  }
  if (!found) return { path: null, config: {} };
  const problems = check('config', found.config ?? {});
  if (problems.length > 0) {
    throw new ValidationError(`config file ${found.filepath}`, problems, [
      'Every key, with what it does: `llm-speed config init --print` (a commented example); `llm-speed validate <file> --schema config` checks a file.',
    ]);
  }
  return { path: found.filepath, config: (found.config ?? {}) as LlmSpeedConfig };
}

/** Settings from LLM_SPEED_* variables; a malformed value is an error naming the variable. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial<LlmSpeedConfig> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const raw = env[envVarFor(key)];
    if (raw !== undefined && raw !== '') out[key] = parseEnvValue(key, raw);
  }
  const problems = check('config', out);
  if (problems.length > 0) {
    throw new ValidationError(
      'environment',
      problems.map((p) => p.replace(/^\/(\w+)/, (_, k: string) => envVarFor(k as SettingKey))),
    );
  }
  return out as Partial<LlmSpeedConfig>;
}

/** flag > env > config > default, key by key. Undefined flags do not mask lower layers. */
export function mergeSettings(layers: { flags?: Partial<LlmSpeedConfig>; env?: Partial<LlmSpeedConfig>; file?: Partial<LlmSpeedConfig>; defaults?: Partial<LlmSpeedConfig> }): LlmSpeedConfig {
  const out: Record<string, unknown> = {};
  for (const layer of [layers.defaults, layers.file, layers.env, layers.flags]) {
    for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) out[k] = v;
  }
  return out as LlmSpeedConfig;
}

export async function resolveSettings(options: {
  flags?: Partial<LlmSpeedConfig>;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  defaults?: Partial<LlmSpeedConfig>;
}): Promise<{ settings: LlmSpeedConfig; configPath: string | null; file: LlmSpeedConfig }> {
  const env = options.env ?? process.env;
  const loaded = await loadConfigFile({ file: options.configFile ?? env.LLM_SPEED_CONFIG, cwd: options.cwd });
  const { matrix: _matrix, $schema: _schema, ...fileSettings } = loaded.config;
  const settings = mergeSettings({ defaults: options.defaults, file: fileSettings, env: settingsFromEnv(env), flags: options.flags });
  return { settings, configPath: loaded.path, file: loaded.config };
}
