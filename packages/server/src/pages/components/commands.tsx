/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** "Reproduce this run" and "Verify it": command lines exact for this run and this server. */
import { reproducibility, type MeasuredResult, type RunPayload } from '@llm-speed/framework';
import type { Site } from '../site.js';

/** POSIX shell quoting: bare when safe, else single quotes (a quote inside becomes '\''). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9._/:@+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One `llm-speed bench` line per backend × model the run measured (nearly always one). */
export function reproduceCommands(run: RunPayload, site: Site): string[] {
  const setups = new Map<string, MeasuredResult[]>();
  for (const r of run.results as MeasuredResult[]) {
    const key = `${r.backend}\u0000${r.model.identifier}\u0000${r.suite_version ?? ''}`;
    setups.set(key, [...(setups.get(key) ?? []), r]);
  }
  return [...setups.values()].map((results) => {
    const first = results[0]!;
    const words = ['llm-speed', 'bench'];
    if (first.suite_version) words.push('--suite', first.suite_version);
    words.push('--workload', [...new Set(results.map((r) => r.workload))].join(','));
    words.push('--backend', first.backend, '--model', first.model.identifier);
    if (results.some((r) => (r.flags ?? []).includes('quick'))) words.push('--quick');
    if (site.apiUrl) words.push('--api-url', site.apiUrl);
    return words.map((w, i) => (i < 2 ? w : shellQuote(w))).join(' ');
  });
}

export function verifyCommand(id: string, site: Site): string {
  return ['llm-speed', 'verify-run', id, ...(site.apiUrl ? ['--api-url', shellQuote(site.apiUrl)] : [])].join(' ');
}

/**
 * What the run can be reproduced from (METHODOLOGY §7.2, issue 26.22): one sentence per distinct
 * backend and model, from the framework's reproducibility(result) — a server reached through an
 * API names its model but cannot prove the weights, quant or build were the same.
 */
export function Reproducibility({ run }: { run: RunPayload }) {
  const seen = new Map<string, ReturnType<typeof reproducibility>>();
  for (const r of run.results as MeasuredResult[]) {
    const verdict = reproducibility(r);
    seen.set(verdict.sentence, verdict);
  }
  return (
    <>
      {[...seen.values()].map((v) => (
        <p class={`reproducibility ${v.level}`} data-level={v.level}>
          {v.level === 'named' ? <strong>Not pinned: </strong> : null}
          {v.sentence}
        </p>
      ))}
    </>
  );
}

export function Commands({ run, id, site }: { run: RunPayload; id: string; site: Site }) {
  const digest = (run.results[0] as MeasuredResult | undefined)?.model.digest;
  return (
    <section id="reproduce">
      <h2>Reproduce this run</h2>
      <Reproducibility run={run} />
      {reproduceCommands(run, site).map((line) => (
        <pre>
          <code class="reproduce-command">{line}</code>
        </pre>
      ))}
      <p>
        <small>
          <code>--model</code> is the model as this run names it: point it at your copy of the same weights
          {digest ? (
            <>
              {' '}
              (digest <span class="mono">{digest.slice(0, 16)}…</span>)
            </>
          ) : null}
          . Run it on the same hardware class to set your figures beside these (METHODOLOGY §7.2).
        </small>
      </p>
      <h2>Verify it</h2>
      <pre>
        <code id="verify-command">{verifyCommand(id, site)}</code>
      </pre>
      <p>
        <small>Fetches the stored JSON, recomputes its canonical form and checks the Ed25519 signature against the embedded key (METHODOLOGY §7.3).</small>
      </p>
    </section>
  );
}
