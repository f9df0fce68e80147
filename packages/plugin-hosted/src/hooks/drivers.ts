import type { Driver } from '@llm-speed/framework';
import { hostedDriver } from '../driver.js';

/** Answers the `llm-speed:drivers` event with the hosted-API driver. */
export default async function drivers(): Promise<Driver> {
  return hostedDriver;
}
