/**
 * The one place a driver's exchanges become audit entries: what was sent, what came back, when
 * and for how long, with the NE's secrets masked and device text cut at one cap. Every driver
 * reports through a recorder of its own (one per adapter), so the trail has one shape whatever
 * the protocol, and no secret depends on each driver remembering to mask it.
 */
import type { Logger } from 'pino';
import type { NeProtocol } from './registry.js';
import type { AuditEntry, OperationContext } from './audit.js';

/** The most characters of device text (a reply, a request, an observed value) kept anywhere. */
export const DEVICE_TEXT_CAP = 4096;

/** Cuts device text at DEVICE_TEXT_CAP, saying how much was left out. */
export function capDeviceText(text: string): string {
  return text.length > DEVICE_TEXT_CAP ? `${text.slice(0, DEVICE_TEXT_CAP)}... [${text.length - DEVICE_TEXT_CAP} more characters]` : text;
}

/** Exchanges kept for a later sink: a login and a few set-up commands, a logout. */
const MAX_UNREPORTED = 16;
const MASK = '********';

/** One exchange as a driver reports it. */
export interface Exchange {
  /** `session-open`, `session-close`, `cli-command`, `netconf-rpc`, `snmp-get`, `snmp-set`... */
  operation: string;
  request: string;
  reply: string;
  /** Set when the exchange failed: the NeError's code. */
  errorCode?: string | undefined;
  /** @defaultValue 'error' with an errorCode, else 'ok' */
  outcome?: AuditEntry['outcome'];
  startedAt: Date;
  /** When the driver timed the exchange itself; otherwise the time from `startedAt` to now. */
  durationMs?: number;
}

export interface ExchangeRecorderOptions {
  neId: string;
  protocol: NeProtocol;
  /** The credentials that must never reach the trail, even if a device echoed one back. */
  secrets?: ReadonlyArray<string | undefined>;
  log?: Logger | undefined;
}

export class ExchangeRecorder {
  private readonly secrets: string[];
  /**
   * Exchanges made with no audit sink that belong to the next operation's trail: a pool opens
   * sessions (the login, set-up commands) before any item's operation runs.
   */
  private readonly unreported: AuditEntry[] = [];

  constructor(private readonly options: ExchangeRecorderOptions) {
    this.secrets = (options.secrets ?? []).filter((secret): secret is string => secret !== undefined && secret !== '');
  }

  /**
   * Reports one exchange to the operation's sink. With no sink it is dropped, or, with
   * `keepForNextSink`, handed to the next operation that has one. A sink that throws is the
   * caller's bug: it is logged, and the device work goes on.
   */
  record(ctx: OperationContext | undefined, exchange: Exchange, { keepForNextSink = false } = {}): void {
    const entry: AuditEntry = {
      neId: this.options.neId,
      protocol: this.options.protocol,
      operation: exchange.operation,
      request: capDeviceText(this.redact(exchange.request)),
      reply: capDeviceText(this.redact(exchange.reply)),
      outcome: exchange.outcome ?? (exchange.errorCode === undefined ? 'ok' : 'error'),
      ...(exchange.errorCode === undefined ? {} : { errorCode: exchange.errorCode }),
      startedAt: exchange.startedAt.toISOString(),
      durationMs: exchange.durationMs ?? Date.now() - exchange.startedAt.getTime(),
    };
    if (ctx?.audit) {
      this.reportUnreported(ctx);
      this.send(ctx, entry);
    } else if (keepForNextSink && this.unreported.length < MAX_UNREPORTED) {
      this.unreported.push(entry);
    }
  }

  /** Hands the kept exchanges to this operation's sink, oldest first. */
  reportUnreported(ctx: OperationContext | undefined): void {
    if (!ctx?.audit) return;
    for (const entry of this.unreported.splice(0)) this.send(ctx, entry);
  }

  /** The text with every secret masked: for the trail, and for anything else quoting the device. */
  redact(text: string): string {
    let safe = text;
    for (const secret of this.secrets) safe = safe.split(secret).join(MASK);
    return safe;
  }

  private send(ctx: OperationContext, entry: AuditEntry): void {
    try {
      ctx.audit?.(entry);
    } catch (error) {
      this.options.log?.warn({ neId: this.options.neId, err: error }, 'audit sink threw; entry dropped');
    }
  }
}
