/** The public pages, rendered from the repository on every request (no page cache). */
import type { MeasuredResult, RunPayload } from '@llm-speed/framework';
import type { ClusterRow, Dispute, RunRow, StoredResult } from '../repository.js';
import { MIN_CLUSTER_SIZE, SIGMA_THRESHOLD } from '../outliers.js';
import { slugify } from '../slug.js';
import { lineChart } from './charts.js';
import { html, layout, num, type SafeHtml } from './html.js';

export const WITHDRAWN_MESSAGE = 'The result was withdrawn during a dispute.';

const SIGNALS: Array<[keyof MeasuredResult, string, number]> = [
  ['ttft_ms', 'TTFT (ms)', 1],
  ['prefill_tps', 'prefill tok/s', 1],
  ['decode_tps', 'decode tok/s', 1],
  ['decode_p50_latency_ms', 'decode p50 (ms)', 2],
  ['decode_p95_latency_ms', 'decode p95 (ms)', 2],
  ['prompt_tokens', 'prompt tokens', 0],
  ['output_tokens', 'output tokens', 0],
  ['batch_size', 'batch', 0],
  ['context_tokens', 'context tokens', 0],
  ['wall_ms', 'wall (ms)', 0],
  ['prefix_cache_hit_rate', 'prefix-cache hit rate', 3],
  ['turn_p50_ms', 'turn p50 (ms)', 1],
  ['turn_p95_ms', 'turn p95 (ms)', 1],
];

function flagNote(z: number | null | undefined): SafeHtml | string {
  return z === null || z === undefined ? '' : html` <span class="flag" title="more than ${SIGMA_THRESHOLD}σ from its cluster">⚑ flagged (z = ${num(z, 1)})</span>`;
}

function workloadSection(r: MeasuredResult, index: number, stored: StoredResult): SafeHtml {
  const z = stored.flagged.get(index);
  const cluster = stored.clusters.get(index);
  const notComparable = stored.notComparable.get(index);
  const rows = SIGNALS.filter(([key]) => r[key] !== undefined).map(
    ([key, label, digits]) => html`<tr><th>${label}</th><td class="n" data-signal="${String(key)}">${typeof r[key] === 'number' ? num(r[key] as number, digits) : '—'}</td></tr>`,
  );
  const charts: SafeHtml[] = [];
  if (r.tiers?.length) {
    charts.push(
      lineChart(
        'W3 decay: tok/s by context length',
        'context tokens',
        [
          { label: 'decode tok/s', points: r.tiers.map((t) => ({ x: t.context_tokens, y: t.decode_tps })) },
          { label: 'prefill tok/s ÷ 10', points: r.tiers.map((t) => ({ x: t.context_tokens, y: t.prefill_tps === null ? null : t.prefill_tps / 10 })) },
        ],
        `chart-w3-${index}`,
      ),
      html`<table><tr><th>context</th><th>prefill tok/s</th><th>decode tok/s</th><th>TTFT (ms)</th><th>note</th></tr>
${r.tiers.map((t) => html`<tr><td class="n">${t.context_tokens}</td><td class="n">${num(t.prefill_tps)}</td><td class="n">${num(t.decode_tps)}</td><td class="n">${num(t.ttft_ms)}</td><td>${t.skipped ?? t.error ?? ''}</td></tr>`)}</table>`,
    );
  }
  if (r.batches?.length) {
    charts.push(
      lineChart(
        'W4 scaling: tok/s by batch size',
        'batch size',
        [
          { label: 'aggregate tok/s', points: r.batches.map((b) => ({ x: b.batch, y: b.aggregate_tps })) },
          { label: 'per-stream tok/s', points: r.batches.map((b) => ({ x: b.batch, y: b.per_stream_tps })) },
        ],
        `chart-w4-${index}`,
      ),
      html`<table><tr><th>batch</th><th>aggregate tok/s</th><th>per-stream tok/s</th><th>p50 (ms)</th><th>p95 (ms)</th></tr>
${r.batches.map((b) => html`<tr><td class="n">${b.batch}</td><td class="n">${num(b.aggregate_tps)}</td><td class="n">${num(b.per_stream_tps)}</td><td class="n">${num(b.p50_ms, 2)}</td><td class="n">${num(b.p95_ms, 2)}</td></tr>`)}</table>`,
    );
  }
  if (r.turns?.length) {
    charts.push(html`<table><tr><th>turn</th><th>TTFT (ms)</th><th>decode tok/s</th><th>prompt</th><th>output</th><th>wall (ms)</th><th>cache hit</th></tr>
${r.turns.map((t) => html`<tr><td class="n">${t.turn}</td><td class="n">${num(t.ttft_ms)}</td><td class="n">${num(t.decode_tps)}</td><td class="n">${t.prompt_tokens ?? '—'}</td><td class="n">${t.output_tokens ?? '—'}</td><td class="n">${num(t.wall_ms, 0)}</td><td class="n">${num(t.prefix_cache_hit_rate ?? null, 3)}</td></tr>`)}</table>`);
  }
  const extras = Object.entries(r.extras ?? {});
  return html`<section class="workload" id="w-${index}"><h3>${r.workload}${flagNote(z)}</h3>
<p>Model <a href="/m/${slugify(r.model.name)}">${r.model.name}</a> (<span class="mono">${r.model.identifier}</span>${r.model.size ? `, ${r.model.size}` : ''}${r.model.quant ? `, ${r.model.quant}` : ''}),
digest <span class="mono">${r.model.digest ?? '—'}</span>. Backend ${r.backend} ${r.backend_version}. Suite ${r.suite_version} (<span class="mono">${r.suite_digest}</span>).</p>
<table>${rows}</table>
${r.error ? html`<p>Error: ${r.error}</p>` : ''}
${r.flags.length ? html`<p>Flags: ${r.flags.join(', ')}</p>` : ''}
${notComparable ? html`<p class="not-comparable">Not comparable — not ranked, not counted in its group: ${notComparable.join('; ')}.</p>` : ''}
${extras.length ? html`<p>Extras: ${extras.map(([k, v]) => `${k}=${String(v)}`).join(', ')}</p>` : ''}
${cluster && cluster.n > 0 ? html`<p>Cluster (${cluster.n} runs): decode tok/s min ${num(cluster.min)} · median ${num(cluster.median)} · max ${num(cluster.max)}; ${cluster.flaggedCount} flagged.</p>` : ''}
${charts}</section>`;
}

export function runPage(stored: StoredResult, disputes: Dispute[]): string {
  const run = JSON.parse(stored.json) as RunPayload;
  const fp = run.fingerprint;
  const flagged = stored.flagged.size > 0;
  const body = html`<h1>Run <span class="mono">${stored.id}</span></h1>
<p>${fp.accelerator_summary} · ${run.results[0].model.name} · ${run.results[0].backend} ${run.results[0].backend_version}</p>
<p>State: ${flagged ? html`<span class="flag">flagged for review (${stored.flagged.size} workload${stored.flagged.size > 1 ? 's' : ''} &gt; ${SIGMA_THRESHOLD}σ from its cluster)</span>` : 'not flagged'}; ${disputes.length ? `${disputes.length} dispute thread(s)` : 'no disputes'}.
<a href="#dispute" id="dispute-link">Dispute this result</a> · <a href="/v1/results/${stored.id}">signed JSON</a></p>
<h2>Fingerprint</h2>
<table><tr><th>OS</th><td>${fp.os_name} ${fp.os_version}</td></tr><tr><th>CPU</th><td>${fp.cpu_model}, ${fp.cpu_cores} cores</td></tr>
<tr><th>RAM</th><td>${fp.ram_gb} GB</td></tr><tr><th>GPUs</th><td>${fp.gpus.map((g) => `${g.name} (${g.kind}, ${g.memory_gb} GB)`).join('; ') || '—'}</td></tr>
<tr><th>Accelerator</th><td><a href="/hw/${slugify(fp.accelerator_summary)}">${fp.accelerator_summary}</a></td></tr>
<tr><th>Fingerprint hash</th><td class="mono">${fp.fingerprint_hash ?? '— (strict-anon)'}</td></tr>
<tr><th>Backends</th><td>${Object.entries(fp.extras.backends).map(([k, v]) => `${k} ${v}`).join(', ')}</td></tr></table>
<h2>Provenance</h2>
<table><tr><th>CLI</th><td>${run.cli_version}</td></tr><tr><th>Started</th><td>${run.started_at}</td></tr><tr><th>Finished</th><td>${run.finished_at}</td></tr>
<tr><th>Received</th><td>${stored.receivedAt}</td></tr><tr><th>Public key</th><td class="mono" id="public-key">${run.public_key ?? ''}</td></tr>
<tr><th>Signature</th><td class="mono" id="signature">${run.signature ?? ''}</td></tr></table>
<p>Check it yourself: <code>llm-speed verify-run ${stored.id}</code></p>
<h2>Workloads</h2>
${run.results.map((r, i) => workloadSection(r, i, stored))}
<h2 id="dispute">Disputes</h2>
${disputes.map((d) => html`<article><h3>Dispute #${d.id} (opened ${d.openedAt})</h3>${d.messages.map((m) => html`<blockquote><small>${m.postedAt}</small><p>${m.body}</p></blockquote>`)}</article>`)}
<p>Open a dispute: <code>POST /v1/results/${stored.id}/disputes</code> with <code>{"message": "…"}</code>; reply with <code>POST /v1/disputes/&lt;n&gt;/messages</code>. A result that cannot be reproduced is withdrawn (METHODOLOGY §9).</p>`;
  return layout(`Run ${stored.id}`, body);
}

function spreadTable(clusters: ClusterRow[]): SafeHtml {
  if (clusters.length === 0) return html`<p>No results.</p>`;
  return html`<table class="groups"><tr><th>workload</th><th>model</th><th>backend</th><th>hardware</th><th>runs</th><th>decode tok/s min</th><th>median</th><th>max</th><th>flagged</th><th>best run</th></tr>
${clusters.map(
  (c) => html`<tr><td>${c.workload} <small>${c.suiteVersion}</small></td><td><a href="/m/${c.modelSlug}">${c.modelName}</a> <small class="mono">${c.modelQuant ?? ''} ${c.modelDigest ? c.modelDigest.slice(0, 12) : ''}</small></td>
<td>${c.backend} <small>${c.engine === c.backend ? '' : `${c.engine} · `}${c.build}</small></td><td><a href="/hw/${c.hardwareSlug}">${c.acceleratorSummary}</a> <small class="mono">${c.hardwareClass.startsWith('summary:') ? '' : c.hardwareClass}</small></td>
<td class="n">${c.n}</td><td class="n">${num(c.min)}</td><td class="n">${num(c.median)}</td><td class="n">${num(c.max)}</td>
<td class="n">${c.flaggedCount ? html`<span class="flag">⚑ ${c.flaggedCount}</span>` : '0'}</td><td>${c.bestResultId ? html`<a href="/r/${c.bestResultId}">${c.bestResultId}</a>` : ''}</td></tr>`,
)}</table>`;
}

function runsTable(runs: RunRow[]): SafeHtml {
  return html`<table class="runs"><tr><th>run</th><th>workload</th><th>model</th><th>backend</th><th>hardware</th><th>decode tok/s</th><th>received</th></tr>
${runs.map(
  (r) => html`<tr${r.flaggedZ !== null ? html` class="flagged"` : ''}><td><a href="/r/${r.resultId}">${r.resultId}</a></td><td>${r.workload}</td><td>${r.modelName}</td><td>${r.backend} ${r.backendVersion}</td>
<td>${r.acceleratorSummary}</td><td class="n">${num(r.decodeTps)}${flagNote(r.flaggedZ)}${r.comparable ? '' : html` <small class="not-comparable" title="${r.notComparable.join('; ')}">not ranked</small>`}</td><td>${r.receivedAt}</td></tr>`,
)}</table>`;
}

const GROUP_NOTE = html`<p><small>Grouped by (suite version × workload × model digest × backend × engine × build × hardware class); only comparable runs count — quick, interrupted, short-output, warm-cache and failed runs, and W4 with serial streams, are listed but never ranked or pooled (METHODOLOGY §6.1). Flags: a run more than ${SIGMA_THRESHOLD}σ from the other runs of its group, computed once a group has ${MIN_CLUSTER_SIZE} runs; flagged runs stay listed and are never a group's best run.</small></p>`;

export function listingPage(kind: 'model' | 'hardware', title: string, clusters: ClusterRow[], runs: RunRow[], limit: number): string {
  const body = html`<h1>${kind === 'model' ? 'Model' : 'Hardware'}: ${title}</h1>${GROUP_NOTE}
<h2>Groups</h2>${spreadTable(clusters)}
<h2>Latest runs</h2>${runsTable(runs)}${runs.length >= limit ? html`<p>Showing the latest ${limit}.</p>` : ''}`;
  return layout(`${kind === 'model' ? 'Model' : 'Hardware'} ${title}`, body);
}

export function cheatsheetPage(ranking: Map<string, ClusterRow[]>, total: number): string {
  const body = html`<h1>Cheatsheet: decode tok/s by workload</h1>
<p>${total} stored runs. Ranked by the median decode tok/s of each comparable group, recomputed from the database on every request.</p>${GROUP_NOTE}
${[...ranking].map(([workload, rows]) => html`<h2>${workload}</h2>${spreadTable(rows)}`)}`;
  return layout('Cheatsheet', body);
}

export function messagePage(title: string, message: string): string {
  return layout(title, html`<h1>${title}</h1><p class="message">${message}</p>`);
}
