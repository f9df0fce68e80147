import type { Driver } from '@llm-speed/framework';
import { exllamaV2Driver } from '../driver.js';

/** Answers the `llm-speed:drivers` event with the ExLlamaV2 driver. */
export default async function drivers(): Promise<Driver> {
  return exllamaV2Driver;
}
