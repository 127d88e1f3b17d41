import { z } from 'zod';

/** How an NE's RESTCONF server is reached: its `restconf` section in the resource inventory. */
export const restconfProfileSchema = z
  .object({
    /** `http` only to a loopback host: basic auth would otherwise cross the network in clear. @defaultValue 'https' */
    scheme: z.enum(['https', 'http']).default('https'),
    /**
     * The RESTCONF root (`/restconf`). Absent: discovered from `/.well-known/host-meta` (RFC 8040
     * 3.1) on the first request and kept for the session.
     */
    root: z
      .string()
      .regex(/^\/[A-Za-z0-9_.~/-]*$/, 'root is an absolute path')
      .optional(),
    /** PEM CA certificate(s) the server's certificate must chain to; absent: the system's CAs. Never skipped. */
    ca: z.string().min(1).optional(),
    /** The name the certificate must carry, when it is not `host`. */
    serverName: z.string().min(1).optional(),
  })
  .strict();

export type RestconfProfile = z.infer<typeof restconfProfileSchema>;
