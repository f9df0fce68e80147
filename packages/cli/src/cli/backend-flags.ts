/**
 * The flags every command that talks to drivers shares (bench, detect, list-models), in two help
 * groups that say what they are: where the backends are (BACKEND FLAGS), and where llm-speed's own
 * configuration and files are (CONFIGURATION FLAGS). Each mirrors a config key and its
 * LLM_SPEED_* variable, which resolveSettings applies with the precedence flag > env > config >
 * default; a flag for a driver plugin's setting (--openai-compat-url) goes to that driver's
 * settings, validated against its schema (config/driver-settings.ts in the framework).
 */
import { Flags } from '@oclif/core';
import type { DriverSettingsLayers, LlmSpeedConfig } from '@llm-speed/framework';

const BACKEND = 'BACKEND';
const CONFIGURATION = 'CONFIGURATION';

export const backendFlags = {
  'llama-cpp-path': Flags.string({ description: 'llama-server binary or the folder holding it (LLM_SPEED_LLAMA_CPP_PATH).', helpGroup: BACKEND }),
  'llama-cpp-url': Flags.string({ description: 'Attach to a running llama-server at this URL (LLM_SPEED_LLAMA_CPP_URL).', helpGroup: BACKEND }),
  'llama-cpp-log': Flags.string({ description: "The attached llama-server's log file, to read which devices it runs on (LLM_SPEED_LLAMA_CPP_LOG).", helpGroup: BACKEND }),
  'ollama-host': Flags.string({ description: 'Ollama daemon, e.g. http://127.0.0.1:11434 (LLM_SPEED_OLLAMA_HOST, then OLLAMA_HOST).', helpGroup: BACKEND }),
  'vllm-url': Flags.string({ description: 'Running vLLM server, e.g. http://127.0.0.1:8000 (LLM_SPEED_VLLM_URL).', helpGroup: BACKEND }),
  'openai-compat-url': Flags.string({
    description: "Any OpenAI-compatible server's API root, e.g. http://127.0.0.1:1234/v1 for LM Studio (drivers.openai-compat.base_url, LLM_SPEED_OPENAI_COMPAT_BASE_URL).",
    helpGroup: BACKEND,
  }),
  python: Flags.string({ description: 'Python interpreter for the MLX and exllamav2 runners (LLM_SPEED_PYTHON).', helpGroup: BACKEND }),
};

export const configurationFlags = {
  config: Flags.string({ description: 'Config file to read settings from (LLM_SPEED_CONFIG; default: search the current folder; `llm-speed config init` writes one).', helpGroup: CONFIGURATION }),
  'config-dir': Flags.string({ description: 'Where the signing key, upload consent and login live (LLM_SPEED_CONFIG_DIR).', helpGroup: CONFIGURATION }),
  'cache-dir': Flags.string({ description: 'Where runs and generated models are kept (LLM_SPEED_CACHE_DIR).', helpGroup: CONFIGURATION }),
};

type FlagValues = { [K in keyof typeof backendFlags | keyof typeof configurationFlags]?: string };

/** The config keys the backend and configuration flags set (undefined where a flag was not given). */
export function backendSettings(flags: FlagValues): Partial<LlmSpeedConfig> {
  return {
    llama_cpp_path: flags['llama-cpp-path'],
    llama_cpp_url: flags['llama-cpp-url'],
    llama_cpp_log: flags['llama-cpp-log'],
    ollama_host: flags['ollama-host'],
    vllm_url: flags['vllm-url'],
    python: flags.python,
    cache_dir: flags['cache-dir'],
    config_dir: flags['config-dir'],
  };
}

/** Driver settings the flags set, per driver, each with the flag that set it (for error messages). */
export function driverFlagSettings(flags: FlagValues): Record<string, DriverSettingsLayers['flags']> {
  return { 'openai-compat': { base_url: { value: flags['openai-compat-url'], flag: '--openai-compat-url' } } };
}
