/**
 * An SNMP agent that misbehaves, for tests that a device can never stall or crash the fleet: it
 * never answers, answers garbage, floods its manager with datagrams, or relays to a real agent
 * for a while and then stops answering. Loopback only.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';

export type HostileUdpBehaviour =
  /** Takes every request and answers none. */
  | 'silent'
  /** Answers every request with a datagram that is not SNMP. */
  | 'garbage'
  /** After the first request, sends not-SNMP datagrams to the manager without end. */
  | 'flood'
  /** Relays the first `answerFirst` requests to `upstream` (a real agent) and their answers back, then answers nothing. */
  | 'answer-then-silent';

export interface HostileUdpPeerOptions {
  behaviour: HostileUdpBehaviour;
  upstream?: { host: string; port: number };
  /** @defaultValue 1 */
  answerFirst?: number;
}

export interface HostileUdpPeer {
  readonly host: string;
  readonly port: number;
  /** Datagrams received from managers. */
  received(): number;
  /** Datagrams sent to managers. */
  sent(): number;
  close(): Promise<void>;
}

const GARBAGE = Buffer.from([0x30, 0x03, 0x02, 0x01, 0xff, 0x00, 0x99, 0x42, 0x13, 0x37]);

export async function startHostileUdpPeer(options: HostileUdpPeerOptions): Promise<HostileUdpPeer> {
  const socket = createSocket('udp4');
  const relay = createSocket('udp4');
  socket.on('error', () => undefined);
  relay.on('error', () => undefined);
  let received = 0;
  let sent = 0;
  let relayed = 0;
  let closed = false;
  let manager: RemoteInfo | undefined;
  const send = (data: Buffer, to: RemoteInfo): void => {
    if (closed) return;
    sent += 1;
    socket.send(data, to.port, to.address);
  };
  const flood = (to: RemoteInfo): void => {
    // Bursts on every turn of the event loop: relentless, yet timers on both sides still run.
    const burst = (): void => {
      if (closed) return;
      for (let i = 0; i < 20; i++) send(GARBAGE, to);
      setImmediate(burst);
    };
    burst();
  };
  relay.on('message', (answer) => {
    if (manager) send(answer, manager);
  });
  socket.on('message', (request, from) => {
    received += 1;
    switch (options.behaviour) {
      case 'silent':
        return;
      case 'garbage':
        send(GARBAGE, from);
        return;
      case 'flood':
        if (received === 1) flood(from);
        return;
      case 'answer-then-silent':
        if (!options.upstream || relayed >= (options.answerFirst ?? 1)) return;
        relayed += 1;
        manager = from;
        relay.send(request, options.upstream.port, options.upstream.host);
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', () => resolve()));
  return {
    host: '127.0.0.1',
    port: socket.address().port,
    received: () => received,
    sent: () => sent,
    close: async () => {
      closed = true;
      await Promise.all([new Promise<void>((resolve) => socket.close(() => resolve())), new Promise<void>((resolve) => relay.close(() => resolve()))]);
    },
  };
}
