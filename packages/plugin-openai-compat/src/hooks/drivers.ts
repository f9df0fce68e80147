import type { Driver } from '@llm-speed/framework';

/** Answers the `llm-speed:drivers` event with the OpenAI-compatible driver (loaded only when a command needs drivers). */
export default async function drivers(): Promise<Driver> {
  const { openAiCompatDriver } = await import('../driver.js');
  return openAiCompatDriver;
}
