import { describe, expect, it } from 'vitest';
import { CliConfigModel, type ConfigNode } from '../../simulators/ssh-cli/cli-config-model.js';

/** Applies lines as a session would, following the block each line leaves it in. */
function type(model: CliConfigModel, lines: string[]): ConfigNode | undefined {
  let block: ConfigNode | undefined;
  for (const line of lines) block = model.applyLine(line, block);
  return block;
}

describe('CliConfigModel', () => {
  it('stores plain lines at top level and block children under their block', () => {
    const model = new CliConfigModel();
    const block = type(model, ['ip routing', 'interface Gi0/1', 'description uplink', 'mtu 9000']);
    expect(block?.line).toBe('interface Gi0/1');
    expect(model.lines()).toEqual(['ip routing', 'interface Gi0/1', ' description uplink', ' mtu 9000']);
  });

  it('recognises multi-word block keywords and picks the longest', () => {
    const model = new CliConfigModel(['ip', 'ip vrf']);
    expect(model.blockKeyword('ip vrf CUST-A')).toBe('ip vrf');
    expect(model.blockKeyword('ipv6 routing')).toBeUndefined();
    expect(new CliConfigModel().blockKeyword('ip route 0.0.0.0 0.0.0.0 10.0.0.1')).toBeUndefined();
  });

  it('lets a block line typed inside another block switch blocks, as IOS falls through to the parent mode', () => {
    const model = new CliConfigModel();
    const block = type(model, ['interface Gi0/1', 'description a', 'router bgp 65000', 'neighbor 10.0.0.2 remote-as 65001']);
    expect(block?.line).toBe('router bgp 65000');
    expect(model.lines()).toEqual(['interface Gi0/1', ' description a', 'router bgp 65000', ' neighbor 10.0.0.2 remote-as 65001']);
  });

  it('re-entering an existing block appends to it without duplicating lines', () => {
    const model = new CliConfigModel();
    type(model, ['interface Gi0/1', 'description a', 'router bgp 1']);
    type(model, ['interface Gi0/1', 'description a', 'shutdown']);
    model.applyLine('ip routing');
    model.applyLine('ip routing');
    expect(model.lines()).toEqual(['interface Gi0/1', ' description a', ' shutdown', 'router bgp 1', 'ip routing']);
  });

  it('`no` removes a top-level line, a whole block, or a child inside a block', () => {
    const model = new CliConfigModel();
    type(model, ['ip routing', 'interface Gi0/1', 'description a', 'shutdown', 'interface Gi0/2', 'mtu 1500']);
    type(model, ['no ip routing', 'no interface Gi0/2', 'interface Gi0/1', 'no shutdown']);
    expect(model.lines()).toEqual(['interface Gi0/1', ' description a']);
  });

  it('`no` of something absent changes nothing and leaves the session at global level', () => {
    const model = new CliConfigModel();
    type(model, ['ip routing']);
    expect(model.applyLine('no interface Gi0/7')).toBeUndefined();
    expect(model.lines()).toEqual(['ip routing']);
  });

  it('normalises whitespace so indented input matches stored lines', () => {
    const model = new CliConfigModel();
    type(model, ['interface   Gi0/1', '  description   a b']);
    type(model, ['interface Gi0/1', ' no description a b']);
    expect(model.lines()).toEqual(['interface Gi0/1']);
  });

  it('renders like show running-config: `!` around blocks, one-space indent, `end`', () => {
    const model = new CliConfigModel();
    type(model, ['ip routing', 'interface Gi0/1', 'description a', 'router bgp 1', 'bgp log-neighbor-changes']);
    model.applyLine('ip route 0.0.0.0 0.0.0.0 10.0.0.1');
    expect(model.render()).toBe(
      ['!', 'ip routing', '!', 'interface Gi0/1', ' description a', '!', 'router bgp 1', ' bgp log-neighbor-changes', '!', 'ip route 0.0.0.0 0.0.0.0 10.0.0.1', '!', 'end'].join('\n'),
    );
    expect(new CliConfigModel().render()).toBe('!\nend');
  });
});
