import { STATUS_CODES } from 'node:http';
import { FleetError, type ErrorCode } from '../../errors/index.js';

/** The TMF630 Error resource: what every 4xx and 5xx of the TMF Open API carries. */
export interface TmfErrorBody {
  code: string;
  reason: string;
  message: string;
  status: string;
  '@type': 'Error';
}

/**
 * An error the API answers with a given HTTP status. The code comes from the fleet's error
 * catalogue, the message names the offending field or resource.
 */
export class TmfHttpError extends FleetError {
  readonly status: number;

  constructor(status: number, code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'TmfHttpError';
    this.status = status;
  }
}

export function tmfErrorBody(status: number, code: string, message: string): TmfErrorBody {
  return { code, reason: STATUS_CODES[status] ?? 'Error', message, status: String(status), '@type': 'Error' };
}

export const badRequest = (message: string): TmfHttpError => new TmfHttpError(400, 'API_INVALID_REQUEST', message);
export const notFound = (message: string): TmfHttpError => new TmfHttpError(404, 'API_NOT_FOUND', message);
export const conflict = (message: string): TmfHttpError => new TmfHttpError(409, 'API_CONFLICT', message);
