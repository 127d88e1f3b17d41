import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log line, so a secret that slips into an
 * object (credentials, an error's details) is never written.
 */
export const REDACTED_PATHS = [
  'password',
  'passphrase',
  'privateKey',
  'community',
  'authKey',
  'privKey',
  'credentials',
  'secret',
  'token',
  '*.password',
  '*.passphrase',
  '*.privateKey',
  '*.community',
  '*.authKey',
  '*.privKey',
  '*.credentials',
  '*.secret',
  '*.token',
  'headers.authorization',
  '*.headers.authorization',
];

/** The one root logger of a process; everything else is a `child({ orderId, itemId, neId })` of it. */
export function createLogger(options: { level?: string; name?: string } = {}, destination?: DestinationStream): Logger {
  return pino(
    {
      name: options.name ?? 'activation-fleet',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
