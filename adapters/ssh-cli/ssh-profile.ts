import { z } from 'zod';
import type { NeBase } from '../ne-base.js';
import { CLI_PLATFORMS, cliPlatformProfile, type CliPlatformProfile } from './cli-platforms.js';

/** An NE's `ssh` settings: its pinned host keys (read by NETCONF over SSH too) and how its CLI is driven. */
export const sshProfile = z
  .object({
    /** Pinned host keys in OpenSSH `authorized_keys` form (`ssh-ed25519 AAAA...`); any other key is refused. */
    hostKeys: z.array(z.string().min(1)).default([]),
    /**
     * Regular expressions (per line) whose match in a device reply fails the command with the
     * device's words; added to the patterns of the NE's platform profile (adapters/ssh-cli/cli-platforms.ts).
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

export type SshProfile = z.output<typeof sshProfile>;
type CliNe = Pick<NeBase, 'platform'> & { ssh: SshProfile };

/** An SSH CLI NE needs a way to see a refusal: its platform's patterns or its own. */
export function refineCliNe(ne: CliNe, ctx: z.RefinementCtx): void {
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
}

/** How an SSH CLI NE is driven: its platform's profile with the NE's own settings over it. */
export function cliProfileOf(ne: CliNe): CliPlatformProfile {
  const base = cliPlatformProfile(ne.platform) ?? { errorPatterns: [], pagingCommand: '', configEnterCommand: 'configure terminal', configExitCommand: 'end' };
  return {
    errorPatterns: [...base.errorPatterns, ...ne.ssh.errorPatterns],
    pagingCommand: ne.ssh.pagingCommand ?? base.pagingCommand,
    configEnterCommand: ne.ssh.configEnterCommand ?? base.configEnterCommand,
    configExitCommand: ne.ssh.configExitCommand ?? base.configExitCommand,
  };
}
