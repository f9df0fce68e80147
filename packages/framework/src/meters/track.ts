/**
 * One meter's readings over time, as cumulative energy: an energy counter gives it directly, a
 * power reading is integrated (trapezoids between readings). Energy over any window is then the
 * difference of two interpolated values, whatever the meter — so a phase boundary that falls
 * between two readings takes its share of that interval, and nothing is guessed beyond the last
 * reading (a window past it has no figure).
 */
import type { EnergyMeter } from '../contract/generated/workload-result.js';

export type MeterName = EnergyMeter['meter'];
export type Domain = EnergyMeter['domain'];

export interface Reading {
  /** Harness clock (performance.now()), ms. */
  t: number;
  /** Joules since the track began. */
  e: number;
  /** Power at t in W: the reading itself for power meters, the slope since the previous reading for counters. */
  w: number;
}

export interface Interval {
  from: number;
  to: number;
}

export class EnergyTrack {
  readonly readings: Reading[] = [];
  /** A counter's value at the first reading: the track counts from there. */
  private origin = 0;
  constructor(
    readonly meter: MeterName,
    readonly domain: Domain,
    /** What the track sums, e.g. "GPU 0" (local only, never in a result). */
    readonly label: string,
    readonly intervalMs: number,
  ) {}

  /** A counter meter's reading: joules counted so far (already unwrapped). */
  addEnergy(t: number, joules: number): void {
    const last = this.readings[this.readings.length - 1];
    if (last && t <= last.t) return;
    if (!last) {
      this.origin = joules;
      this.readings.push({ t, e: 0, w: 0 });
      return;
    }
    const e = joules - this.origin;
    this.readings.push({ t, e, w: ((e - last.e) / (t - last.t)) * 1000 });
  }

  /** A power meter's reading in W. */
  addPower(t: number, watts: number): void {
    const last = this.readings[this.readings.length - 1];
    if (last && t <= last.t) return;
    const e = last ? last.e + ((last.w + watts) / 2) * ((t - last.t) / 1000) : 0;
    this.readings.push({ t, e, w: watts });
  }

  /** A reading that is an average over the interval ending at t (powermetrics): energy grows by W × interval. */
  addAverage(t: number, watts: number, overMs: number): void {
    const last = this.readings[this.readings.length - 1];
    if (last && t <= last.t) return;
    if (!last) this.readings.push({ t: t - overMs, e: 0, w: watts });
    const prev = this.readings[this.readings.length - 1]!;
    this.readings.push({ t, e: prev.e + watts * (overMs / 1000), w: watts });
  }

  get lastT(): number | undefined {
    return this.readings[this.readings.length - 1]?.t;
  }

  /** Cumulative joules at t, interpolated; undefined outside the readings. */
  energyAt(t: number): number | undefined {
    const r = this.readings;
    if (r.length === 0 || t < r[0]!.t || t > r[r.length - 1]!.t) return undefined;
    const i = upperBound(r, t);
    if (i === 0) return r[0]!.e;
    const a = r[i - 1]!;
    const b = r[i];
    if (!b) return a.e;
    return a.e + ((b.e - a.e) * (t - a.t)) / (b.t - a.t);
  }

  /** Power at t: the reading's own for power meters, the slope of the interval around t for counters. */
  powerAt(t: number): number | undefined {
    const r = this.readings;
    if (r.length === 0 || t < r[0]!.t || t > r[r.length - 1]!.t) return undefined;
    const i = upperBound(r, t);
    if (i > 0 && r[i - 1]!.t === t) return r[i - 1]!.w;
    return r[Math.min(i, r.length - 1)]!.w;
  }

  /** Readings with from ≤ t < to. */
  samplesIn(window: Interval): number {
    return upperBound(this.readings, window.to - 1e-9) - upperBound(this.readings, window.from - 1e-9);
  }

  /** Times of the readings inside the window. */
  timesIn(window: Interval): number[] {
    const out: number[] = [];
    for (const r of this.readings) if (r.t >= window.from && r.t < window.to) out.push(r.t);
    return out;
  }

  joulesIn(window: Interval): number | undefined {
    const a = this.energyAt(window.from);
    const b = this.energyAt(window.to);
    return a === undefined || b === undefined ? undefined : b - a;
  }

  /** Drops readings before t, keeping the last one before it (the interpolation needs it). */
  prune(t: number): void {
    const i = upperBound(this.readings, t);
    if (i > 1) this.readings.splice(0, i - 1);
  }
}

/** Index of the first reading with t > x. */
function upperBound(readings: Reading[], x: number): number {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (readings[mid]!.t <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
