import type { Driver } from '@llm-speed/framework';

/**
 * Answers the `llm-speed:drivers` event. The driver module is imported here, not at the top, so
 * nothing of the plugin loads until a command actually needs drivers.
 */
export default async function drivers(): Promise<Driver> {
  const { echoDriver } = await import('../driver.js');
  return echoDriver;
}
