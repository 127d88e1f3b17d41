import ssh2 from 'ssh2';

/**
 * An ed25519 host key pair that ssh2 can read back. ssh2 1.17's `generateKeyPairSync` now and
 * then (about 1 in 150) writes a key it cannot parse (mscdex/ssh2#1390, #1513): retry until the
 * pair parses, or a simulator fails to start once in a while.
 */
export function generateEd25519KeyPair(): { public: string; private: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.public) instanceof Error) && !(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}
