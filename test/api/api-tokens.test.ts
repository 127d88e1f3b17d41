import { describe, expect, it } from 'vitest';
import { ApiTokens } from '../../api/auth/api-tokens.js';
import { FleetError } from '../../errors/index.js';

const TOKEN_A = 'aaaaaaaaaaaaaaaa-0123456789';
const TOKEN_B = 'bbbbbbbbbbbbbbbb.0123456789';

describe('ApiTokens', () => {
  it('reads one client per line or per semicolon, with comments', () => {
    const tokens = ApiTokens.parse(`# upstream BSS\nbss ${TOKEN_A} read,order\n\nportal ${TOKEN_B} read # read only`, 'tokens');
    expect(tokens.size).toBe(2);
    expect(tokens.authenticate(TOKEN_A)).toEqual({ clientId: 'bss', scopes: new Set(['read', 'order']) });
    expect(tokens.authenticate(TOKEN_B)?.scopes).toEqual(new Set(['read']));
    expect(tokens.authenticate('unknown-token-0123456789')).toBeUndefined();
    expect(ApiTokens.parse(`a ${TOKEN_A} read; b ${TOKEN_B} order`, 'API_TOKENS').size).toBe(2);
  });

  it('refuses bad entries with their position and never echoes a token', () => {
    let error: unknown;
    try {
      ApiTokens.parse(`bss short read\nportal ${TOKEN_B} admin\ncrm ${TOKEN_B} read\nlonely`, 'secret-file');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FleetError);
    const message = (error as FleetError).message;
    expect((error as FleetError).code).toBe('CONFIG_INVALID');
    expect(message).toContain('secret-file entry 1: the token must be at least 16 characters');
    expect(message).toContain('secret-file entry 2: the third field holds a scope other than read, order');
    expect(message).not.toContain('admin');
    expect(message).toContain('secret-file entry 3: the same token is given twice');
    expect(message).toContain('secret-file entry 4: expected');
    expect(message).not.toContain(TOKEN_B);
  });

  it('never echoes any part of a mis-ordered entry, whichever field the token landed in', () => {
    for (const entry of [`bss read ${TOKEN_A}`, `${TOKEN_A} bss read`, `bss read,order ${TOKEN_A}`, `bss ${TOKEN_A.slice(0, 10)} read`, `read ${TOKEN_A} bss,${TOKEN_B}`]) {
      let message = '';
      try {
        ApiTokens.parse(entry, 'API_TOKENS');
      } catch (e) {
        expect((e as FleetError).code).toBe('CONFIG_INVALID');
        message = (e as FleetError).message;
      }
      expect(message, entry).toMatch(/^invalid API tokens:\n {2}API_TOKENS entry 1: /);
      // No field of the entry, nor any 6-character piece of a token, appears in the message.
      for (const token of [TOKEN_A, TOKEN_B]) {
        for (let i = 0; i + 6 <= token.length; i++) expect(message, entry).not.toContain(token.slice(i, i + 6));
      }
    }
  });

  it('holds no token in clear', () => {
    const tokens = ApiTokens.parse(`bss ${TOKEN_A} read`, 'x');
    expect(JSON.stringify([...Object.values(tokens)].map((v) => (v instanceof Map ? [...v.keys()] : v)))).not.toContain(TOKEN_A);
  });

  it('loads a secret file together with the environment', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'api-tokens-'));
    try {
      await writeFile(join(dir, 'tokens'), `bss ${TOKEN_A} read,order\n`);
      const tokens = await ApiTokens.load({ file: join(dir, 'tokens'), env: `portal ${TOKEN_B} read` });
      expect(tokens.size).toBe(2);
      await expect(ApiTokens.load({ file: join(dir, 'missing') })).rejects.toThrow(/API_TOKENS_FILE .*missing cannot be read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
