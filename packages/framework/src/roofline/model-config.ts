/**
 * The model's shape from a Hugging Face-style `config.json` (METHODOLOGY §13.4), for drivers whose
 * backend loads safetensors checkpoints (vLLM, MLX, exllamav2) and has no GGUF to read. The
 * dimensions give the parameters a token passes through — attention (q, k, v, o), the MLP (three
 * matrices: gate, up, down; for a mixture of experts the router, the experts a token uses and any
 * shared expert), two norms a layer, the final norm, the output matrix (the embeddings, read whole,
 * when `tie_word_embeddings`) and one embedding row — and `bytesPerWeight` turns them into bytes
 * (2 for bfloat16/float16; a quantised checkpoint's effective size, scales included). Returns the
 * reason when a dimension is missing.
 */
import type { ModelShape } from '../contract/driver.js';

export interface HfModelConfig {
  hidden_size?: number;
  num_hidden_layers?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  head_dim?: number;
  intermediate_size?: number;
  vocab_size?: number;
  tie_word_embeddings?: boolean;
  /** Mixture of experts (Mixtral: num_local_experts; Qwen-MoE and others: num_experts). */
  num_local_experts?: number;
  num_experts?: number;
  num_experts_per_tok?: number;
  moe_intermediate_size?: number;
  shared_expert_intermediate_size?: number;
}

export function shapeFromHfConfig(config: HfModelConfig, bytesPerWeight: number, kvElementBytes = 2): { shape: ModelShape } | { reason: string } {
  const { hidden_size: hidden, num_hidden_layers: layers, num_attention_heads: heads, intermediate_size: intermediate, vocab_size: vocab } = config;
  if (!hidden || !layers || !heads || !vocab) return { reason: 'the model config lacks hidden_size, num_hidden_layers, num_attention_heads or vocab_size' };
  if (!(bytesPerWeight > 0)) return { reason: 'the bytes per weight of the checkpoint are not known' };
  const kvHeads = config.num_key_value_heads ?? heads;
  const headDim = config.head_dim ?? hidden / heads;
  const attention = hidden * heads * headDim * 2 + hidden * kvHeads * headDim * 2;
  const experts = config.num_local_experts ?? config.num_experts;
  let mlp: number;
  if (experts && config.num_experts_per_tok) {
    const expertWidth = config.moe_intermediate_size ?? intermediate;
    if (!expertWidth) return { reason: 'the model config gives no expert width (moe_intermediate_size)' };
    mlp = hidden * experts + Math.min(config.num_experts_per_tok, experts) * 3 * hidden * expertWidth + 3 * hidden * (config.shared_expert_intermediate_size ?? 0);
  } else {
    if (!intermediate) return { reason: 'the model config lacks intermediate_size' };
    mlp = 3 * hidden * intermediate;
  }
  const perLayer = attention + mlp + 2 * hidden;
  const output = vocab * hidden;
  const weights = layers * perLayer + hidden + output + hidden;
  return {
    shape: {
      weightBytesPerToken: weights * bytesPerWeight,
      kvBytesPerContextToken: layers * kvHeads * headDim * 2 * kvElementBytes,
      kvElementBytes,
      source: 'config',
    },
  };
}
