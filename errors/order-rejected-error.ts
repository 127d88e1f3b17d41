import type { ErrorCode } from './error-codes.js';
import { FleetError } from './fleet-error.js';

/** One precise reason an order cannot be accepted. */
export interface RejectionReason {
  code: ErrorCode;
  message: string;
  /** The order item the reason is about, when there is one. */
  itemId?: string;
  /** JSON path of the offending field, e.g. `serviceOrderItem[1].service.serviceCharacteristic`. */
  path?: string;
}

/** An order rejected at intake: it carries every reason found, not just the first. */
export class OrderRejectedError extends FleetError {
  readonly reasons: RejectionReason[];

  constructor(reasons: RejectionReason[]) {
    const first = reasons[0];
    super(first?.code ?? 'ORDER_INVALID', reasons.map((r) => r.message).join('; ') || 'order rejected', {
      details: { reasons },
    });
    this.name = 'OrderRejectedError';
    this.reasons = reasons;
  }
}
