/**
 * The running configuration of the simulated CLI network element, as a two-level tree: top-level
 * lines, some of which open a block (`interface Gi0/1`) whose following lines are its children.
 * Pure: no I/O, so the config semantics are tested without SSH.
 */

/** One top-level line of the running configuration. */
export interface ConfigNode {
  readonly line: string;
  /** True when the line opens a sub-mode; only blocks have children. */
  readonly isBlock: boolean;
  children: string[];
}

export const DEFAULT_BLOCK_KEYWORDS: readonly string[] = ['interface', 'router', 'subscriber', 'mailbox', 'ip vrf'];

export class CliConfigModel {
  private readonly nodes: ConfigNode[] = [];
  private readonly blockKeywords: readonly string[];

  constructor(blockKeywords: readonly string[] = DEFAULT_BLOCK_KEYWORDS) {
    // Longest first, so `ip vrf` wins over a shorter keyword that is a prefix of it.
    this.blockKeywords = [...blockKeywords].sort((a, b) => b.length - a.length);
  }

  /** The keyword that makes `line` open a block, if any. */
  blockKeyword(line: string): string | undefined {
    const text = normalize(line);
    return this.blockKeywords.find((keyword) => text === keyword || text.startsWith(`${keyword} `));
  }

  /**
   * Applies one configuration-mode line typed while in `block` (undefined: global configuration)
   * and returns the block the session is in afterwards. `no <line>` removes a line, a whole block,
   * or (inside a block) a child. A block line typed inside another block acts globally, as on IOS
   * where a command the sub-mode does not know falls through to the parent mode.
   */
  applyLine(line: string, block?: ConfigNode): ConfigNode | undefined {
    const text = normalize(line);
    if (text === '') return block;
    const negated = /^no (.+)$/.exec(text)?.[1];
    const target = negated ?? text;

    if (block && this.blockKeyword(target) === undefined) {
      if (negated !== undefined) {
        // `no plan` removes `plan gold`, as on IOS.
        block.children = block.children.filter((child) => child !== negated && !child.startsWith(`${negated} `));
      } else if (!block.children.includes(text)) {
        // A command given again with another last argument replaces its old value
        // (`plan silver` replaces `plan gold`), as a device's running config shows it.
        const key = commandKey(text);
        const index = block.children.findIndex((child) => commandKey(child) === key);
        if (index >= 0) block.children[index] = text;
        else block.children.push(text);
      }
      return block;
    }

    if (negated !== undefined) {
      const index = this.nodes.findIndex((node) => node.line === negated);
      if (index >= 0) this.nodes.splice(index, 1);
      return undefined;
    }

    let node = this.nodes.find((candidate) => candidate.line === text);
    if (!node) {
      node = { line: text, isBlock: this.blockKeyword(text) !== undefined, children: [] };
      this.nodes.push(node);
    }
    return node.isBlock ? node : undefined;
  }

  /** Every line in running-config order, children indented one space, without separators. */
  lines(): string[] {
    return this.nodes.flatMap((node) => [node.line, ...node.children.map((child) => ` ${child}`)]);
  }

  /** The configuration body as `show running-config` prints it, `!` between sections, ending in `end`. */
  render(): string {
    const out = ['!'];
    for (const node of this.nodes) {
      if (node.isBlock) {
        if (out.at(-1) !== '!') out.push('!');
        out.push(node.line, ...node.children.map((child) => ` ${child}`), '!');
      } else {
        out.push(node.line);
      }
    }
    if (out.at(-1) !== '!') out.push('!');
    out.push('end');
    return out.join('\n');
  }
}

function normalize(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

/** A command without its last argument: `plan gold` -> `plan`, `neighbor 1.2.3.4 remote-as 1` -> `neighbor 1.2.3.4 remote-as`. */
function commandKey(line: string): string {
  const words = line.split(' ');
  return words.length > 1 ? words.slice(0, -1).join(' ') : line;
}
