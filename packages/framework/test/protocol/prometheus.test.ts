/** Format: Prometheus "Exposition formats → Text-based format" (version 0.0.4). */
import assert from 'node:assert/strict';
import { parsePrometheus, sumMetric, sumFirstMetric } from '../../src/index.js';

const TEXT = `# HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.
# TYPE vllm:prefix_cache_queries_total counter
vllm:prefix_cache_queries_total{engine="0",model_name="m"} 1200.0
vllm:prefix_cache_queries_total{engine="1",model_name="m"} 300.0
# TYPE vllm:prefix_cache_hits_total counter
vllm:prefix_cache_hits_total{engine="0",model_name="m"} 960.0
weird{path="a\\"b,c}",x="1"} 2 1700000000000
plain_metric 3.5e2
inf_metric +Inf
`;

describe('parsePrometheus', () => {
  it('reads samples with labels, escaped values and timestamps, skipping comments', () => {
    const m = parsePrometheus(TEXT);
    assert.deepEqual(m.get('vllm:prefix_cache_queries_total'), [
      { labels: { engine: '0', model_name: 'm' }, value: 1200 },
      { labels: { engine: '1', model_name: 'm' }, value: 300 },
    ]);
    assert.deepEqual(m.get('weird'), [{ labels: { path: 'a"b,c}', x: '1' }, value: 2 }]);
    assert.equal(m.get('plain_metric')![0]!.value, 350);
    assert.equal(m.get('inf_metric')![0]!.value, Infinity);
    assert.equal(m.has('# HELP'), false);
  });

  it('sums a metric over label sets, and picks the first name present', () => {
    const m = parsePrometheus(TEXT);
    assert.equal(sumMetric(m, 'vllm:prefix_cache_queries_total'), 1500);
    assert.equal(sumMetric(m, 'absent'), undefined);
    assert.equal(sumFirstMetric(m, ['vllm:gpu_prefix_cache_hits_total', 'vllm:prefix_cache_hits_total']), 960);
  });
});
