import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export interface FleetErrorOptions {
  cause?: unknown;
  /** Overrides the catalogue default, for codes whose retryability depends on the case. */
  transient?: boolean;
  /** Structured facts for logs and the TMF errorMessage (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * Base of every error the fleet raises. `code` is stable, `transient` tells the retry policy
 * whether trying again can help. `name` is set explicitly so errors still match after crossing
 * a process boundary as JSON.
 */
export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly transient: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: FleetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FleetError';
    this.code = code;
    this.transient = options.transient ?? ERROR_CODES[code].transient;
    this.details = options.details ?? {};
  }

  toJSON(): { name: string; code: ErrorCode; message: string; transient: boolean; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, transient: this.transient, details: this.details };
  }
}

export function isFleetError(error: unknown): error is FleetError {
  return error instanceof FleetError;
}

/** Whether retrying can help: unknown errors are treated as transient, as a crash-safe default. */
export function isTransient(error: unknown): boolean {
  return isFleetError(error) ? error.transient : true;
}
