/**
 * Where the backends and local state are: the same flags on every command that talks to drivers
 * (bench, detect, list-models), each mirroring a config key and its LLM_SPEED_* variable, which
 * resolveSettings applies with the precedence flag > env > config > default.
 */
import { Flags } from '@oclif/core';
import type { LlmSpeedConfig } from '@llm-speed/framework';

export const backendFlags = {
  'llama-cpp-path': Flags.string({ description: 'llama-server binary or the folder holding it (LLM_SPEED_LLAMA_CPP_PATH).', helpGroup: 'BACKEND' }),
  'llama-cpp-url': Flags.string({ description: 'Attach to a running llama-server at this URL (LLM_SPEED_LLAMA_CPP_URL).', helpGroup: 'BACKEND' }),
  'llama-cpp-log': Flags.string({ description: "The attached llama-server's log file, to read which devices it runs on (LLM_SPEED_LLAMA_CPP_LOG).", helpGroup: 'BACKEND' }),
  'ollama-host': Flags.string({ description: 'Ollama daemon, e.g. http://127.0.0.1:11434 (LLM_SPEED_OLLAMA_HOST, then OLLAMA_HOST).', helpGroup: 'BACKEND' }),
  'vllm-url': Flags.string({ description: 'Running vLLM server, e.g. http://127.0.0.1:8000 (LLM_SPEED_VLLM_URL).', helpGroup: 'BACKEND' }),
  python: Flags.string({ description: 'Python interpreter for the MLX and exllamav2 runners (LLM_SPEED_PYTHON).', helpGroup: 'BACKEND' }),
  'cache-dir': Flags.string({ description: 'Where runs and generated models are kept (LLM_SPEED_CACHE_DIR).', helpGroup: 'BACKEND' }),
  'config-dir': Flags.string({ description: 'Where the signing key, consent and login live (LLM_SPEED_CONFIG_DIR).', helpGroup: 'BACKEND' }),
};

type BackendFlagValues = { [K in keyof typeof backendFlags]?: string };

/** The config keys the backend flags set (undefined where a flag was not given). */
export function backendSettings(flags: BackendFlagValues): Partial<LlmSpeedConfig> {
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
