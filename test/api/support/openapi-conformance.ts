import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';

/**
 * Checks answers against the OpenAPI description the fleet serves: the harness runs every
 * response of the API tests through it, so a route that answers something its description does
 * not say (an undocumented status, a body off its schema) fails the test file that saw it.
 */
type Json = Record<string, any>;
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

interface Operation {
  pattern: RegExp;
  method: string;
  responses: Json;
  path: string;
}

export class OpenApiConformance {
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  private readonly operations: Operation[];
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly violations: string[] = [];

  constructor(private readonly document: Json) {
    this.operations = Object.entries(document.paths as Json).flatMap(([path, methods]) =>
      Object.entries(methods as Json).map(([method, op]) => ({
        path,
        method: method.toUpperCase(),
        responses: (op as Json).responses ?? {},
        pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
      })),
    );
  }

  /** Records a violation when the answer is not one the description documents for the operation. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): void {
    const path = new URL(url, 'http://x').pathname;
    const op = this.operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(path));
    if (!op) return; // not an operation of the description (docs, unknown routes)
    const response = (op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default) as Json | undefined;
    const where = `${method} ${op.path} ${status}`;
    if (!response) {
      this.violations.push(`${where}: status not documented`);
      return;
    }
    const schema = response.content?.['application/json']?.schema as Json | undefined;
    if (!schema) {
      if (body !== undefined && body !== '') this.violations.push(`${where}: a body where the description documents none`);
      return;
    }
    if (!contentType?.includes('json')) {
      this.violations.push(`${where}: content-type ${contentType ?? 'none'}, documented application/json`);
      return;
    }
    const key = `${where}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile({ ...schema, components: this.document.components });
      this.compiled.set(key, validate);
    }
    if (!validate(body)) this.violations.push(`${where}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`);
  }
}
