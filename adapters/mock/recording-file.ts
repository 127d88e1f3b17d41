import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../errors/index.js';
import { NE_PROTOCOLS } from '../registry.js';
import { OPTIONAL_METHODS, type SessionRecording } from './session-recording.js';

const errorCode = z.string().refine((code): code is ErrorCode => code in ERROR_CODES, 'an error code of errors/error-codes.ts');

const auditEntrySchema = z.object({
  neId: z.string(),
  protocol: z.enum(NE_PROTOCOLS),
  operation: z.string(),
  request: z.string(),
  reply: z.string(),
  outcome: z.enum(['ok', 'error']),
  errorCode: z.string().optional(),
  startedAt: z.string(),
  durationMs: z.number(),
});

const recordingSchema = z.object({
  format: z.literal('activation-fleet/mock-session/1'),
  neId: z.string(),
  protocol: z.enum(NE_PROTOCOLS),
  offers: z.array(z.enum(OPTIONAL_METHODS)),
  calls: z.array(
    z.object({
      method: z.enum(['open', 'apply', 'readPrior', 'verify', 'applyConfirmed', 'confirm', 'cancel', 'extendConfirmed', 'close']),
      args: z.array(z.unknown()),
      result: z.unknown().optional(),
      error: z.object({ code: errorCode, message: z.string(), transient: z.boolean(), details: z.record(z.string(), z.unknown()) }).optional(),
      audit: z.array(auditEntrySchema),
      openAfter: z.boolean(),
    }),
  ),
});

/** Reads and checks a recorded session (a file the recorder wrote, or one written by hand). */
export async function loadRecording(path: string): Promise<SessionRecording> {
  const parsed = recordingSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a mock session recording: ${parsed.error.message}`);
  return parsed.data as SessionRecording;
}

export async function saveRecording(path: string, recording: SessionRecording): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(recording, null, 2)}\n`);
}
