import { FleetError, type ErrorCode } from '../../errors/index.js';

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

export const badRequest = (message: string): TmfHttpError => new TmfHttpError(400, 'API_INVALID_REQUEST', message);
export const notFound = (message: string): TmfHttpError => new TmfHttpError(404, 'API_NOT_FOUND', message);
export const conflict = (message: string): TmfHttpError => new TmfHttpError(409, 'API_CONFLICT', message);
