/**
 * The sizing rule for V8's heap in the deployment files (README, "The image"): NODE_OPTIONS caps
 * old space at most at half the container's memory limit, the rest left for new space, code,
 * buffers and sockets. A live heap that outgrows the cap ends the process, so the two move together.
 */
export const OLD_SPACE_SHARE_OF_LIMIT = 0.5;

/** The heap flags of a NODE_OPTIONS value, in MiB; undefined when a flag is absent. */
export function heapFlags(nodeOptions: string): { oldSpaceMiB?: number; semiSpaceMiB?: number } {
  const flag = (name: string): number | undefined => {
    const match = new RegExp(`(?:^|\\s)--${name}=(\\d+)(?:\\s|$)`).exec(nodeOptions);
    return match ? Number(match[1]) : undefined;
  };
  return { oldSpaceMiB: flag('max-old-space-size'), semiSpaceMiB: flag('max-semi-space-size') };
}

/** A memory quantity in MiB: Kubernetes' `512Mi`/`1Gi` or compose's `512m`/`1g`. */
export function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi|m|g)$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity in Mi/Gi or m/g: ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' || match[2] === 'g' ? 1024 : 1);
}
