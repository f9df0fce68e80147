/**
 * The energy settings (config/energy.ts): each key of the config's `energy` section has its
 * LLM_SPEED_ENERGY_* variable and its flag, with the precedence every setting has (flag > env >
 * file > default); a bad value names where it came from, and a bad flag is a usage error (exit 2).
 */
import assert from 'node:assert/strict';
import { schemas } from '@llm-speed/schemas';
import { ENERGY_PRICE_ENV, POWER_METER_ENV, resolveEnergySettings } from '../../src/config/energy.js';
import { LlmSpeedError, UsageError, ValidationError } from '../../src/errors.js';

describe('energy settings', () => {
  it('each key of the energy section has its variable', () => {
    const keys = Object.keys((schemas.config as { properties: { energy: { properties: object } } }).properties.energy.properties);
    assert.deepEqual(keys.sort(), ['power_meter', 'price_per_kwh']);
    assert.equal(ENERGY_PRICE_ENV, 'LLM_SPEED_ENERGY_PRICE_PER_KWH');
    assert.equal(POWER_METER_ENV, 'LLM_SPEED_ENERGY_POWER_METER');
  });

  it('flag > environment > config file > default', () => {
    assert.deepEqual(resolveEnergySettings({}), { powerMeter: 'auto' });
    const file = { price_per_kwh: 0.1, power_meter: 'none' as const };
    assert.deepEqual(resolveEnergySettings({ file }), { pricePerKwh: 0.1, powerMeter: 'none' });
    const env = { [ENERGY_PRICE_ENV]: '0.2', [POWER_METER_ENV]: 'auto' };
    assert.deepEqual(resolveEnergySettings({ file, env }), { pricePerKwh: 0.2, powerMeter: 'auto' });
    assert.deepEqual(resolveEnergySettings({ file, env, flags: { energyPrice: '0.35', powerMeter: 'powermetrics' } }), { pricePerKwh: 0.35, powerMeter: 'powermetrics' });
  });

  it('a bad flag is a usage error (exit 2) naming the flag; a bad variable names the variable', () => {
    assert.throws(
      () => resolveEnergySettings({ flags: { energyPrice: 'abc' } }),
      (e: unknown) => e instanceof UsageError && (e as LlmSpeedError).exitCode === 2 && /^--energy-price: "abc" is not a price per kWh: give a positive number such as 0.15/.test((e as Error).message),
    );
    assert.throws(() => resolveEnergySettings({ flags: { energyPrice: '-1' } }), UsageError);
    assert.throws(() => resolveEnergySettings({ flags: { powerMeter: 'rapl' } }), /--power-meter: "rapl" is not a power meter; choose one of auto, none, powermetrics/);
    assert.throws(
      () => resolveEnergySettings({ env: { [ENERGY_PRICE_ENV]: '0' } }),
      (e: unknown) => e instanceof ValidationError && /LLM_SPEED_ENERGY_PRICE_PER_KWH: "0" is not a price per kWh/.test((e as Error).message),
    );
    assert.throws(() => resolveEnergySettings({ env: { [POWER_METER_ENV]: 'nvml' } }), /LLM_SPEED_ENERGY_POWER_METER: "nvml" is not a power meter/);
  });
});
