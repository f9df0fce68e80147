import type { Driver } from '@llm-speed/framework';
import { llamaCppDriver } from '../driver.js';

/** Answers the `llm-speed:drivers` event with the llama.cpp driver. */
export default async function drivers(): Promise<Driver> {
  return llamaCppDriver;
}
