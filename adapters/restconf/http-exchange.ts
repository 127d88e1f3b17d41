import http from 'node:http';
import https from 'node:https';
import { NeError } from '../../errors/index.js';

/** The largest body read from a server; a longer (or endless) one is cut off, never buffered. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface HttpTarget {
  neId: string;
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Reused connections: one agent is the driver's session. */
  agent: http.Agent;
  connectTimeoutMs: number;
  /** Bounds the whole exchange, from sending to the last byte of the body. */
  requestTimeoutMs: number;
  ca?: string;
  serverName?: string;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Socket errors that mean the request never reached the server, so a write did not happen. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const TLS_REFUSAL = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/;

/**
 * One HTTP exchange with bounded time and size. Every failure leaves as an NeError: refused or
 * dropped connections as NE_CONNECTION_FAILED, silence as NE_TIMEOUT, an oversized body as
 * NE_PROTOCOL_ERROR, a certificate that does not verify as NE_HOST_KEY_MISMATCH. `details.applied`
 * says whether a write may have landed ('none' when it never left, 'unknown' otherwise).
 */
export function exchange(target: HttpTarget, request: HttpRequest): Promise<HttpResponse> {
  const where = `${request.method} ${request.path}`;
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let sent = false;
    const finish = (error: NeError | undefined, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(requestTimer);
      if (error) {
        req.destroy();
        reject(error);
      } else if (response) resolve(response);
    };
    const fail = (code: 'NE_CONNECTION_FAILED' | 'NE_TIMEOUT' | 'NE_PROTOCOL_ERROR' | 'NE_HOST_KEY_MISMATCH', message: string, cause?: unknown): void => {
      finish(new NeError(code, target.neId, `${where}: ${message}`, { ...(cause ? { cause } : {}), details: { applied: sent ? 'unknown' : 'none' } }));
    };
    const options: https.RequestOptions = {
      host: target.host,
      port: target.port,
      method: request.method,
      path: request.path,
      agent: target.agent,
      headers: { ...request.headers, ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) },
      ...(target.scheme === 'https' ? { ca: target.ca, servername: target.serverName ?? target.host, rejectUnauthorized: true } : {}),
    };
    const req = target.scheme === 'https' ? https.request(options) : http.request(options);
    const connectTimer = setTimeout(() => fail('NE_TIMEOUT', `no connection to ${target.host}:${target.port} within ${target.connectTimeoutMs} ms`), target.connectTimeoutMs);
    const requestTimer = setTimeout(() => fail('NE_TIMEOUT', `no complete answer within ${target.requestTimeoutMs} ms`), target.requestTimeoutMs);
    req.on('socket', (socket) => {
      socket.setNoDelay(true);
      // A pooled socket is connected already.
      const connected = (): void => {
        clearTimeout(connectTimer);
        sent = true;
      };
      if (socket.connecting) socket.once(target.scheme === 'https' ? 'secureConnect' : 'connect', connected);
      else connected();
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (TLS_REFUSAL.test(code) || TLS_REFUSAL.test(error.message)) fail('NE_HOST_KEY_MISMATCH', `TLS certificate refused: ${error.message}`, error);
      else {
        if (NOT_SENT.has(code)) sent = false;
        fail('NE_CONNECTION_FAILED', `${code || 'transport'}: ${error.message}`, error);
      }
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          fail('NE_PROTOCOL_ERROR', `answer exceeds ${MAX_RESPONSE_BYTES} bytes; cut off`);
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('aborted', () => fail('NE_CONNECTION_FAILED', 'the server dropped the connection mid-answer'));
      res.on('error', (error) => fail('NE_CONNECTION_FAILED', `answer broken off: ${error.message}`, error));
    });
    req.end(request.body);
  });
}
