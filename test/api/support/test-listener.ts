import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A TMF listener for tests: a plain HTTP server on 127.0.0.1 that keeps every notification
 * POSTed to it. It can be stopped and started again on the same port, to play a listener
 * that is down for a while.
 */
export class TestListener {
  readonly received: any[] = [];
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/listener`;
  }

  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.received.push(JSON.parse(body));
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  ofType(...types: string[]): any[] {
    return this.received.filter((e) => types.includes(e.eventType));
  }

  async waitFor(done: (received: any[]) => boolean, timeoutMs = 20_000): Promise<any[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.received)) {
      if (Date.now() > deadline) throw new Error(`listener did not get what was expected in ${timeoutMs} ms; got ${JSON.stringify(this.received.map((e) => [e.eventType, e.event?.serviceOrder?.state ?? e.event?.monitor?.state ?? e.event?.cancelServiceOrder?.state ?? e.event?.service?.state]))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.received;
  }
}
