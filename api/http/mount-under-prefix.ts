import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

function isUnder(url: string | undefined, prefix: string): boolean {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Serves every request under `prefix` with `handle`, and everything else as before, on a
 * server that is already listening. This is how the API shares the port of the ops server
 * (/healthz, /readyz, /metrics stay as they are, unauthenticated): a Fastify instance takes no
 * routes once it listens, so the API is a second instance, reached through its `routing`.
 * Returns the function that takes the mount away.
 */
export function mountUnderPrefix(server: Server, prefix: string, handle: RequestListener): () => void {
  const previous = server.listeners('request') as RequestListener[];
  const dispatch: RequestListener = (req, res) => {
    if (isUnder(req.url, prefix)) handle(req, res);
    else for (const listener of previous) listener.call(server, req, res);
  };
  server.removeAllListeners('request');
  server.on('request', dispatch);
  return () => {
    server.off('request', dispatch);
    for (const listener of previous) server.on('request', listener);
  };
}
