import type { DetectReport } from '../contract/generated/driver.js';
import { describeBuild } from './results-table.js';

export function renderDetectReport(report: DetectReport): string {
  const f = report.fingerprint;
  const lines = [
    'Hardware (exactly what an upload carries):',
    `  OS          ${f.os_name} ${f.os_version}`,
    `  CPU         ${f.cpu_model}, ${f.cpu_cores} cores`,
    `  RAM         ${f.ram_gb} GB (nearest 8 GB)`,
    ...(f.gpus.length === 0 ? ['  GPU         none'] : f.gpus.map((g) => `  GPU         ${g.name} (${g.kind}, ${g.memory_gb} GB)`)),
    `  Summary     ${f.accelerator_summary}`,
    `  Class hash  ${f.fingerprint_hash ?? '(omitted)'}`,
    '',
    'Backends:',
  ];
  const width = Math.max(8, ...report.drivers.map((d) => d.name.length));
  for (const d of report.drivers) {
    // The build says what the backend computes on (cuda, metal, cpu, ...), as the backend itself reports it.
    const state = d.available ? `detected  ${d.version ?? ''}${d.build ? ` · ${describeBuild(d.build)}` : ''}` : `skipped   ${d.reason ?? ''}`;
    lines.push(`  ${d.name.padEnd(width)}  ${state}`.trimEnd());
  }
  if (report.drivers.length === 0) lines.push('  (no driver plugins installed: llm-speed plugins install <package>)');
  for (const s of report.skipped_plugins ?? []) lines.push(`  ${s.plugin}: skipped: ${s.reason}`);
  return lines.join('\n');
}
