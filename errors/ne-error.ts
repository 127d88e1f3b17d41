import type { ErrorCode } from './error-codes.js';
import { FleetError, type FleetErrorOptions } from './fleet-error.js';

/**
 * An error raised at the adapter boundary, with the NE it concerns. Library errors (ssh2,
 * net-snmp, socket errors) are translated into this class so workers can decide on retries
 * from `code` and `transient` alone.
 */
export class NeError extends FleetError {
  readonly neId: string;

  constructor(code: ErrorCode, neId: string, message: string, options: FleetErrorOptions = {}) {
    super(code, `${neId}: ${message}`, { ...options, details: { neId, ...options.details } });
    this.name = 'NeError';
    this.neId = neId;
  }
}
