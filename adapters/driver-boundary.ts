import { FleetError, NeError } from '../errors/index.js';

/**
 * The edge every driver's operations leave through: a FleetError (an NeError, classified by the
 * driver) passes as it is; anything else is a bug in the driver or its library, translated into a
 * permanent protocol error naming the NE, so no raw library error reaches the worker.
 */
export async function driverBoundary<T>(neId: string, protocolTitle: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FleetError) throw error;
    throw new NeError('NE_PROTOCOL_ERROR', neId, `unexpected ${protocolTitle} failure: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
