/**
 * Every config key, its LLM_SPEED_* environment variable and how to parse it. One table, so a
 * key cannot exist in the config file without an env var (and vice versa).
 */
import type { LlmSpeedConfig } from '../contract/generated/config.js';

export type SettingKey = Exclude<keyof LlmSpeedConfig, '$schema' | 'matrix' | 'drivers' | 'energy'>;
type Kind = 'string' | 'boolean' | 'list' | 'integer';

export const SETTINGS: Record<SettingKey, Kind> = {
  api_url: 'string',
  api_key: 'string',
  mode: 'string',
  upload: 'boolean',
  include_raw_timings: 'boolean',
  cache_dir: 'string',
  config_dir: 'string',
  suite: 'string',
  backend: 'string',
  model: 'string',
  workloads: 'list',
  reps: 'integer',
  llama_cpp_path: 'string',
  llama_cpp_url: 'string',
  llama_cpp_log: 'string',
  ollama_host: 'string',
  vllm_url: 'string',
  python: 'string',
};

export function envVarFor(key: SettingKey): string {
  return `LLM_SPEED_${key.toUpperCase()}`;
}

export function parseEnvValue(key: SettingKey, raw: string): unknown {
  switch (SETTINGS[key]) {
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return raw; // left for schema validation to reject with the variable's name
    case 'integer':
      // A whole number reads as one; anything else is left for the schema to reject with the variable's name.
      return /^\s*[0-9]+\s*$/.test(raw) ? Number(raw) : raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}
