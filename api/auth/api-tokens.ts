import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FleetError } from '../../errors/index.js';

/** `read`: every GET and the notification hubs. `order`: everything that changes orders or services. */
export const API_SCOPES = ['read', 'order'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiClient {
  clientId: string;
  scopes: ReadonlySet<ApiScope>;
}

// RFC 6750 b64token, and long enough that guessing is hopeless.
const TOKEN = /^[A-Za-z0-9._~+/-]{16,}=*$/;
const CLIENT_ID = /^[A-Za-z0-9._@-]{1,64}$/;

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * The static bearer tokens the API accepts: the OAuth2 client-credentials shape (a client id,
 * an opaque access token, its scopes) without the token endpoint yet. Tokens are held only as
 * SHA-256 digests, so a heap dump or a log of this object shows none, and lookups compare
 * digests (no timing signal about the token itself).
 */
export class ApiTokens {
  private constructor(private readonly clients: ReadonlyMap<string, ApiClient>) {}

  /**
   * One client per line: `<clientId> <token> <scope>[,<scope>]`; `#` starts a comment. Lines may
   * also be separated by `;` (for a single environment variable). Every problem is reported
   * with its entry number and never with a field's value: any field of a wrong entry may be
   * the token.
   */
  static parse(text: string, source: string): ApiTokens {
    const clients = new Map<string, ApiClient>();
    const problems: string[] = [];
    text.split(/\r?\n|;/).forEach((raw, index) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') return;
      const where = `${source} entry ${index + 1}`;
      const [clientId, token, scopeList, ...extra] = line.split(/\s+/);
      if (clientId === undefined || token === undefined || scopeList === undefined || extra.length > 0) {
        problems.push(`${where}: expected "<clientId> <token> <scope>[,<scope>]"`);
        return;
      }
      if (!CLIENT_ID.test(clientId)) problems.push(`${where}: client id must be 1-64 letters, digits, . _ @ -`);
      if (!TOKEN.test(token)) problems.push(`${where}: the token must be at least 16 characters of A-Z a-z 0-9 . _ ~ + / - (RFC 6750)`);
      const scopes = scopeList.split(',').map((s) => s.trim());
      const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
      // Never the value itself: in a mis-ordered entry the third field is the token.
      if (unknown.length > 0) {
        problems.push(`${where}: the third field holds ${unknown.length === 1 ? 'a scope' : `${unknown.length} scopes`} other than ${API_SCOPES.join(', ')} (is the entry in the order <clientId> <token> <scope>[,<scope>]?)`);
      }
      const key = digest(token);
      if (clients.has(key)) problems.push(`${where}: the same token is given twice`);
      clients.set(key, { clientId, scopes: new Set(scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s))) });
    });
    if (problems.length > 0) throw new FleetError('CONFIG_INVALID', `invalid API tokens:\n  ${problems.join('\n  ')}`);
    return new ApiTokens(clients);
  }

  /** The tokens of API_TOKENS_FILE and API_TOKENS together. */
  static async load(options: { file?: string; env?: string }): Promise<ApiTokens> {
    const parts: string[] = [];
    if (options.file !== undefined) {
      try {
        parts.push(await readFile(options.file, 'utf8'));
      } catch (error) {
        throw new FleetError('CONFIG_INVALID', `API_TOKENS_FILE ${options.file} cannot be read: ${(error as Error).message}`);
      }
    }
    if (options.env !== undefined) parts.push(options.env);
    return ApiTokens.parse(parts.join('\n'), options.file ?? 'API_TOKENS');
  }

  get size(): number {
    return this.clients.size;
  }

  authenticate(token: string): ApiClient | undefined {
    return this.clients.get(digest(token));
  }
}
