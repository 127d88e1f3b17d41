import { describe, expect, it } from 'vitest';
import { credentialInUrl, safeUrl } from '../../observability/credentials-in-url.js';

const TOKEN = 'known-token-0123456789abcdef';
const isToken = (v: string) => v === TOKEN;

describe('credentialInUrl', () => {
  it.each([
    ['/tmf-api/serviceOrdering/v4/serviceOrder?access_token=abc', 'query parameter access_token'],
    ['/x?token=abc', 'query parameter token'],
    ['/x?api_key=abc', 'query parameter api_key'],
    ['/x?apiKey=abc', 'query parameter apiKey'],
    ['/x?API-KEY=abc', 'query parameter API-KEY'],
    ['/x?limit=1&Authorization=Bearer%20abc', 'query parameter Authorization'],
    ['/x?client_secret=abc', 'query parameter client_secret'],
    ['/x?password=abc', 'query parameter password'],
    ['/x?jwt=abc', 'query parameter jwt'],
    ['/x?key=abc', 'query parameter key'],
    ['/queues/api/queues?X-Amz-Signature=abc', 'query parameter X-Amz-Signature'],
    [`/x?q=${TOKEN}`, 'query parameter q'],
    [`/x?${TOKEN}`, 'a query parameter name'],
    [`/tmf-api/serviceOrdering/v4/serviceOrder/${TOKEN}`, 'the path'],
    [`/x/${encodeURIComponent(TOKEN)}`, 'the path'],
    ['/x?an_unusually_long_access_token_name=abc', 'a query parameter'],
  ])('finds a credential in %s', (url, where) => {
    expect(credentialInUrl(url, isToken)).toBe(where);
  });

  it.each([
    '/tmf-api/serviceOrdering/v4/serviceOrder',
    '/tmf-api/serviceOrdering/v4/serviceOrder?state=completed&limit=10&sort=-orderDate&fields=id,state',
    '/tmf-api/serviceInventory/v4/service?serviceSpecification.id=mobile-plan',
    '/queues/api/queues?activeQueue=item-activation&status=completed&page=1&jobsPerPage=10',
    '/readyz',
    '/x?q=%E0%A4%A',
  ])('lets %s through', (url) => {
    expect(credentialInUrl(url, isToken)).toBeUndefined();
  });
});

describe('safeUrl', () => {
  it('keeps what helps debugging and hides credential values and tokens', () => {
    expect(safeUrl('/x?state=completed&access_token=abc&limit=5', isToken)).toBe('/x?state=completed&access_token=%5Bredacted%5D&limit=5');
    expect(safeUrl(`/x/${TOKEN}/y?q=${TOKEN}`, isToken)).toBe('/x/[redacted]/y?q=%5Bredacted%5D');
    expect(safeUrl(`/x?${TOKEN}`, isToken)).not.toContain(TOKEN);
    expect(safeUrl('/healthz')).toBe('/healthz');
  });
});
