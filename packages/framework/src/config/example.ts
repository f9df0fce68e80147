/**
 * The commented example config that `llm-speed config init` writes and templates/ ships
 * (templates/llm-speed.config.yaml is this text; a test keeps them equal). YAML, because JSON has
 * no comments and cosmiconfig reads llm-speed.config.yaml like the JSON form. Every key of
 * config.schema.json appears with its description (which names its variable and flag) and an
 * example value, commented out: the file changes nothing until a line is uncommented, and every
 * example value is valid when it is (tested).
 */
import { schemas } from '@llm-speed/schemas';
import { REPO_URL } from '../upload/fetch-run.js';
import { SETTINGS, type SettingKey } from './settings.js';

/** The file `config init` writes by default: one cosmiconfig finds in the working folder. */
export const EXAMPLE_CONFIG_FILE = 'llm-speed.config.yaml';

/** An example value per key, as YAML (each valid against config.schema.json). */
const EXAMPLES: Record<SettingKey, string> = {
  api_url: 'https://api.llm-speed.com',
  api_key: 'your-token',
  mode: 'anon',
  upload: 'false',
  include_raw_timings: 'false',
  cache_dir: '/data/llm-speed/cache',
  config_dir: '/data/llm-speed/config',
  suite: 'suite-v1',
  backend: 'llama.cpp',
  model: './models/qwen2.5-7b-instruct-q4_k_m.gguf',
  workloads: '[W1, W2, W5]',
  reps: '5',
  llama_cpp_path: '/opt/llama.cpp/build/bin/llama-server',
  llama_cpp_url: 'http://127.0.0.1:8080',
  llama_cpp_log: './llama-server.log',
  ollama_host: 'http://127.0.0.1:11434',
  vllm_url: 'http://127.0.0.1:8000',
  python: 'python3',
};

/** Sections with more than one line: energy, the driver plugins' settings and a run matrix. */
const NESTED_EXAMPLES: Record<'energy' | 'drivers' | 'matrix', string[]> = {
  energy: ['energy:', '  price_per_kwh: 0.15                # LLM_SPEED_ENERGY_PRICE_PER_KWH, --energy-price', '  power_meter: auto                 # LLM_SPEED_ENERGY_POWER_METER, --power-meter'],
  drivers: [
    'drivers:',
    '  openai-compat:                     # the bundled driver for any OpenAI-compatible server',
    '    base_url: http://127.0.0.1:1234/v1   # LLM_SPEED_OPENAI_COMPAT_BASE_URL, --openai-compat-url',
    '    exact_output_length: false       # LLM_SPEED_OPENAI_COMPAT_EXACT_OUTPUT_LENGTH',
  ],
  matrix: ['matrix:', '  runs:', '    - backend: llama.cpp', '      models: [./models/a.gguf, ./models/b.gguf]', '    - backend: ollama', '      models: ["llama3.2:3b"]'],
};

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The example config. `uncommented: true` gives the same file with every example line active
 * (the test that holds the examples valid); the default leaves them commented.
 */
export function exampleConfig(options: { uncommented?: boolean } = {}): string {
  const properties = (schemas.config as { properties: Record<string, { description?: string }> }).properties;
  const example = (line: string) => (options.uncommented ? line : `# ${line}`);
  const out: string[] = [
    '# llm-speed configuration, written by `llm-speed config init`.',
    '#',
    '# Every key is optional: remove the "# " before a key (and the lines under it) to set it.',
    '# Precedence, key by key: a flag > its LLM_SPEED_* environment variable > this file > the default.',
    '# The CLI reads this file from the folder it runs in, or the one --config / LLM_SPEED_CONFIG names.',
    '# Check it with: llm-speed validate llm-speed.config.yaml',
    `# More: ${REPO_URL}#configuration`,
  ];
  const keys = [...Object.keys(SETTINGS), 'energy', 'drivers', 'matrix'] as Array<SettingKey | 'energy' | 'drivers' | 'matrix'>;
  for (const key of keys) {
    out.push('');
    for (const line of wrap(properties[key]?.description ?? '', 96)) out.push(`# ${line}`);
    if (key === 'energy' || key === 'drivers' || key === 'matrix') out.push(...NESTED_EXAMPLES[key].map(example));
    else out.push(example(`${key}: ${EXAMPLES[key]}`));
  }
  return out.join('\n') + '\n';
}
