import { z } from 'zod';
import { CLI_PLATFORMS, cliPlatformProfile, type CliPlatformProfile } from './cli-platforms.js';

export const NE_PROTOCOLS = ['ssh-cli', 'snmp', 'netconf'] as const;
export type NeProtocol = (typeof NE_PROTOCOLS)[number];

const sshProfile = z
  .object({
    /** Pinned host keys in OpenSSH `authorized_keys` form (`ssh-ed25519 AAAA...`); any other key is refused. */
    hostKeys: z.array(z.string().min(1)).default([]),
    /**
     * Regular expressions (per line) whose match in a device reply fails the command with the
     * device's words; added to the patterns of the NE's platform profile (inventory/cli-platforms.ts).
     */
    errorPatterns: z.array(z.string()).default([]),
    /** Command that switches off paging; empty to send none. @defaultValue the platform's (`terminal length 0`) */
    pagingCommand: z.string().optional(),
    /** @defaultValue the platform's (`configure terminal`) */
    configEnterCommand: z.string().optional(),
    /** @defaultValue the platform's (`end`) */
    configExitCommand: z.string().optional(),
    /** Only when the device is too old for modern algorithms. */
    legacyAlgorithms: z.boolean().default(false),
  })
  .strict();

const netconfProfile = z
  .object({
    /**
     * Whether this NE's changes go into the order's window: each is a confirmed commit with a
     * persist-id, confirmed once the whole order passed and cancelled if it fails, so a worker
     * that dies leaves the device to revert by itself. `auto`: when the NE's hello advertises
     * :candidate and :confirmed-commit:1.1; `true`: always, and the dry run names the NE for
     * certain (a device that turns out not to offer it is still committed plainly); `false` (the
     * default): plain commits, undone by template. Off unless asked for, per NE: a device holds
     * one pending confirmed commit at a time, so every other order for it waits until the window
     * closes, and an NE that most orders touch (a number-portability database) would run them
     * one order at a time; the wait bound does not yet follow a queue of windows.
     */
    confirmedCommit: z.union([z.literal('auto'), z.boolean()]).default(false),
  })
  .strict();

const snmpProfile = z
  .object({
    version: z.enum(['2c', '3']).default('3'),
  })
  .strict();

/** One network element as the resource inventory knows it. Credentials come by reference only. */
export const networkElementSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'NE id: letters, digits, _ . - (1-64)'),
    role: z.string().min(1),
    vendor: z.string().optional(),
    platform: z.string().optional(),
    protocol: z.enum(NE_PROTOCOLS),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    /** Sessions open at once to this NE across the whole fleet (every process, every host). */
    maxSessions: z.number().int().min(1).default(2),
    /** Operations (apply, verify, undo) per second across the fleet; unlimited when absent. */
    maxOpsPerSecond: z.number().positive().optional(),
    /** A budget shared with other NEs, e.g. all NEs behind one AAA/TACACS server. */
    budgetGroup: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
    /** `env:NAME_PREFIX` (reads NAME_PREFIX_USERNAME, _PASSWORD, ...) or `file:/path/to/dir` (one file per field). */
    credentialsRef: z.string().regex(/^(env|file):.+$/, 'credentialsRef must be env:PREFIX or file:/path'),
    connectTimeoutMs: z.number().int().positive().default(10_000),
    commandTimeoutMs: z.number().int().positive().default(30_000),
    ssh: sshProfile.default(sshProfile.parse({})),
    snmp: snmpProfile.default(snmpProfile.parse({})),
    netconf: netconfProfile.default(netconfProfile.parse({})),
  })
  .strict()
  .superRefine((ne, ctx) => {
    if (ne.protocol !== 'ssh-cli') return;
    if (cliPlatformProfile(ne.platform) === undefined && ne.ssh.errorPatterns.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['platform'],
        message: `platform ${ne.platform ?? ''} has no shipped CLI profile (${Object.keys(CLI_PLATFORMS).join(', ')}): give ssh.errorPatterns, or without them no refusal would be seen`,
      });
    }
    ne.ssh.errorPatterns.forEach((pattern, i) => {
      try {
        new RegExp(pattern, 'm');
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['ssh', 'errorPatterns', i], message: `not a valid regular expression: ${(error as Error).message}` });
      }
    });
  });

export type NetworkElement = z.infer<typeof networkElementSchema>;

/** How an SSH CLI NE is driven: its platform's profile with the NE's own settings over it. */
export function cliProfileOf(ne: NetworkElement): CliPlatformProfile {
  const base = cliPlatformProfile(ne.platform) ?? { errorPatterns: [], pagingCommand: '', configEnterCommand: 'configure terminal', configExitCommand: 'end' };
  return {
    errorPatterns: [...base.errorPatterns, ...ne.ssh.errorPatterns],
    pagingCommand: ne.ssh.pagingCommand ?? base.pagingCommand,
    configEnterCommand: ne.ssh.configEnterCommand ?? base.configEnterCommand,
    configExitCommand: ne.ssh.configExitCommand ?? base.configExitCommand,
  };
}
export type NetworkElementInput = z.input<typeof networkElementSchema>;

/** Resolved secrets for one NE. Lives in memory only: never in job data, events or logs. */
export interface NeCredentials {
  username?: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
  /** SNMP v2c community. */
  community?: string;
  /** SNMPv3 USM keys (authPriv with SHA and AES). */
  authKey?: string;
  privKey?: string;
}

/** A budget shared by several NEs (declared in the inventory's `budgetGroups`). */
export const budgetGroupSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    maxSessions: z.number().int().min(1),
    maxOpsPerSecond: z.number().positive().optional(),
  })
  .strict();
export type BudgetGroup = z.infer<typeof budgetGroupSchema>;
