/**
 * 查阅留痕: an inspector or auditor read a sensitive view. Recorded before the view is served, so a
 * read whose record could not be written is refused rather than served unrecorded.
 */
export type AuditViewRead = {
  type: 'AuditViewRead';
  data: {
    readId: string;
    userId: string;
    role: string;
    /** The view, e.g. `auditTrail`, `auditVerify`, `logDigest`. */
    view: string;
    /** The route as declared, e.g. `GET /audit/events`. */
    route: string;
    /** The path parameters and query (filters, page, format) as requested. */
    params: { [key: string]: string };
    query: { [key: string]: string };
    readAt: string;
  };
};

export type AuditReadEvent = AuditViewRead;
export const AUDIT_READ_EVENT_TYPES: readonly AuditReadEvent['type'][] = ['AuditViewRead'];

export const AUDIT_READ_STREAM_PREFIX = 'auditread-';
/** One stream per reader per (UTC) day: `auditread-<userId>:<YYYY-MM-DD>`. */
export const auditReadStream = (userId: string, readAt: string) =>
  `${AUDIT_READ_STREAM_PREFIX}${userId}:${readAt.slice(0, 10)}`;
