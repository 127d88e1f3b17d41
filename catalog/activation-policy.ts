/**
 * What an order does when one of its items fails: roll every item back (atomic) or keep what
 * succeeded (partial). A catalog entry declares its default and an order may choose, so the
 * list lives here, below orders/.
 */
export const ACTIVATION_POLICIES = ['atomic', 'partial'] as const;
export type ActivationPolicy = (typeof ACTIVATION_POLICIES)[number];
