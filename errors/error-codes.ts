/**
 * The catalogue of every error code the fleet raises, with whether a retry can help.
 * Codes are stable: upstream systems and runbooks key on them. A test checks each is unique
 * and documented.
 */
export const ERROR_CODES = {
  ORDER_INVALID: { transient: false, description: 'The service order does not match the TMF641 schema.' },
  ORDER_UNKNOWN_SPECIFICATION: { transient: false, description: 'An item names a service specification the catalog does not hold.' },
  ORDER_UNSUPPORTED_ACTION: { transient: false, description: 'The catalog has no steps for the item action on that specification.' },
  ORDER_DEPENDENCY_CYCLE: { transient: false, description: 'The order item relationships form a cycle.' },
  ORDER_UNKNOWN_RELATED_ITEM: { transient: false, description: 'An item relationship points at an item that is not in the order.' },
  ORDER_DUPLICATE_ITEM_ID: { transient: false, description: 'Two order items share an id.' },
  ORDER_INVALID_CHARACTERISTIC: { transient: false, description: 'A characteristic value is missing or fails its declared type or pattern.' },
  ORDER_UNKNOWN_SERVICE: { transient: false, description: 'A modify or delete item names a service the service inventory does not hold.' },
  ORDER_SERVICE_EXISTS: { transient: false, description: 'An add item names a service that already exists.' },
  ORDER_SERVICE_TERMINATED: { transient: false, description: 'The item would change a service that is terminated.' },
  ORDER_NO_SUCH_SUSPENSION: { transient: false, description: 'A resume names a suspension the service does not have.' },
  ORDER_QUALIFICATION_FAILED: { transient: false, description: 'A feasibility or qualification rule from config/policies.yaml refuses the order; the message names the rule.' },
  POLICY_INVALID: { transient: false, description: 'config/policies.yaml is malformed.' },
  ORDER_NOT_FOUND: { transient: false, description: 'No order with that id exists.' },
  ORDER_NOT_CANCELLABLE: { transient: false, description: 'The order is in a final state and cannot be cancelled.' },
  ORDER_ITEM_ROLLED_BACK: { transient: false, description: 'A completed item was compensated (its undo steps ran) because its bundle failed or was cancelled.' },
  ORDER_ITEM_NOT_STARTED: { transient: false, description: 'An item was cancelled before it started, because its order failed or was cancelled.' },
  ORDER_DEPENDENCY_FAILED: { transient: false, description: 'An item could not start because an item it depends on failed or was cancelled.' },
  ORDER_ITEM_FAILED: { transient: false, description: 'The order ended because an item failed; the item names the cause.' },
  ORDER_COMPENSATION_FAILED: { transient: false, description: 'Rolling back a completed item failed: the network element may hold a remnant.' },
  ORDER_CONCURRENT_UPDATE: { transient: true, description: 'The order changed while it was being updated; retry the update.' },
  CATALOG_INVALID: { transient: false, description: 'A catalog file is malformed.' },
  INVENTORY_INVALID: { transient: false, description: 'A resource inventory file is malformed.' },
  INVENTORY_NO_NETWORK_ELEMENT: { transient: false, description: 'No network element in the inventory has the role a step needs.' },
  CONFIG_INVALID: { transient: false, description: 'A configuration value is wrong.' },
  CREDENTIALS_UNAVAILABLE: { transient: false, description: 'A credentials reference cannot be resolved.' },
  TEMPLATE_RENDER_FAILED: { transient: false, description: 'A catalog template could not be rendered from the item characteristics.' },
  UNSAFE_DEVICE_INPUT: { transient: false, description: 'Rendered content holds characters that must never reach a device.' },
  NE_CONNECTION_FAILED: { transient: true, description: 'The network element could not be reached or dropped the session.' },
  NE_TIMEOUT: { transient: true, description: 'The network element did not answer in time.' },
  NE_AUTHENTICATION_FAILED: { transient: false, description: 'The network element refused the credentials.' },
  NE_HOST_KEY_MISMATCH: { transient: false, description: 'The SSH host key is unknown or differs from the pinned one.' },
  NE_SESSION_LIMIT: { transient: true, description: 'The network element has no free session.' },
  NE_LOCKED: { transient: true, description: 'The datastore is locked by another session.' },
  NE_COMMAND_REJECTED: { transient: false, description: 'The network element rejected a command or value.' },
  NE_RPC_ERROR: { transient: false, description: 'The NETCONF server answered with an rpc-error.' },
  NE_SNMP_ERROR: { transient: false, description: 'The SNMP agent answered with an error status.' },
  NE_PROTOCOL_ERROR: { transient: false, description: 'The network element broke the protocol (framing, garbage, wrong message-id).' },
  NE_VERIFICATION_FAILED: { transient: false, description: 'A post-activation test did not match.' },
  NE_UNSUPPORTED: { transient: false, description: 'The adapter cannot do what was asked on this network element.' },
} as const satisfies Record<string, { transient: boolean; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
