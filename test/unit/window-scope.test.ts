import { describe, expect, it } from 'vitest';
import { windowScope, type ConfirmedCommitMode } from '../../orders/window-scope.js';

// As the registry gives them: CLI and SNMP drivers offer no confirmed commit (false).
const modes: Record<string, ConfirmedCommitMode> = { a: 'auto', b: 'auto', t: true, off: false, cli: false, vms: false };
const modeOf = (neId: string): ConfirmedCommitMode => modes[neId] ?? 'auto';
const nc = (neId: string) => ({ neId });

describe('the NEs an order window spans', () => {
  it('opens over several NETCONF NEs left to auto, each named once, all of them ifAdvertised', () => {
    expect(windowScope([nc('a'), nc('b'), nc('a'), { neId: 'cli' }], modeOf)).toEqual({ neIds: ['a', 'b'], ifAdvertised: ['a', 'b'] });
  });

  it('stays shut for one NETCONF NE left to auto, however many steps go to it, and beside CLI or SNMP NEs', () => {
    expect(windowScope([nc('a'), nc('a'), { neId: 'cli' }, { neId: 'vms' }], modeOf)).toBeUndefined();
  });

  it('opens for one NE whose entry says true, and not for NEs that turn it off', () => {
    expect(windowScope([nc('t')], modeOf)).toEqual({ neIds: ['t'], ifAdvertised: [] });
    expect(windowScope([nc('off'), nc('a')], modeOf)).toBeUndefined();
    expect(windowScope([nc('t'), nc('a'), nc('off')], modeOf)).toEqual({ neIds: ['t', 'a'], ifAdvertised: ['a'] });
    expect(windowScope([], modeOf)).toBeUndefined();
  });
});
