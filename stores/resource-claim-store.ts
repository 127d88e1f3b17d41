import type { Redis } from 'ioredis';
import type { ClaimHolder, ResourceClaim } from '../orders/resource-claims.js';
import type { Keyspace } from './keyspace.js';
import { scriptsOn, type ScriptCall } from './scripts.js';

/**
 * The resources services claim on NEs: one hash per NE (resource -> holder), under the base
 * tag so that one script sees every claim of an NE whichever shard its service lives on. An
 * order's claims are taken all or none in one script, so two concurrent orders cannot both take
 * one resource; the decision whether a holder has lapsed is the caller's (orders/resource-claims.ts).
 */

/** `fresh`: the claims the service did not hold before, which a release of the order may free again. */
export type TakeResult = { taken: true; fresh: ResourceClaim[] } | { taken: false; claim: ResourceClaim; holder: ClaimHolder; held: string };

export class ResourceClaimStore {
  private readonly calls: { take: ScriptCall; release: ScriptCall };

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {
    const scripts = scriptsOn(redis);
    this.calls = { take: scripts['resource-claims-take'], release: scripts['resource-claims-release'] };
  }

  /** The holder JSON a claim is stored with: compared byte for byte by the scripts. */
  static holderOf(claim: ResourceClaim, orderId: string): string {
    const holder: ClaimHolder = { serviceId: claim.serviceId, orderId, itemId: claim.itemId, specId: claim.specId };
    return JSON.stringify(holder);
  }

  private keyed(claims: ResourceClaim[]): { keys: string[]; index: (neId: string) => number } {
    const nes = [...new Set(claims.map((c) => c.neId))];
    return { keys: nes.map((ne) => this.keys.resourceClaims(ne)), index: (neId) => nes.indexOf(neId) + 1 };
  }

  /**
   * Takes every claim for `orderId`, or none: the first claim another service holds is returned
   * with its holder. A `verify` claim is only checked in the same script, never written. `lapsed` maps `neId\0resource` to a holder value the caller found lapsed,
   * which is then replaced.
   */
  async take(orderId: string, claims: ResourceClaim[], lapsed: ReadonlyMap<string, string> = new Map()): Promise<TakeResult> {
    if (claims.length === 0) return { taken: true, fresh: [] };
    const { keys, index } = this.keyed(claims);
    const control = claims.map((c) => {
      const old = lapsed.get(claimKey(c));
      return { k: index(c.neId), r: c.resource, h: ResourceClaimStore.holderOf(c, orderId), s: c.serviceId, ...(c.verify ? { v: 1 } : {}), ...(old === undefined ? {} : { lapsed: old }) };
    });
    const reply = (await this.calls.take(keys.length, ...keys, JSON.stringify(control))) as [number, (number | number[])?, string?];
    if (reply[0] === 1) {
      const fresh = Array.isArray(reply[1]) ? reply[1] : [];
      return { taken: true, fresh: fresh.map((i) => claims[i - 1] as ResourceClaim) };
    }
    const claim = claims[(typeof reply[1] === 'number' ? reply[1] : 1) - 1] as ResourceClaim;
    const held = reply[2] ?? '{}';
    return { taken: false, claim, holder: JSON.parse(held) as ClaimHolder, held };
  }

  /** Releases the claims `orderId` took, each only while it still holds it. */
  async release(orderId: string, claims: ResourceClaim[]): Promise<number> {
    if (claims.length === 0) return 0;
    const { keys, index } = this.keyed(claims);
    const control = claims.map((c) => ({ k: index(c.neId), r: c.resource, h: ResourceClaimStore.holderOf(c, orderId) }));
    return Number(await this.calls.release(keys.length, ...keys, JSON.stringify(control)));
  }

  /** Who holds each claim now (undefined: nobody), read only: what a dry run reports. */
  async holders(claims: ResourceClaim[]): Promise<Array<ClaimHolder | undefined>> {
    const held = await Promise.all(claims.map((c) => this.redis.hget(this.keys.resourceClaims(c.neId), c.resource)));
    return held.map((h) => (h === null ? undefined : (JSON.parse(h) as ClaimHolder)));
  }

  /** Every claim on an NE: resource -> holder. */
  async onNe(neId: string): Promise<Map<string, ClaimHolder>> {
    const raw = await this.redis.hgetall(this.keys.resourceClaims(neId));
    return new Map(Object.entries(raw).map(([resource, holder]) => [resource, JSON.parse(holder) as ClaimHolder]));
  }
}

/** How `take`'s lapsed map names a claim. */
export function claimKey(claim: { neId: string; resource: string }): string {
  return `${claim.neId}\u0000${claim.resource}`;
}
