/**
 * What an interactive CLI prints, read the way a terminal would show it: escapes stripped,
 * prompts found, command echoes removed. Pure functions, no I/O.
 */

// Hostnames longer than this are truncated in some vendors' config-mode prompts (IOS).
const PROMPT_HOSTNAME_CHARS = 16;
// A prompt as first seen, before the hostname is known: `host#`, `host>`, `host(config-if)#`.
const PROMPT_SHAPE = /^[\w.:/@-]{1,64}(?:\([\w.:/ -]{1,64}\))?[#>]$/;
// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[@-_]/g;
// `host(config)#`, `host(config-router)#`: any configuration mode, IOS and FRR vtysh alike.
const CONFIG_PROMPT = /\(config[^)]*\)[#>]\s*$/;

/** What a terminal would show: escapes stripped, CR-LF as LF, a bare CR or a backspace overwriting. */
export function cleanTerminalOutput(raw: string): string {
  return raw
    .replace(ANSI_ESCAPE, '')
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      let shown = '';
      for (const ch of line.slice(line.lastIndexOf('\r') + 1)) {
        if (ch === '\b') shown = shown.slice(0, -1);
        else if (ch === '\t' || (ch >= ' ' && ch !== '\x7f')) shown += ch;
      }
      return shown;
    })
    .join('\n');
}

/**
 * The hostname, once the same prompt-shaped line has been seen twice with the second one last.
 * Banners and MOTDs (sshd's /etc/motd, vtysh's "Hello, this is FRRouting") may hold lines ending
 * in `#` or `>`; only the prompt shows up again after the newline the adapter sends.
 */
export function discoveredHostname(raw: string): string | undefined {
  const lines = cleanTerminalOutput(raw).split('\n');
  const last = lines.at(-1)?.trim() ?? '';
  if (!PROMPT_SHAPE.test(last) || !lines.slice(0, -1).some((line) => line.trim() === last)) return undefined;
  return last.replace(/(?:\([^)]*\))?[#>]$/, '');
}

/** Any prompt of the device with this hostname, in exec, config or a config sub-mode. */
export function promptPattern(hostname: string): RegExp {
  const base = hostname.slice(0, PROMPT_HOSTNAME_CHARS).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${base}[^\\s#>()]*(?:\\([^)\\n]{1,64}\\))?[#>]\\s?$`);
}

export function endsWithPrompt(raw: string, prompt: RegExp): boolean {
  return prompt.test(cleanTerminalOutput(raw.slice(raw.lastIndexOf('\n') + 1)));
}

/** Whether a prompt line shows a configuration mode (`(config)#`, `(config-router)#`). */
export function isConfigPrompt(prompt: string): boolean {
  return CONFIG_PROMPT.test(prompt);
}

/** A command's output without its echo and the prompt that ended it. */
export function commandOutput(raw: string, command: string): string {
  const lines = cleanTerminalOutput(raw).split('\n');
  lines.pop();
  if (lines[0]?.trimEnd().endsWith(command.trim())) lines.shift();
  return lines.join('\n');
}

/** C0 controls, DEL and C1 controls (0x9b is a one-byte CSI on some terminals). */
export function controlCharacter(line: string): number | undefined {
  for (const ch of line) {
    const codePoint = ch.codePointAt(0) ?? 0;
    if (codePoint < 0x20 || codePoint === 0x7f || (codePoint >= 0x80 && codePoint <= 0x9f)) return codePoint;
  }
  return undefined;
}
