import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LlmSpeedError } from '@llm-speed/framework';

/**
 * The synthetic models' tokenizer is llama.cpp's own vocab-only test model
 * `models/ggml-vocab-llama-spm.gguf` (32,000 llama SentencePiece tokens), taken from the llama.cpp
 * source tree that node-llama-cpp ships as a git bundle. node-llama-cpp is pinned, so these bytes
 * are the same on every machine; the file is extracted once and cached by node-llama-cpp version.
 */
export const VOCAB_PATH_IN_LLAMA_CPP = 'models/ggml-vocab-llama-spm.gguf';
const GIT_DEADLINE_MS = 180_000;

const INSTALL_HINT = 'Install it with `npm install node-llama-cpp@3.22.1` (an optional dependency of @llm-speed/plugin-llamacpp).';

interface NodeLlamaCppSource {
  /** The package's root folder. */
  dir: string;
  bundle: string;
}

function locateNodeLlamaCpp(): NodeLlamaCppSource {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('node-llama-cpp');
  } catch (error) {
    throw new LlmSpeedError('missing-dependency', 'The synthetic model needs the tokenizer from node-llama-cpp, which is not installed.', {
      suggestions: [INSTALL_HINT],
      cause: error,
    });
  }
  // Walk up from the entry point to the package root (its exports do not expose package.json).
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'llama'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new LlmSpeedError('missing-dependency', `Cannot find node-llama-cpp's package folder from ${entry}.`, { suggestions: [INSTALL_HINT] });
    dir = parent;
  }
  const bundle = join(dir, 'llama', 'gitRelease.bundle');
  if (!existsSync(bundle)) {
    throw new LlmSpeedError('missing-dependency', `node-llama-cpp is installed without its llama.cpp source bundle (${bundle} is missing).`, {
      suggestions: ['Reinstall it: `npm install node-llama-cpp@3.22.1`.'],
    });
  }
  return { dir, bundle };
}

function git(args: string[], options: { cwd?: string } = {}): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd: options.cwd, encoding: 'buffer', maxBuffer: 256 << 20, timeout: GIT_DEADLINE_MS }, (error, stdout, stderr) => {
      if (!error) return resolvePromise(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new LlmSpeedError('missing-dependency', "git is needed to extract the tokenizer from node-llama-cpp's llama.cpp source bundle, and it is not on PATH.", {
            suggestions: ['Install git (e.g. `apt-get install git`, `brew install git`, or https://git-scm.com/downloads) and run the command again.'],
            cause: error,
          }),
        );
      }
      reject(new LlmSpeedError('vocab', `git ${args[0]} failed while extracting ${VOCAB_PATH_IN_LLAMA_CPP}: ${stderr.toString().trim() || error.message}`, { cause: error }));
    });
  });
}

/**
 * Returns the path of the vocab-only GGUF: already extracted beside the bundle (the standalone
 * archive ships it there, built without git: scripts/pack-standalone.mjs), else the cached copy,
 * else extracted from the bundle into the cache on first use.
 */
export async function ensureVocabGguf(cacheDir: string): Promise<string> {
  const source = locateNodeLlamaCpp();
  const shipped = join(source.dir, 'llama', VOCAB_PATH_IN_LLAMA_CPP);
  if (existsSync(shipped)) return shipped;
  const pkg = JSON.parse(await readFile(join(source.dir, 'package.json'), 'utf8')) as { version?: string };
  const version = pkg.version ?? 'unknown';
  const target = join(cacheDir, 'vocab', `node-llama-cpp-${version}`, 'ggml-vocab-llama-spm.gguf');
  if (existsSync(target)) return target;

  await mkdir(dirname(target), { recursive: true });
  const work = await mkdtemp(join(dirname(target), 'extract-'));
  try {
    await git(['init', '--quiet', '--bare', work]);
    const heads = (await git(['bundle', 'list-heads', source.bundle])).toString().trim().split('\n');
    const ref = heads[0]?.split(/\s+/)[1];
    if (!ref) throw new LlmSpeedError('vocab', `${source.bundle} lists no refs; reinstall node-llama-cpp.`);
    await git(['fetch', '--quiet', source.bundle, ref], { cwd: work });
    const bytes = await git(['show', `FETCH_HEAD:${VOCAB_PATH_IN_LLAMA_CPP}`], { cwd: work });
    const tmp = `${target}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
