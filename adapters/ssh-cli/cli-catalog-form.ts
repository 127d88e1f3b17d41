import { z } from 'zod';
import type { CheckWords, TemplateRender } from '../driver.js';

/** Lines sent one by one in configuration mode. */
export interface CliChange {
  protocol: 'ssh-cli';
  lines: string[];
}

/**
 * Output of an exec-mode command, or with `within` only the config block(s) that line opens,
 * must hold `line` as a whole line (leading and trailing blanks aside), contain the text, or
 * match the regex; with `absent`, must not.
 */
export interface CliCheck {
  protocol: 'ssh-cli';
  command: string;
  within?: string;
  line?: string;
  contains?: string;
  matches?: string;
  absent?: boolean;
}

export const cliChangeTemplate = z.array(z.string().min(1)).min(1);

export const cliTestShape = {
  command: z.string().optional(),
  /** ssh-cli: look only inside the config block(s) this line opens (`router bgp {{ localAs }}`). */
  within: z.string().min(1).optional(),
  /** ssh-cli: whole lines the output must hold; netconf: text the reply must hold. */
  contains: z.union([z.string(), z.array(z.string())]).optional(),
  /** ssh-cli: a regular expression a whole line must match (anchored for you); escape values with `regex_escape`. */
  matches: z.string().optional(),
  absent: z.boolean().optional(),
};

type CliTest = z.output<z.ZodObject<typeof cliTestShape>>;

export function renderCliChange(lines: string[], render: TemplateRender, where: string): CliChange {
  // A line that renders empty (`{% if changed.plan %}...{% endif %}`) is not sent.
  return { protocol: 'ssh-cli', lines: lines.map((line, i) => render.text(line, `${where}.lines[${i}]`)).filter((line) => line.trim() !== '') };
}

/** One check, or one per expected line of a `contains` list. */
export function renderCliTest(test: CliTest, render: TemplateRender, where: string): CliCheck[] {
  const absent = test.absent === undefined ? {} : { absent: test.absent };
  const command = render.text(test.command ?? '', `${where}.command`);
  const within = test.within === undefined ? {} : { within: render.text(test.within, `${where}.within`) };
  // A catalog pattern matches a whole line, never a piece of one.
  const matches = test.matches === undefined ? {} : { matches: `^[ \t]*(?:${render.text(test.matches, `${where}.matches`)})[ \t]*$` };
  const expected = test.contains === undefined ? [] : Array.isArray(test.contains) ? test.contains : [test.contains];
  const lines = expected.map((c) => render.text(c, `${where}.contains`));
  if (lines.length === 0) return [{ protocol: 'ssh-cli', command, ...within, ...matches, ...absent }];
  return lines.map((line) => ({ protocol: 'ssh-cli', command, ...within, line, ...matches, ...absent }));
}

export function describeCliCheck(check: CliCheck): string {
  const scope = check.within === undefined ? '' : ` within "${check.within}"`;
  const wanted = check.line !== undefined ? `line "${check.line}"` : check.contains !== undefined ? `"${check.contains}"` : check.matches !== undefined ? `a line matching ${check.matches}` : 'acceptance';
  return `${check.command}${scope} ${check.absent ? 'shows no' : 'shows'} ${wanted}`;
}

export function cliCheckWords(check: CliCheck): CheckWords {
  return {
    what: `${check.command}${check.within === undefined ? '' : ` within "${check.within}"`}`,
    expected: check.line ?? check.contains ?? (check.matches === undefined ? '' : `a line matching ${check.matches}`),
  };
}
