/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */

/**
 * llm-speed.config.{json,yaml,js,ts}, .llm-speedrc* or the llm-speed key of package.json. Every key has an LLM_SPEED_* environment variable and a flag; precedence is flag > env > config > default.
 */
export interface LlmSpeedConfig {
  $schema?: string;
  /**
   * Results server (LLM_SPEED_API_URL, --api-url).
   */
  api_url?: string;
  /**
   * Bearer token for the results server (LLM_SPEED_API_KEY, --api-key).
   */
  api_key?: string;
  /**
   * Privacy mode (LLM_SPEED_MODE, --anon / --strict-anon).
   */
  mode?: 'default' | 'anon' | 'strict-anon';
  /**
   * false is --no-upload (LLM_SPEED_UPLOAD).
   */
  upload?: boolean;
  /**
   * Upload per-token timings too (LLM_SPEED_INCLUDE_RAW_TIMINGS).
   */
  include_raw_timings?: boolean;
  /**
   * Where runs and generated models are kept (LLM_SPEED_CACHE_DIR).
   */
  cache_dir?: string;
  /**
   * Where keys and consent live (LLM_SPEED_CONFIG_DIR).
   */
  config_dir?: string;
  /**
   * Suite version (LLM_SPEED_SUITE, --suite).
   */
  suite?: string;
  /**
   * Default backend (LLM_SPEED_BACKEND, --backend).
   */
  backend?: string;
  /**
   * Default model (LLM_SPEED_MODEL, --model).
   */
  model?: string;
  /**
   * Default workloads (LLM_SPEED_WORKLOADS, --workload).
   */
  workloads?: string[];
  /**
   * Timed repetitions of every workload (LLM_SPEED_REPS, --reps). Default: adaptive, METHODOLOGY §6.3 (W1 and W2 until decode is within ±2 %, W4 and W5 three times within a time budget); --quick: 1.
   */
  reps?: number;
  /**
   * llama-server binary or its folder (LLM_SPEED_LLAMA_CPP_PATH, --llama-cpp-path).
   */
  llama_cpp_path?: string;
  /**
   * Attach to a running llama-server (LLM_SPEED_LLAMA_CPP_URL, --llama-cpp-url).
   */
  llama_cpp_url?: string;
  /**
   * The attached llama-server's log file: its start-up lines say which devices it loaded the model on, which /props does not (LLM_SPEED_LLAMA_CPP_LOG, --llama-cpp-log).
   */
  llama_cpp_log?: string;
  /**
   * Ollama daemon (LLM_SPEED_OLLAMA_HOST, falls back to OLLAMA_HOST).
   */
  ollama_host?: string;
  /**
   * Running vLLM server (LLM_SPEED_VLLM_URL, --vllm-url).
   */
  vllm_url?: string;
  /**
   * Python interpreter for the MLX and exllamav2 runners (LLM_SPEED_PYTHON).
   */
  python?: string;
  /**
   * Energy measurement (METHODOLOGY §13): the tariff the results table shows electricity cost at, and which power meters to read.
   */
  energy?: {
    /**
     * Your electricity price per kWh: the results table shows cost per million tokens at it. Local only, never uploaded (LLM_SPEED_ENERGY_PRICE_PER_KWH, --energy-price).
     */
    price_per_kwh?: number;
    /**
     * auto: every power meter found (nvidia-smi, amdgpu hwmon, RAPL); none: no energy figures; powermetrics: macOS, as root (LLM_SPEED_ENERGY_POWER_METER, --power-meter).
     */
    power_meter?: 'auto' | 'none' | 'powermetrics';
  };
  /**
   * Settings of driver plugins: a section per driver, under its name, holding that driver's keys. Each driver validates its section against the settings schema it declares. A key is also read from LLM_SPEED_<NAME>_<KEY> (name and key upper-cased, - and . as _), which wins over this file.
   */
  drivers?: {
    [k: string]: {};
  };
  /**
   * A run matrix: one invocation (one signed submission) per backend × model.
   */
  matrix?: {
    /**
     * @minItems 1
     */
    runs: [
      {
        backend: string;
        models?: string[];
        workloads?: string[];
      },
      ...{
        backend: string;
        models?: string[];
        workloads?: string[];
      }[]
    ];
  };
}
