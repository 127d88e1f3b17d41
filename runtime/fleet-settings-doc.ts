import { allSettings, FLEET_SETTINGS, type Setting } from './fleet-config.js';

/** Where the generated tables sit in the README. */
export const SETTINGS_BEGIN = '<!-- settings:begin (generated from runtime/fleet-config.ts by `npm run sync:settings`: edit there) -->';
export const SETTINGS_END = '<!-- settings:end -->';

/** The README's default column: the schema's own default, unless the setting says how to show it. */
function shownDefault(setting: Setting): string {
  if (setting.shows !== undefined) return setting.shows;
  const value = setting.schema.parse(undefined);
  return `\`${String(value)}\``;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** One table per section of FLEET_SETTINGS, in its order: what the README shows between the markers. */
export function settingsMarkdown(): string {
  const rows = allSettings();
  const parts: string[] = [];
  for (const [key, section] of Object.entries(FLEET_SETTINGS)) {
    parts.push(`### ${section.title}`, '', section.doc, '', '| variable | default | meaning |', '|---|---|---|');
    for (const { setting } of rows.filter((r) => r.section === key)) parts.push(`| \`${setting.env}\` | ${cell(shownDefault(setting))} | ${cell(setting.doc)} |`);
    parts.push('');
  }
  return parts.join('\n');
}

/** `readme` with its settings tables replaced by the generated ones. */
export function withSettingsTables(readme: string): string {
  const begin = readme.indexOf(SETTINGS_BEGIN);
  const end = readme.indexOf(SETTINGS_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no settings markers (${SETTINGS_BEGIN} ... ${SETTINGS_END})`);
  return `${readme.slice(0, begin + SETTINGS_BEGIN.length)}\n\n${settingsMarkdown()}\n${readme.slice(end)}`;
}
