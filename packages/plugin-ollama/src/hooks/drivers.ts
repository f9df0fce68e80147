import type { Driver } from '@llm-speed/framework';
import { ollamaDriver } from '../driver.js';

/** Answers the `llm-speed:drivers` event with the Ollama driver. */
export default async function drivers(): Promise<Driver> {
  return ollamaDriver;
}
