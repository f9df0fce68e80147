/**
 * Typed errors that carry a user-facing message and what to do about it.
 * Commands turn them into one clear line and a non-zero exit code; library code never prints.
 */
export class LlmSpeedError extends Error {
  readonly code: string;
  readonly suggestions: string[];
  readonly exitCode: number;

  constructor(code: string, message: string, options: { suggestions?: string[]; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LlmSpeedError';
    this.code = code;
    this.suggestions = options.suggestions ?? [];
    this.exitCode = options.exitCode ?? 1;
  }
}

export class UsageError extends LlmSpeedError {
  constructor(message: string, suggestions: string[] = []) {
    super('usage', message, { suggestions, exitCode: 2 });
    this.name = 'UsageError';
  }
}

export class DriverError extends LlmSpeedError {
  readonly driver: string;
  constructor(driver: string, message: string, options: { suggestions?: string[]; cause?: unknown } = {}) {
    super('driver', `${driver}: ${message}`, options);
    this.name = 'DriverError';
    this.driver = driver;
  }
}

export class ValidationError extends LlmSpeedError {
  readonly problems: string[];
  constructor(subject: string, problems: string[], suggestions: string[] = []) {
    super('validation', `${subject} is invalid: ${problems.join('; ')}`, { suggestions });
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

/**
 * A caller or a driver broke the driver contract (DRIVERS.md §1): a request or a report without a
 * field the contract requires. The message names the field, so a driver written against an older
 * framework learns what changed instead of meeting a TypeError deep inside a helper.
 */
export class ContractError extends LlmSpeedError {
  readonly field: string;
  constructor(field: string, message: string, suggestions: string[] = []) {
    super('contract', `driver contract: ${field} ${message}`, { suggestions });
    this.name = 'ContractError';
    this.field = field;
  }
}

/** A deadline passed. Every wait in llm-speed has one, so nothing hangs silently. */
export class TimeoutError extends LlmSpeedError {
  constructor(what: string, ms: number, suggestions: string[] = []) {
    super('timeout', `${what} did not finish within ${Math.round(ms / 1000)} s`, { suggestions });
    this.name = 'TimeoutError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
