/**
 * Reader for the Prometheus text exposition format (version 0.0.4), enough for vLLM's /metrics:
 * `name{label="v",...} value [timestamp]`, `# HELP`/`# TYPE` comments, escaped label values.
 */
export interface PrometheusSample {
  labels: Record<string, string>;
  value: number;
}

export type PrometheusMetrics = Map<string, PrometheusSample[]>;

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  return Number(text);
}

/** Parses `{a="x",b="y\"z"}` starting at `open` (the brace); returns the labels and the index after `}`. */
function parseLabels(line: string, open: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = open + 1;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq === -1) break;
    const key = line.slice(i, eq).trim();
    i = eq + 1;
    if (line[i] !== '"') break;
    i++;
    let value = '';
    while (i < line.length && line[i] !== '"') {
      if (line[i] === '\\' && i + 1 < line.length) {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : next;
        i += 2;
      } else {
        value += line[i++];
      }
    }
    labels[key] = value;
    i++; // closing quote
  }
  return { labels, end: line.length };
}

export function parsePrometheus(text: string): PrometheusMetrics {
  const metrics: PrometheusMetrics = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace !== -1 && (space === -1 || brace < space)) {
      name = line.slice(0, brace);
      const parsed = parseLabels(line, brace);
      labels = parsed.labels;
      rest = line.slice(parsed.end).trim();
    } else {
      if (space === -1) continue;
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = parseValue(rest.split(/\s+/)[0] ?? '');
    if (!name || (Number.isNaN(value) && rest.split(/\s+/)[0] !== 'NaN')) continue;
    let samples = metrics.get(name);
    if (!samples) metrics.set(name, (samples = []));
    samples.push({ labels, value });
  }
  return metrics;
}

/** Sum of a metric over all its label sets (e.g. over engines or models); undefined when absent. */
export function sumMetric(metrics: PrometheusMetrics, name: string): number | undefined {
  const samples = metrics.get(name);
  if (!samples || samples.length === 0) return undefined;
  return samples.reduce((sum, s) => sum + s.value, 0);
}

/** The first of several names (newest first) that the exposition has, summed. */
export function sumFirstMetric(metrics: PrometheusMetrics, names: string[]): number | undefined {
  for (const name of names) {
    const value = sumMetric(metrics, name);
    if (value !== undefined) return value;
  }
  return undefined;
}
