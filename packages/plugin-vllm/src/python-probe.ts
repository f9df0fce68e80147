/** Asks the user's Python for an installed package's version, with a deadline (imports can be slow). */
import { execFile } from 'node:child_process';

export function pythonPackageVersion(python: string, module: string, timeoutMs = 20_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', `import ${module}; print(${module}.__version__)`],
      { timeout: timeoutMs, windowsHide: true, env: { ...process.env, PYTHONWARNINGS: 'ignore' } },
      (error, stdout) => {
        if (error) return resolve(undefined);
        const version = stdout.trim().split('\n').pop()?.trim();
        resolve(version || undefined);
      },
    );
  });
}
