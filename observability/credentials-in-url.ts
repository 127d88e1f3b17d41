// Credentials in URLs, refused and redacted from logs by every HTTP server of the process (the ops
// server, the TMF APIs, the queue UI): in observability/, below api/, so the ops server needs no api/.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tmfErrorBody } from '../errors/tmf-error-body.js';

/** Tells whether a string is one of the configured tokens (checked without keeping it). */
export type TokenCheck = (value: string) => boolean;

// Parameter names that carry credentials by convention (OAuth2 access_token, api_key, ...),
// compared lowercased without - _ and dots.
const CREDENTIAL_WORDS = /(token|secret|passw(or)?d|apikey|accesskey|credential|signature)/;
const CREDENTIAL_NAMES = new Set(['key', 'auth', 'authorization', 'bearer', 'jwt', 'pwd', 'pass', 'sig']);
// Shorter values cannot be a token (api/auth/api-tokens.ts wants at least 16 characters).
const MIN_TOKEN_LENGTH = 16;

const normalized = (name: string): string => name.toLowerCase().replace(/[-_.]/g, '');

function isCredentialName(name: string): boolean {
  const n = normalized(name);
  return CREDENTIAL_NAMES.has(n) || CREDENTIAL_WORDS.test(n);
}

function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const at = url.indexOf('?');
  return { path: at === -1 ? url : url.slice(0, at), query: new URLSearchParams(at === -1 ? '' : url.slice(at + 1)) };
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const looksLikeToken = (value: string, isToken: TokenCheck | undefined): boolean => value.length >= MIN_TOKEN_LENGTH && isToken !== undefined && isToken(value);

/**
 * Where the URL holds a credential: a parameter named like one (`?access_token=`, `?api_key=`),
 * or any parameter value or path segment that is a configured token. Undefined when it holds none.
 */
export function credentialInUrl(url: string, isToken?: TokenCheck): string | undefined {
  const { path, query } = splitUrl(url);
  for (const [name, value] of query) {
    if (looksLikeToken(name, isToken)) return 'a query parameter name';
    // A long name could itself hold part of a token: only short ones are named.
    if (isCredentialName(name) || looksLikeToken(value, isToken)) return name.length < MIN_TOKEN_LENGTH ? `query parameter ${name}` : 'a query parameter';
  }
  if (path.split('/').some((segment) => looksLikeToken(decoded(segment), isToken))) return 'the path';
  return undefined;
}

/** The URL as it may be logged: credential values and token segments replaced by [redacted]. */
export function safeUrl(url: string, isToken?: TokenCheck): string {
  const { path, query } = splitUrl(url);
  const shownPath = path
    .split('/')
    .map((segment) => (looksLikeToken(decoded(segment), isToken) ? '[redacted]' : segment))
    .join('/');
  if ([...query.keys()].length === 0) return shownPath;
  const shown = new URLSearchParams();
  for (const [name, value] of query) {
    const hidden = isCredentialName(name) || looksLikeToken(value, isToken);
    shown.append(looksLikeToken(name, isToken) ? '[redacted]' : name, hidden ? '[redacted]' : value);
  }
  return `${shownPath}?${shown.toString()}`;
}

/**
 * An onRequest hook refusing every URL that holds a credential with 400 and a TMF Error body,
 * before authentication and before anything logs the URL: a token in a URL ends up in access
 * logs, proxies and browser history, so it is refused even when it is valid.
 */
export function refuseCredentialsInUrl(isToken?: TokenCheck) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const where = credentialInUrl(request.url, isToken);
    if (where === undefined) return undefined;
    return reply
      .code(400)
      .type('application/json')
      .send(
        tmfErrorBody(
          400,
          'API_CREDENTIALS_IN_URL',
          `${where}: credentials are not accepted in the URL; send the token in the Authorization header (Authorization: Bearer <token>). A real token sent this way should be treated as exposed and replaced.`,
        ),
      );
  };
}

/** pino serializers for Fastify's request logging: the URL without credentials. */
export function safeRequestSerializers(isToken?: TokenCheck) {
  return {
    req: (req: { method?: string; url?: string; socket?: { remoteAddress?: string } }) => ({
      method: req.method,
      url: safeUrl(req.url ?? '', isToken),
      remoteAddress: req.socket?.remoteAddress,
    }),
  };
}
