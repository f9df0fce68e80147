/**
 * W5's tool results for a chat template without a tool role: sent as a user turn that says what
 * it is. One wording for both engines, so they render the same conversation the same way.
 */
import type { ChatMessage } from '@llm-speed/framework';

export function toolResultAsUserText(message: ChatMessage): string {
  return `Tool result (${message.name ?? 'tool'}): ${message.content}`;
}
