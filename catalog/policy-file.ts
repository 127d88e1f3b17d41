import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { FleetError } from '../errors/index.js';
import { qualificationPolicySchema, type QualificationRule } from '../orders/qualification-rules.js';
import { formatIssues } from './issue-format.js';

/** Loads `policies.yaml` from the config directory; no file means no extra rules. */
export async function loadQualificationRules(configDir: string): Promise<QualificationRule[]> {
  let text: string;
  try {
    text = await readFile(`${configDir}/policies.yaml`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FleetError('POLICY_INVALID', `cannot read ${configDir}/policies.yaml: ${(error as Error).message}`);
  }
  let content: unknown;
  try {
    content = parseYaml(text);
  } catch (error) {
    throw new FleetError('POLICY_INVALID', `policies.yaml: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = qualificationPolicySchema.safeParse(content);
  if (!parsed.success) throw new FleetError('POLICY_INVALID', `invalid policies.yaml:\n  ${formatIssues(parsed.error).join('\n  ')}`);
  return parsed.data.rules;
}
