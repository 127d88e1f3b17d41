import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { allSettings } from '../../runtime/fleet-config.js';
import { settingsMarkdown, SETTINGS_BEGIN, SETTINGS_END } from '../../runtime/fleet-settings-doc.js';

describe("the README's settings tables", () => {
  it('are the ones the config schema generates (run npm run sync:settings after changing runtime/fleet-config.ts)', async () => {
    const readme = await readFile('README.md', 'utf8');
    const begin = readme.indexOf(SETTINGS_BEGIN);
    const end = readme.indexOf(SETTINGS_END);
    expect(begin, 'the begin marker').toBeGreaterThanOrEqual(0);
    expect(end, 'the end marker, after the begin marker').toBeGreaterThan(begin);
    expect(readme.slice(begin + SETTINGS_BEGIN.length, end).trim()).toBe(settingsMarkdown().trim());
  });

  it('list every setting once, with a default and a meaning', () => {
    const table = settingsMarkdown();
    for (const { setting } of allSettings()) {
      const rows = table.split('\n').filter((line) => line.startsWith(`| \`${setting.env}\` |`));
      expect(rows, setting.env).toHaveLength(1);
      expect(rows[0]?.split(' | ').every((cell) => cell.trim().length > 0), setting.env).toBe(true);
    }
  });
});
