import type { Driver } from '@llm-speed/framework';
import { vllmDriver } from '../driver.js';

/** Answers the `llm-speed:drivers` event with the vLLM driver. */
export default async function drivers(): Promise<Driver> {
  return vllmDriver;
}
