/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */

/**
 * A versioned workload suite. Prompts live in fixture files beside the suite; their SHA-256 digests are pinned here so a result names the exact bytes it ran.
 */
export interface SuiteDefinition {
  suite_version: string;
  description?: string;
  reference_tokenizer?: ReferenceTokenizer;
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
   * Fixture file name → SHA-256 hex of its bytes. Every fixture a workload names must be listed; the loader refuses a fixture whose bytes differ.
   */
  fixtures: {
    [k: string]: string;
  };
}
/**
 * The tokenizer the fixture prompts were sized with; reference_tokens are counted with it (no BOS, no chat template).
 *
 * This interface was referenced by `SuiteDefinition`'s JSON-Schema
 * via the `definition` "ReferenceTokenizer".
 */
export interface ReferenceTokenizer {
  name: string;
  /**
   * Where the tokenizer comes from, so anyone can re-measure.
   */
  source: string;
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
   * Fixture holding the agent conversation (agent-trace), an AgentTrace.
   */
  trace_fixture?: string;
  /**
   * context-tiers: fixtures joined (each followed by one extra newline) into the filler unit that is repeated and cut to each tier's length.
   *
   * @minItems 1
   */
  filler_fixtures?: [string, ...string[]];
  /**
   * context-tiers: text put before the filler; {context_tokens} is replaced by the tier. Every tier's first tokens differ, so no tier reuses another's cached prefix.
   */
  tier_header?: string;
  /**
   * concurrent: text put before every stream's prompt; {stream} (1-based) and {batch} are replaced. Distinct prompts per stream and per batch size defeat cross-stream prefix caching: each stream pays its own prefill, as independent users would.
   */
  stream_header?: string;
  /**
   * The prompt size METHODOLOGY names (128, 4096, 1024, ~16k).
   */
  nominal_prompt_tokens?: number;
  /**
   * Prompt tokens measured with the suite's reference_tokenizer (single: the prompt; concurrent: stream 1 of batch 1; agent-trace: the contents of the last turn's messages, no chat template).
   */
  reference_tokens?: number;
  /**
   * Tokens to generate per request: per stream, per tier, per turn.
   */
  output_tokens: number;
  batch_sizes?: number[];
  /**
   * context-tiers: one prompt per tier, header + filler cut to a fixed number of characters, so every machine sends the same bytes.
   *
   * @minItems 1
   */
  context_tiers?: [ContextTier, ...ContextTier[]];
  /**
   * Runs only when named with --workload.
   */
  opt_in?: boolean;
}
/**
 * This interface was referenced by `SuiteDefinition`'s JSON-Schema
 * via the `definition` "ContextTier".
 */
export interface ContextTier {
  /**
   * The tier: the context a request needs, prompt + output + chat-template headroom.
   */
  context_tokens: number;
  /**
   * Length of the tier prompt in characters (fixtures are ASCII, so also bytes).
   */
  chars: number;
  /**
   * Tokens of the tier prompt under the suite's reference_tokenizer.
   */
  reference_tokens?: number;
}
/**
 * An agent-trace fixture. Turn k sends the system message, every earlier turn's append messages and assistant message, then turn k's append messages. The fixed assistant message, not what the model generated, goes into the history, so every machine sends the same bytes at every turn.
 *
 * This interface was referenced by `SuiteDefinition`'s JSON-Schema
 * via the `definition` "AgentTrace".
 */
export interface AgentTrace {
  description?: string;
  system: string;
  /**
   * @minItems 1
   */
  turns: [AgentTraceTurn, ...AgentTraceTurn[]];
}
/**
 * This interface was referenced by `SuiteDefinition`'s JSON-Schema
 * via the `definition` "AgentTraceTurn".
 */
export interface AgentTraceTurn {
  /**
   * User or tool messages added before the model generates.
   *
   * @minItems 1
   */
  append: [TraceMessage, ...TraceMessage[]];
  /**
   * The assistant message appended to the history after the turn.
   */
  assistant: string;
}
/**
 * This interface was referenced by `SuiteDefinition`'s JSON-Schema
 * via the `definition` "TraceMessage".
 */
export interface TraceMessage {
  role: 'user' | 'tool';
  content: string;
  /**
   * Tool name, for role tool.
   */
  name?: string;
}
