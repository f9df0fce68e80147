/**
 * Electricity cost per million tokens (METHODOLOGY §13.3), at a tariff the user gives
 * (`energy.price_per_kwh`, LLM_SPEED_ENERGY_PRICE_PER_KWH, --energy-price). It is computed where it
 * is shown, from the result's energy, and never stored in a result: the user's tariff is not
 * uploaded. The board shows cost at REFERENCE_PRICE_PER_KWH, stated beside every figure.
 */
import type { Energy } from '../contract/generated/workload-result.js';

/** The board's stated tariff: 0.15 in a currency unit per kWh, a round figure, not a market price. */
export const REFERENCE_PRICE_PER_KWH = 0.15;

const JOULES_PER_KWH = 3.6e6;

/**
 * Cost of a million tokens at `pricePerKwh`, from joules per token: the gross figure of the whole
 * timed part per output token (what the meters drew while the answer was produced, prompt
 * included) — the electricity a user pays, idle draw and all.
 */
export function costPerMillionTokens(joulesPerToken: number, pricePerKwh: number): number {
  return ((joulesPerToken * 1e6) / JOULES_PER_KWH) * pricePerKwh;
}

/** Cost per million output tokens of a result, or null when its energy has no per-token figure. */
export function resultCostPerMillion(energy: Energy | undefined, pricePerKwh: number): number | null {
  const perToken = energy?.total?.gross_j_per_token;
  return typeof perToken === 'number' ? costPerMillionTokens(perToken, pricePerKwh) : null;
}

/** A tariff from a flag, variable or config value: a finite positive number, else an error message naming the problem. */
export function parsePricePerKwh(raw: unknown): number | { problem: string } {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 100) {
    return { problem: `${JSON.stringify(raw)} is not a price per kWh: give a positive number such as 0.15 (at most 100)` };
  }
  return value;
}
