/**
 * `llm-speed engine install` against a stand-in npm registry on 127.0.0.1 (scripts/local-registry.mjs,
 * as scripts/install-test.sh uses it), with a stand-in of node-llama-cpp's Vulkan package: the
 * real package's layout (package.json at the pinned version, dist/index.js exporting getBinsDir(),
 * bins/<platform>-vulkan/) without its 74 MB of binaries. Download, integrity failure, no space,
 * offline; then the embedded engine asks node-llama-cpp for the installed build.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create } from 'tar';
import { llamaCppDriver } from '../../src/driver.js';
import { nodeLlamaCppVersion } from '../../src/embedded/session.js';
import { EngineInstallError, installEngine } from '../../src/engine/install.js';
import { engineBuilds, PINNED_NODE_LLAMA_CPP, type EngineBuild } from '../../src/engine/packages.js';
import { enginesRoot, installedEngines, removeEngines } from '../../src/engine/store.js';
import { tempDir, tinyModel, modelCacheDir } from './helpers.js';
import { createHash } from 'node:crypto';

const REGISTRY_SCRIPT = fileURLToPath(new URL('../../../../scripts/local-registry.mjs', import.meta.url));
const NAME = '@node-llama-cpp/linux-x64-vulkan';

async function standInPackage(dir: string, version: string, marker: string): Promise<string> {
  const pkg = join(dir, 'src', 'package');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  mkdirSync(join(pkg, 'bins', 'linux-x64-vulkan'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: NAME, version, type: 'module', main: 'dist/index.js' }));
  // What node-llama-cpp imports (its compileLLamaCpp.js getBinariesPathFromModules); it also records that it was imported.
  writeFileSync(
    join(pkg, 'dist', 'index.js'),
    `import { writeFileSync } from 'node:fs';\nimport path from 'node:path';\nimport { fileURLToPath } from 'node:url';\nconst __dirname = path.dirname(fileURLToPath(import.meta.url));\nwriteFileSync(${JSON.stringify(marker)}, __dirname);\nexport function getBinsDir() { return { binsDir: path.join(__dirname, '..', 'bins'), packageVersion: ${JSON.stringify(version)} }; }\n`,
  );
  writeFileSync(join(pkg, 'bins', 'linux-x64-vulkan', '_nlcBuildMetadata.json'), JSON.stringify({ buildOptions: { gpu: 'vulkan' } }));
  mkdirSync(join(dir, 'registry'));
  const file = join(dir, 'registry', 'node-llama-cpp-linux-x64-vulkan.tgz');
  await create({ gzip: true, file, cwd: join(dir, 'src') }, ['package']);
  return file;
}

function startRegistry(folder: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [REGISTRY_SCRIPT, '--dir', folder], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.once('data', (chunk: Buffer) => resolve({ url: chunk.toString().split('\n')[0]!.trim(), child }));
    child.once('error', reject);
  });
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('engine pins', () => {
  it('are the integrity and version the monorepo was tested with (package-lock.json): a node-llama-cpp bump must update them', async () => {
    const lock = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../package-lock.json', import.meta.url)), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
    assert.equal(lock.packages['node_modules/node-llama-cpp']?.version, PINNED_NODE_LLAMA_CPP);
    const pinned = engineBuilds('linux', 'x64').flatMap((b) => b.packages);
    assert.equal(pinned.length, 3);
    for (const p of pinned) assert.equal(p.integrity, lock.packages[`node_modules/${p.name}`]?.integrity, p.name);
  });
});

describe('llm-speed engine install (stand-in registry on 127.0.0.1)', function () {
  this.timeout(120_000);
  let work: { path: string; remove(): void };
  let registry: { url: string; child: ChildProcess };
  let tarball: string;
  let integrity: string;
  let version: string;
  const env = (): NodeJS.ProcessEnv => ({ LLM_SPEED_DATA_DIR: join(work.path, 'data') });
  const build = (pin: Partial<EngineBuild['packages'][number]> = {}): EngineBuild => ({
    gpu: 'vulkan',
    needs: 'a Vulkan loader',
    packages: [{ name: NAME, integrity, tarballBytes: 1000, unpackedBytes: 1000, ...pin }],
  });
  const nothingLeft = () => assert.deepEqual(existsSync(enginesRoot(env())) ? readdirSync(enginesRoot(env())) : [], [], 'nothing half-made is left behind');

  before(async () => {
    work = tempDir();
    version = await nodeLlamaCppVersion();
    tarball = await standInPackage(work.path, version, join(work.path, 'imported'));
    integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    registry = await startRegistry(join(work.path, 'registry'));
  });
  after(() => {
    registry.child.kill('SIGTERM');
    work.remove();
  });

  it('refuses a download that does not match the pinned integrity, and installs nothing', async () => {
    const wrong = `sha512-${createHash('sha512').update('other bytes').digest('base64')}`;
    await assert.rejects(installEngine({ build: build({ integrity: wrong }), nodeLlamaCppVersion: version, registry: registry.url, env: env() }), (error: unknown) => {
      assert.ok(error instanceof EngineInstallError);
      assert.equal(error.reason, 'integrity');
      assert.match(error.message, /does not match its pinned integrity .*nothing was installed/);
      return true;
    });
    nothingLeft();
  });

  it('refuses to start when the disk cannot hold it, and installs nothing', async () => {
    await assert.rejects(installEngine({ build: build({ unpackedBytes: 1e18 }), nodeLlamaCppVersion: version, registry: registry.url, env: env() }), (error: unknown) => {
      assert.ok(error instanceof EngineInstallError);
      assert.equal(error.reason, 'no-space');
      assert.match(error.message, /^not enough disk space in .*engines: the engine needs about 1000000000001 MB, \d+ MB free; nothing was installed$/);
      assert.ok(error.suggestions.some((s) => s.includes('LLM_SPEED_DATA_DIR')));
      return true;
    });
    nothingLeft();
  });

  it('offline: says the registry cannot be reached, and installs nothing', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/`;
    await assert.rejects(installEngine({ build: build(), nodeLlamaCppVersion: version, registry: url, env: env() }), (error: unknown) => {
      assert.ok(error instanceof EngineInstallError);
      assert.equal(error.reason, 'offline');
      assert.match(error.message, new RegExp(`^cannot reach the npm registry at ${url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\)`));
      return true;
    });
    nothingLeft();
  });

  it('a version the registry does not have is named as such', async () => {
    await assert.rejects(
      installEngine({ build: build(), nodeLlamaCppVersion: '0.0.1', registry: registry.url, env: env() }),
      (error: unknown) => error instanceof EngineInstallError && error.reason === 'not-published',
    );
    nothingLeft();
  });

  it('downloads, checks and unpacks it; the embedded engine asks node-llama-cpp for that build; remove frees it', async () => {
    const lines: string[] = [];
    const engine = await installEngine({ build: build(), nodeLlamaCppVersion: version, registry: registry.url, env: env(), log: (l) => lines.push(l) });
    assert.equal(engine.folder, join(enginesRoot(env()), `node-llama-cpp-${version}`));
    assert.ok(existsSync(join(engine.folder, 'node_modules', '@node-llama-cpp', 'linux-x64-vulkan', 'dist', 'index.js')));
    assert.match(lines[0]!, new RegExp(`^downloading ${NAME}@${version} \\(0 MB\\) from ${registry.url}`));
    const [listed] = await installedEngines(env());
    assert.deepEqual({ gpu: listed!.gpu, v: listed!.nodeLlamaCppVersion, packages: listed!.packages }, { gpu: 'vulkan', v: version, packages: [{ name: NAME, version, integrity }] });
    assert.ok(listed!.bytes > 0);

    // node-llama-cpp's own import("@node-llama-cpp/linux-x64-vulkan") reaches the installed copy
    // (it would otherwise find the monorepo's). The stand-in has no binary, so the engine says the
    // build did not load and runs on the CPU: backend_build is what node-llama-cpp reports.
    const logs: string[] = [];
    const ctx = { config: {}, cacheDir: modelCacheDir, env: { PATH: '', ...env() }, signal: new AbortController().signal, log: (l: string) => logs.push(l) };
    const detection = await llamaCppDriver.detect(ctx);
    assert.deepEqual(detection.build, { kind: 'vulkan' });
    const session = await llamaCppDriver.open(await tinyModel(), { contextTokens: 512, parallel: 1 }, ctx);
    try {
      assert.equal(readFileSync(join(work.path, 'imported'), 'utf8'), join(engine.folder, 'node_modules', '@node-llama-cpp', 'linux-x64-vulkan', 'dist'));
      assert.ok(
        logs.some((l) => /^embedded engine: the VULKAN build did not load/.test(l)),
        logs.join('\n'),
      );
      assert.deepEqual(session.backendBuild, { kind: 'cpu' });
      assert.equal(session.gpuHint, 'llm-speed engine install');
    } finally {
      await session.close();
    }

    const removed = await removeEngines(undefined, env());
    assert.equal(removed.length, 1);
    assert.ok(removed[0]!.bytes > 0);
    assert.deepEqual(await installedEngines(env()), []);
  });
});
