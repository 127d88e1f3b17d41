import { STATUS_CODES } from 'node:http';

/**
 * The TMF630 Error resource: what every 4xx and 5xx of the TMF Open API carries, and what the ops
 * server answers a refused URL with. Here, below both, because api/ and observability/ build it.
 */
export interface TmfErrorBody {
  code: string;
  reason: string;
  message: string;
  status: string;
  '@type': 'Error';
}

export function tmfErrorBody(status: number, code: string, message: string): TmfErrorBody {
  return { code, reason: STATUS_CODES[status] ?? 'Error', message, status: String(status), '@type': 'Error' };
}
