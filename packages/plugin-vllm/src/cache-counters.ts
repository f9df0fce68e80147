/**
 * vLLM prefix-cache counters from its Prometheus /metrics, both counted in prompt tokens.
 *
 * Names (vLLM production-metrics docs, docs/usage/metrics.md / docs/design/metrics.md, and
 * expositions captured from vLLM 0.10.x servers; found with the search tool):
 * - V1 engine: Counters `vllm:prefix_cache_queries` ("in terms of number of queried tokens") and
 *   `vllm:prefix_cache_hits` ("in terms of number of cached tokens"), which prometheus_client
 *   exposes with the `_total` suffix.
 * - Earlier V1 releases: `vllm:gpu_prefix_cache_queries_total` / `vllm:gpu_prefix_cache_hits_total`
 *   (same meaning; 0.10.x exposes both, the gpu_ names deprecated).
 * The V0 engine only had a gauge `vllm:gpu_prefix_cache_hit_rate`, which cannot be differenced
 * around a workload, so it is not used. Counters are summed over label sets (engine, model_name).
 */
import { parsePrometheus, sumFirstMetric } from '@llm-speed/framework';

const QUERIES = ['vllm:prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries_total', 'vllm:prefix_cache_queries', 'vllm:gpu_prefix_cache_queries'];
const HITS = ['vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total', 'vllm:prefix_cache_hits', 'vllm:gpu_prefix_cache_hits'];

export function prefixCacheCounters(metricsText: string): { queries: number; hits: number } | undefined {
  const metrics = parsePrometheus(metricsText);
  const queries = sumFirstMetric(metrics, QUERIES);
  const hits = sumFirstMetric(metrics, HITS);
  if (queries === undefined || hits === undefined) return undefined;
  return { queries, hits };
}
