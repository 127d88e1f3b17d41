/**
 * A TCP peer that misbehaves below SSH, for tests that a device can never stall or crash the
 * fleet: it accepts and stays silent, resets, talks garbage, or talks forever. Loopback only.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export type HostileTcpBehaviour =
  /** Accepts and never sends a byte: a device whose SSH daemon hung, or a black-holing middlebox. */
  | 'silent'
  /** Accepts, then resets the connection (RST) at once. */
  | 'reset'
  /** Accepts and sends bytes that are not an SSH identification, then holds the connection. */
  | 'garbage'
  /** Accepts and sends non-SSH text without end, as fast as the client reads it. */
  | 'flood';

export interface HostileTcpPeer {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Accepted connections that have closed since (the client gave up on them, or we reset them). */
  closed(): number;
  /** Connections open right now. */
  open(): number;
  close(): Promise<void>;
}

const GARBAGE = Buffer.concat([Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x80, 0xfe])]);

export async function startHostileTcpPeer(behaviour: HostileTcpBehaviour, host = '127.0.0.1'): Promise<HostileTcpPeer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let closed = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      closed += 1;
    });
    // Whatever the client sends is read and ignored, so its writes never block on our window.
    socket.resume();
    switch (behaviour) {
      case 'silent':
        return;
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'garbage':
        socket.write(GARBAGE);
        return;
      case 'flood': {
        const line = Buffer.from(`${'x'.repeat(200)}\r\n`.repeat(64));
        const pump = (): void => {
          while (!socket.destroyed && socket.write(line));
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    host,
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    closed: () => closed,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
