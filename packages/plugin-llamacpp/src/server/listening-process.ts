/**
 * Which local process serves an attached llama-server's URL, so its build can be read from the
 * binary that actually runs (METHODOLOGY §4): /props names the commit but no device, and a CPU
 * server logs none either. Linux only, from procfs (proc(5)): /proc/net/tcp{,6} lists listening
 * sockets with their inode, /proc/<pid>/fd/* links to "socket:[<inode>]", /proc/<pid>/exe is the
 * binary and /proc/<pid>/cmdline its arguments. Elsewhere, or for another user's process, nothing
 * is found and the caller falls back to what the user said (--llama-cpp-path, --llama-cpp-log).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServingProcess {
  pid: number;
  /** The running binary (/proc/<pid>/exe). */
  exe: string;
  /** Its command line, without the binary. */
  args: string[];
}

const LISTEN = '0A';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The inodes of sockets listening on `port`, from the text of /proc/net/tcp or tcp6: a header
 * line, then one socket a line, "sl local_address rem_address st tx:rx tr:when retrnsmt uid
 * timeout inode ...", addresses as hex "ADDR:PORT" and the state 0A for LISTEN.
 */
export function listeningInodes(table: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const localPort = Number.parseInt(cols[1]!.split(':')[1] ?? '', 16);
    if (localPort === port && cols[3] === LISTEN && cols[9] !== '0') inodes.push(cols[9]!);
  }
  return inodes;
}

/** The process listening on the URL's port, when the URL is this machine's loopback and procfs can tell. */
export async function servingProcess(url: string, procRoot = '/proc'): Promise<ServingProcess | undefined> {
  if (process.platform !== 'linux' && procRoot === '/proc') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!LOOPBACK_HOSTS.has(parsed.hostname)) return undefined;
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const tables = await Promise.all(['tcp', 'tcp6'].map((t) => readFile(join(procRoot, 'net', t), 'utf8').catch(() => '')));
  const wanted = new Set(tables.flatMap((t) => listeningInodes(t, port)).map((inode) => `socket:[${inode}]`));
  if (wanted.size === 0) return undefined;
  const pids = (await readdir(procRoot).catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fdDir = join(procRoot, pid, 'fd');
    const fds = await readdir(fdDir).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(join(fdDir, fd)).catch(() => '');
      if (!wanted.has(target)) continue;
      const exe = await readlink(join(procRoot, pid, 'exe')).catch(() => undefined);
      if (!exe) return undefined;
      const cmdline = await readFile(join(procRoot, pid, 'cmdline'), 'utf8').catch(() => '');
      return { pid: Number(pid), exe: exe.replace(/ \(deleted\)$/, ''), args: cmdline.split('\0').filter(Boolean).slice(1) };
    }
  }
  return undefined;
}

/**
 * Whether a llama-server command line keeps the model off every GPU: `-ngl 0` (also
 * `--n-gpu-layers`/`--gpu-layers`, with a space or "="), or `--device none` / `-dev none`
 * (llama.cpp common/arg.cpp).
 */
export function runsOnCpuOnly(args: readonly string[]): boolean {
  const value = (names: string[]): string | undefined => {
    let found: string | undefined;
    args.forEach((arg, i) => {
      for (const name of names) {
        if (arg === name) found = args[i + 1];
        else if (arg.startsWith(`${name}=`)) found = arg.slice(name.length + 1);
      }
    });
    return found;
  };
  return value(['-ngl', '--n-gpu-layers', '--gpu-layers']) === '0' || value(['-dev', '--device'])?.toLowerCase() === 'none';
}
