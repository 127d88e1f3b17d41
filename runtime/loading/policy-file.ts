import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { FleetError } from '../../errors/index.js';
import { qualificationRulesFromDocument, type QualificationRule } from '../../orders/qualification-rules.js';

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
  return qualificationRulesFromDocument(content, 'policies.yaml');
}
