/**
 * The `energy` section of the config (METHODOLOGY §13): the user's electricity tariff and which power
 * meters to read, each also an LLM_SPEED_ENERGY_* variable and a flag, with the precedence every
 * setting has: flag > environment > config file > default. The tariff stays on this machine: it
 * prices the results table and is never put in a result.
 */
import type { LlmSpeedConfig } from '../contract/generated/config.js';
import { UsageError, ValidationError } from '../errors.js';
import { parsePricePerKwh } from '../meters/cost.js';
import { POWER_METER_CHOICES, type PowerMeterChoice } from '../meters/sampler.js';

export const ENERGY_PRICE_ENV = 'LLM_SPEED_ENERGY_PRICE_PER_KWH';
export const POWER_METER_ENV = 'LLM_SPEED_ENERGY_POWER_METER';

export interface EnergySettings {
  /** Price per kWh for the cost column; undefined: no cost shown. */
  pricePerKwh?: number;
  powerMeter: PowerMeterChoice;
}

function meterChoice(raw: string, where: string, fail: (message: string) => Error): PowerMeterChoice {
  if ((POWER_METER_CHOICES as readonly string[]).includes(raw)) return raw as PowerMeterChoice;
  throw fail(`${where}: "${raw}" is not a power meter; choose one of ${POWER_METER_CHOICES.join(', ')}`);
}

/**
 * Resolves the energy settings. A bad flag is a usage error (exit 2); a bad variable names the
 * variable; the file's section was already checked against config.schema.json when it was read.
 */
export function resolveEnergySettings(layers: { file?: LlmSpeedConfig['energy']; env?: NodeJS.ProcessEnv; flags?: { energyPrice?: string; powerMeter?: string } }): EnergySettings {
  const env = layers.env ?? {};
  const envFail = (message: string) => new ValidationError('environment', [message]);
  const flagFail = (message: string) => new UsageError(message);
  let price: number | undefined = layers.file?.price_per_kwh;
  const envPrice = env[ENERGY_PRICE_ENV];
  if (envPrice !== undefined && envPrice !== '') {
    const parsed = parsePricePerKwh(envPrice);
    if (typeof parsed !== 'number') throw envFail(`${ENERGY_PRICE_ENV}: ${parsed.problem}`);
    price = parsed;
  }
  if (layers.flags?.energyPrice !== undefined) {
    const parsed = parsePricePerKwh(layers.flags.energyPrice);
    if (typeof parsed !== 'number') throw flagFail(`--energy-price: ${parsed.problem}`);
    price = parsed;
  }
  let powerMeter: PowerMeterChoice = layers.file?.power_meter ?? 'auto';
  const envMeter = env[POWER_METER_ENV];
  if (envMeter !== undefined && envMeter !== '') powerMeter = meterChoice(envMeter, POWER_METER_ENV, envFail);
  if (layers.flags?.powerMeter !== undefined) powerMeter = meterChoice(layers.flags.powerMeter, '--power-meter', flagFail);
  return { ...(price !== undefined ? { pricePerKwh: price } : {}), powerMeter };
}
