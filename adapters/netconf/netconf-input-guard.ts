/**
 * Last guard before XML reaches a device. Values were validated upstream and the XML was built
 * by an escaping library; this catches what slipped through anyway: C0 control characters (never
 * legal in XML 1.0 except tab, LF and CR) and text that is not well-formed XML.
 */
import { NeError } from '../../errors/index.js';
import { XmlSyntaxError, parseNetconfContent } from './xml-tree.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Throws UNSAFE_DEVICE_INPUT unless `xml` is a well-formed fragment free of control characters. */
export function assertSafeNetconfXml(neId: string, xml: string, what: 'config' | 'filter'): void {
  const control = FORBIDDEN_CONTROL.exec(xml);
  if (control) {
    const codePoint = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new NeError('UNSAFE_DEVICE_INPUT', neId, `${what} XML contains control character ${codePoint} at offset ${control.index}`, {
      details: { what, codePoint, offset: control.index },
    });
  }
  try {
    parseNetconfContent(xml, what);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    throw new NeError('UNSAFE_DEVICE_INPUT', neId, `${what} XML is not well-formed: ${error.message}`, { cause: error, details: { what } });
  }
}
