/**
 * What the fleet knows of each CLI platform out of the box: how the device says no, how to switch
 * off paging, how to enter and leave configuration mode. An NE picks its profile by `platform`;
 * its own `ssh` settings add to (error patterns) or replace (commands) the profile's.
 * Every pattern is matched per line (`m` flag): the device's line is what reaches the item.
 */
export interface CliPlatformProfile {
  /** Regular expressions (sources, `m` flag) whose match in a reply is the device refusing the command. */
  errorPatterns: readonly string[];
  pagingCommand: string;
  configEnterCommand: string;
  configExitCommand: string;
}

/** Any `%` line but a syslog message (`%SYS-5-CONFIG_I: ...`), which IOS-likes print for changes they took. */
const PERCENT_LINES = '^%(?![A-Z][A-Z0-9_]*-\\d+-[A-Z0-9_]+:)[^\\n]*';

const IOS_LIKE: CliPlatformProfile = {
  errorPatterns: [PERCENT_LINES],
  pagingCommand: 'terminal length 0',
  configEnterCommand: 'configure terminal',
  configExitCommand: 'end',
};

/** vtysh prints nothing for a command it takes; every warning and error is a `%` line, bar bgpd's second-`router bgp` refusal. */
const FRR_VTYSH: CliPlatformProfile = {
  ...IOS_LIKE,
  errorPatterns: ['^%[^\\n]*', '^BGP is already running[^\\n]*'],
};

const JUNOS: CliPlatformProfile = {
  errorPatterns: ['^error:[^\\n]*', '^\\s*syntax error[^\\n]*', '^\\s*unknown command[^\\n]*'],
  pagingCommand: 'set cli screen-length 0',
  configEnterCommand: 'configure private',
  configExitCommand: 'exit configuration-mode',
};

const HUAWEI_VRP: CliPlatformProfile = {
  errorPatterns: ['^Error:[^\\n]*'],
  pagingCommand: 'screen-length 0 temporary',
  configEnterCommand: 'system-view',
  configExitCommand: 'return',
};

const NOKIA_SROS: CliPlatformProfile = {
  errorPatterns: ['^(?:MINOR|MAJOR|CRITICAL|Error): [^\\n]*'],
  pagingCommand: 'environment no more',
  configEnterCommand: 'configure',
  configExitCommand: 'exit all',
};

/** Platform names (as the inventory's `platform` gives them) to their profiles. */
export const CLI_PLATFORMS: Readonly<Record<string, CliPlatformProfile>> = {
  'cisco-like-cli': IOS_LIKE,
  ios: IOS_LIKE,
  'ios-xe': IOS_LIKE,
  'nx-os': IOS_LIKE,
  eos: IOS_LIKE,
  'frr-vtysh': FRR_VTYSH,
  frr: FRR_VTYSH,
  junos: JUNOS,
  'huawei-vrp': HUAWEI_VRP,
  'nokia-sros': NOKIA_SROS,
};

/** The profile of an NE with no `platform`: IOS-like, the CLI most devices imitate. */
export const DEFAULT_CLI_PLATFORM = 'cisco-like-cli';

export function cliPlatformProfile(platform: string | undefined): CliPlatformProfile | undefined {
  return CLI_PLATFORMS[platform ?? DEFAULT_CLI_PLATFORM];
}
