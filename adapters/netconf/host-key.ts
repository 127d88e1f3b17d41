/**
 * Host key pinning. ssh2 accepts any host key unless told otherwise; we compare the raw key blob
 * the server presents with the pinned OpenSSH public-key lines (`ssh-ed25519 AAAA... comment`).
 */

function keyBlob(line: string): Buffer | undefined {
  const match = /^\s*(\S+)\s+([A-Za-z0-9+/]+={0,2})(\s|$)/.exec(line);
  if (!match?.[2]) return undefined;
  const blob = Buffer.from(match[2], 'base64');
  return blob.length > 0 ? blob : undefined;
}

/** True when `presented` (the SSH wire-format public key) equals one of the pinned keys. */
export function hostKeyMatches(pinnedLines: readonly string[], presented: Buffer): boolean {
  return pinnedLines.some((line) => {
    const blob = keyBlob(line);
    return blob !== undefined && blob.equals(presented);
  });
}
