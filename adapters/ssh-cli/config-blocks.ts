/**
 * Config blocks in CLI output, as IOS, FRR vtysh and their imitators print `show running-config`:
 * a header line, then its body indented deeper, up to the next line indented no deeper than the
 * header (`!`, `exit`, the next section). Lines compare whole, blanks at either end aside, so
 * `subscriber 4917000001` never stands for `subscriber 49170000019`.
 */

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * The bodies of every block whose header is `header`, one line each, or undefined when no such
 * block is there (an empty block gives the empty string).
 */
export function configBlocks(output: string, header: string): string | undefined {
  const lines = output.split(/\r?\n/);
  const wanted = header.trim();
  const bodies: string[] = [];
  let found = false;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() !== wanted) continue;
    found = true;
    const depth = indentOf(line);
    for (i += 1; i < lines.length; i += 1) {
      const child = lines[i] ?? '';
      if (child.trim() === '') continue;
      if (indentOf(child) <= depth) {
        i -= 1;
        break;
      }
      bodies.push(child);
    }
  }
  return found ? bodies.join('\n') : undefined;
}

/** Whether `text` holds `wanted` as one whole line. */
export function hasLine(text: string, wanted: string): boolean {
  const target = wanted.trim();
  return text.split(/\r?\n/).some((line) => line.trim() === target);
}
