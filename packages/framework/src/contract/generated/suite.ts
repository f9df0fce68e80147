/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */

/**
 * A versioned workload suite. Prompts live in fixture files beside the suite; their SHA-256 digests are pinned here so a result names the exact bytes it ran.
 */
export interface SuiteDefinition {
  suite_version: string;
  description?: string;
  /**
   * @minItems 1
   */
  default_workloads: [string, ...string[]];
  quick?: QuickProfile;
  /**
   * @minItems 1
   */
  workloads: [WorkloadDefinition, ...WorkloadDefinition[]];
  /**
   * Fixture file name → SHA-256 hex of its bytes.
   */
  fixtures: {
    [k: string]: string;
  };
}
/**
 * The --quick smoke test: which workloads, and shorter outputs. Results of --quick carry the quick flag.
 *
 * This interface was referenced by `SuiteDefinition`'s JSON-Schema
 * via the `definition` "QuickProfile".
 */
export interface QuickProfile {
  workloads: string[];
  output_tokens: number;
  batch_sizes?: number[];
  max_turns?: number;
}
/**
 * This interface was referenced by `SuiteDefinition`'s JSON-Schema
 * via the `definition` "WorkloadDefinition".
 */
export interface WorkloadDefinition {
  id: string;
  name: 'chat-short' | 'chat-long' | 'long-context-decay' | 'concurrent-decode' | 'agent-trace';
  title?: string;
  kind: 'single' | 'context-tiers' | 'concurrent' | 'agent-trace';
  /**
   * Fixture holding the prompt text (single, concurrent) or the filler text that tiers are cut from (context-tiers).
   */
  prompt_fixture?: string;
  /**
   * Fixture holding the agent conversation (agent-trace).
   */
  trace_fixture?: string;
  nominal_prompt_tokens?: number;
  output_tokens: number;
  batch_sizes?: number[];
  context_tiers?: number[];
  /**
   * Runs only when named with --workload.
   */
  opt_in?: boolean;
}
