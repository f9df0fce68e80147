import type { Driver } from '@llm-speed/framework';

export default async function drivers(): Promise<Driver> {
  const { tinyserveDriver } = await import('../driver.js');
  return tinyserveDriver;
}
