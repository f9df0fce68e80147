import type { Driver } from '@llm-speed/framework';
import { mlxDriver } from '../driver.js';

/** Answers the `llm-speed:drivers` event with the MLX driver. */
export default async function drivers(): Promise<Driver> {
  return mlxDriver;
}
