import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../adapters/audit.js';
import { capDeviceText, DEVICE_TEXT_CAP, ExchangeRecorder } from '../../adapters/exchange-recorder.js';

const STARTED = new Date('2026-01-01T00:00:00.000Z');

function recorder(secrets: string[] = []) {
  return new ExchangeRecorder({ neId: 'pe-1', protocol: 'ssh-cli', secrets });
}

describe('ExchangeRecorder', () => {
  it('records what was sent, what came back, the outcome and the timing the driver measured', () => {
    const entries: AuditEntry[] = [];
    recorder().record({ audit: (entry) => entries.push(entry) }, { operation: 'cli-command', request: 'show run', reply: 'hostname pe-1', startedAt: STARTED, durationMs: 12 });
    recorder().record({ audit: (entry) => entries.push(entry) }, { operation: 'cli-command', request: 'bad', reply: '% Unknown command', errorCode: 'NE_COMMAND_REJECTED', startedAt: STARTED, durationMs: 3 });
    expect(entries).toEqual([
      { neId: 'pe-1', protocol: 'ssh-cli', operation: 'cli-command', request: 'show run', reply: 'hostname pe-1', outcome: 'ok', startedAt: STARTED.toISOString(), durationMs: 12 },
      { neId: 'pe-1', protocol: 'ssh-cli', operation: 'cli-command', request: 'bad', reply: '% Unknown command', outcome: 'error', errorCode: 'NE_COMMAND_REJECTED', startedAt: STARTED.toISOString(), durationMs: 3 },
    ]);
  });

  it('times an exchange from its start to the record when the driver did not', () => {
    const entries: AuditEntry[] = [];
    const startedAt = new Date(Date.now() - 250);
    recorder().record({ audit: (entry) => entries.push(entry) }, { operation: 'snmp-get', request: '1.3.6', reply: '', startedAt });
    expect(entries[0]?.durationMs).toBeGreaterThanOrEqual(250);
  });

  it('masks every secret in the request and the reply, wherever it shows', () => {
    const entries: AuditEntry[] = [];
    const r = recorder(['s3cret-pw', 'k3y-phrase']);
    r.record({ audit: (entry) => entries.push(entry) }, { operation: 'cli-command', request: 'username x secret s3cret-pw', reply: 'echo s3cret-pw and k3y-phrase', startedAt: STARTED });
    expect(JSON.stringify(entries)).not.toMatch(/s3cret-pw|k3y-phrase/);
    expect(entries[0]?.reply).toBe('echo ******** and ********');
  });

  it('cuts device text at the one cap, saying how much was left out, after masking', () => {
    const entries: AuditEntry[] = [];
    const long = `${'x'.repeat(DEVICE_TEXT_CAP - 4)}s3cret-pw${'y'.repeat(100)}`;
    recorder(['s3cret-pw']).record({ audit: (entry) => entries.push(entry) }, { operation: 'netconf-rpc', request: long, reply: long, startedAt: STARTED });
    const expected = capDeviceText(`${'x'.repeat(DEVICE_TEXT_CAP - 4)}********${'y'.repeat(100)}`);
    expect(entries[0]?.request).toBe(expected);
    expect(entries[0]?.reply).toBe(expected);
    expect(expected).toMatch(new RegExp(`^x{${DEVICE_TEXT_CAP - 4}}\\*{4}\\.\\.\\. \\[104 more characters\\]$`));
    expect(capDeviceText('short')).toBe('short');
  });

  it('keeps exchanges made with no sink for the next operation that has one, oldest first, when asked', () => {
    const r = recorder();
    r.record({}, { operation: 'session-open', request: 'login', reply: 'prompt', startedAt: STARTED }, { keepForNextSink: true });
    r.record(undefined, { operation: 'cli-command', request: 'terminal length 0', reply: '', startedAt: STARTED }, { keepForNextSink: true });
    r.record({}, { operation: 'snmp-get', request: 'dropped', reply: '', startedAt: STARTED });
    const entries: AuditEntry[] = [];
    r.record({ audit: (entry) => entries.push(entry) }, { operation: 'cli-command', request: 'show run', reply: '', startedAt: STARTED });
    expect(entries.map((entry) => entry.request)).toEqual(['login', 'terminal length 0', 'show run']);
    const later: AuditEntry[] = [];
    r.reportUnreported({ audit: (entry) => later.push(entry) });
    expect(later).toEqual([]);
  });

  it('goes on when a sink throws', () => {
    expect(() => recorder().record({ audit: () => { throw new Error('sink broke'); } }, { operation: 'cli-command', request: 'x', reply: '', startedAt: STARTED })).not.toThrow();
  });
});
