import { describe, expect, it } from 'vitest';
import { NetconfRpcError } from '../../errors/index.js';
import { NetconfProtocolViolation, failingErrors, parseRpcReply, parseServerHello } from '../../adapters/netconf/rpc-reply-parser.js';

const NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';

describe('parseServerHello', () => {
  it('reads capabilities and session-id', () => {
    const hello = parseServerHello(
      `<?xml version="1.0"?><hello xmlns="${NS}"><capabilities>
        <capability>urn:ietf:params:netconf:base:1.0</capability>
        <capability> urn:ietf:params:netconf:base:1.1 </capability>
      </capabilities><session-id>42</session-id></hello>`,
    );
    expect(hello).toEqual({ capabilities: ['urn:ietf:params:netconf:base:1.0', 'urn:ietf:params:netconf:base:1.1'], sessionId: 42 });
  });

  it('accepts a prefixed base namespace', () => {
    const hello = parseServerHello(
      `<nc:hello xmlns:nc="${NS}"><nc:capabilities><nc:capability>urn:ietf:params:netconf:base:1.0</nc:capability></nc:capabilities><nc:session-id>7</nc:session-id></nc:hello>`,
    );
    expect(hello.sessionId).toBe(7);
  });

  it.each([
    ['no session-id', `<hello xmlns="${NS}"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>`],
    ['no capabilities', `<hello xmlns="${NS}"><capabilities/><session-id>1</session-id></hello>`],
    ['wrong namespace', `<hello xmlns="urn:other"><capabilities><capability>x</capability></capabilities><session-id>1</session-id></hello>`],
    ['malformed', `<hello xmlns="${NS}"><capabilities></hello>`],
    ['DTD', `<!DOCTYPE hello [<!ENTITY a "b">]><hello xmlns="${NS}"/>`],
  ])('rejects a hello with %s', (_name, xml) => {
    expect(() => parseServerHello(xml)).toThrow(NetconfProtocolViolation);
  });
});

describe('parseRpcReply', () => {
  it('reads <ok/> and the message-id', () => {
    const reply = parseRpcReply(`<rpc-reply xmlns="${NS}" message-id="101"><ok/></rpc-reply>`);
    expect(reply).toMatchObject({ messageId: '101', ok: true, rpcErrors: [], data: undefined });
  });

  it('parses every field of every rpc-error', () => {
    const reply = parseRpcReply(
      `<rpc-reply xmlns="${NS}" message-id="3" xmlns:npdb="urn:activation-fleet:sim:npdb">
        <rpc-error>
          <error-type>application</error-type>
          <error-tag>invalid-value</error-tag>
          <error-severity>error</error-severity>
          <error-app-tag>npdb-range</error-app-tag>
          <error-path>/npdb:porting/npdb:ported-number[npdb:msisdn='4930']/npdb:routing-number</error-path>
          <error-message xml:lang="en">routing number &lt;D999&gt; unknown</error-message>
          <error-info><bad-element>routing-number</bad-element></error-info>
        </rpc-error>
        <rpc-error>
          <error-type>protocol</error-type>
          <error-tag>operation-failed</error-tag>
          <error-severity>warning</error-severity>
        </rpc-error>
      </rpc-reply>`,
    );
    expect(reply.ok).toBe(false);
    expect(reply.rpcErrors).toHaveLength(2);
    expect(reply.rpcErrors[0]).toEqual({
      errorType: 'application',
      errorTag: 'invalid-value',
      errorSeverity: 'error',
      errorAppTag: 'npdb-range',
      errorPath: "/npdb:porting/npdb:ported-number[npdb:msisdn='4930']/npdb:routing-number",
      errorMessage: 'routing number <D999> unknown',
      errorInfo: `<bad-element xmlns="${NS}">routing-number</bad-element>`,
    });
    expect(reply.rpcErrors[1]).toEqual({ errorType: 'protocol', errorTag: 'operation-failed', errorSeverity: 'warning' });
    expect(failingErrors(reply)).toHaveLength(1);
  });

  it('marks lock-denied as transient NE_LOCKED once wrapped', () => {
    const reply = parseRpcReply(
      `<rpc-reply xmlns="${NS}" message-id="9"><rpc-error><error-type>protocol</error-type><error-tag>lock-denied</error-tag>` +
        `<error-severity>error</error-severity><error-info><session-id>17</session-id></error-info></rpc-error></rpc-reply>`,
    );
    const error = new NetconfRpcError('npdb1', reply.rpcErrors);
    expect(reply.rpcErrors[0]?.errorInfo).toBe(`<session-id xmlns="${NS}">17</session-id>`);
    expect(error.code).toBe('NE_LOCKED');
    expect(error.transient).toBe(true);
  });

  it('re-serializes <data> content with namespaces and decoded character references', () => {
    const reply = parseRpcReply(
      `<nc:rpc-reply xmlns:nc="${NS}" message-id="4"><nc:data><porting xmlns="urn:activation-fleet:sim:npdb">` +
        `<ported-number><msisdn>4930</msisdn><donor-operator>Z&#xFC;rich-&#x3A9; &amp; Co</donor-operator></ported-number></porting></nc:data></nc:rpc-reply>`,
    );
    expect(reply.dataXml).toBe(
      '<porting xmlns="urn:activation-fleet:sim:npdb"><ported-number><msisdn>4930</msisdn>' +
        '<donor-operator>Zürich-Ω &amp; Co</donor-operator></ported-number></porting>',
    );
  });

  it('rejects a message that is not an rpc-reply', () => {
    expect(() => parseRpcReply(`<notification xmlns="${NS}"/>`)).toThrow(NetconfProtocolViolation);
    expect(() => parseRpcReply('not xml at all')).toThrow(NetconfProtocolViolation);
  });
});
