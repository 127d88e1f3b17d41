import { describe, expect, it } from 'vitest';
import { CLI_PLATFORMS } from '../../adapters/ssh-cli/cli-platforms.js';
import { cliProfileOf } from '../../adapters/ssh-cli/ssh-profile.js';
import { networkElementSchema, type NetworkElementInput } from '../../inventory/network-element.js';

const base: NetworkElementInput = { id: 'r1', role: 'router', protocol: 'ssh-cli', host: '127.0.0.1', port: 22, credentialsRef: 'env:R1' };

/** The first line of `reply` the NE's profile calls a refusal. */
function refusal(input: Partial<NetworkElementInput>, reply: string): string | undefined {
  const profile = cliProfileOf(networkElementSchema.parse({ ...base, ...input }));
  for (const source of profile.errorPatterns) {
    const match = new RegExp(source, 'm').exec(reply);
    if (match) return match[0].trim();
  }
  return undefined;
}

describe('CLI platform profiles', () => {
  it("catch FRR's daemon refusals with no patterns of the NE's own", () => {
    expect(refusal({ platform: 'frr-vtysh' }, '% Specify remote-as or peer-group commands first')).toBe('% Specify remote-as or peer-group commands first');
    expect(refusal({ platform: 'frr' }, 'BGP is already running; AS is 65001')).toBe('BGP is already running; AS is 65001');
    expect(refusal({ platform: 'frr-vtysh' }, '')).toBeUndefined();
  });

  it('read IOS-like `%` lines as refusals, but not the syslog line a change prints', () => {
    expect(refusal({ platform: 'ios' }, "   ^\n% Invalid input detected at '^' marker.")).toBe("% Invalid input detected at '^' marker.");
    expect(refusal({}, '% Interface Loopback9 is not allowed here')).toBe('% Interface Loopback9 is not allowed here');
    expect(refusal({ platform: 'ios' }, '%SYS-5-CONFIG_I: Configured from console by admin on vty0')).toBeUndefined();
  });

  it('know Junos, VRP and SR OS refusals, and their session commands', () => {
    expect(refusal({ platform: 'junos' }, "error: syntax error: foo\nunknown command.")).toBe('error: syntax error: foo');
    expect(refusal({ platform: 'huawei-vrp' }, 'Error: Unrecognized command found at \'^\' position.')).toBe("Error: Unrecognized command found at '^' position.");
    expect(refusal({ platform: 'nokia-sros' }, 'MINOR: CLI Command not allowed in this context.')).toBe('MINOR: CLI Command not allowed in this context.');
    const junos = cliProfileOf(networkElementSchema.parse({ ...base, platform: 'junos' }));
    expect(junos).toMatchObject({ pagingCommand: 'set cli screen-length 0', configEnterCommand: 'configure private' });
  });

  it("add the NE's own patterns to the platform's, and its own commands replace the platform's", () => {
    const ne = networkElementSchema.parse({ ...base, platform: 'frr-vtysh', ssh: { errorPatterns: ['^Oops[^\\n]*'], pagingCommand: '' } });
    const profile = cliProfileOf(ne);
    expect(profile.errorPatterns).toEqual([...(CLI_PLATFORMS['frr-vtysh']?.errorPatterns ?? []), '^Oops[^\\n]*']);
    expect(profile.pagingCommand).toBe('');
    expect(profile.configEnterCommand).toBe('configure terminal');
  });

  it('refuse an SSH CLI NE whose platform has no profile and that gives no patterns, or an invalid pattern', () => {
    const unknown = networkElementSchema.safeParse({ ...base, platform: 'acme-os' });
    expect(unknown.success).toBe(false);
    expect(JSON.stringify(unknown.error?.issues)).toContain('platform acme-os has no shipped CLI profile');
    expect(networkElementSchema.safeParse({ ...base, platform: 'acme-os', ssh: { errorPatterns: ['^ERR[^\\n]*'] } }).success).toBe(true);
    expect(networkElementSchema.safeParse({ ...base, ssh: { errorPatterns: ['('] } }).success).toBe(false);
    // Other protocols have no CLI profile to pick.
    expect(networkElementSchema.safeParse({ ...base, protocol: 'snmp', platform: 'net-snmp' }).success).toBe(true);
  });
});
