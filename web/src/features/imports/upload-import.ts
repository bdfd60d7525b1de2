import { apiSend, apiUploadWithBearer, withQuery } from '../../api/client.js';

/** What `POST /api/imports` answers: the job to poll. */
export interface ImportStarted {
  id: string;
  status: 'running' | 'finished';
}

/** What `GET /api/imports/:id` answers (`ImportJobSchema` on the server). */
export interface ImportJob {
  id: string;
  status: 'running' | 'finished' | 'failed';
  fileName: string;
  fileBytes: number;
  format: 'csv' | 'ndjson';
  linesTotal: number | null;
  personsImported: number;
  householdsImported: number;
  batchesCommitted: number;
  rowsInvalid: number | null;
  startedAt: string;
  finishedAt: string | null;
  failure: string | null;
  /** The first refused fields, as codes and parameters (said in the operator's language). */
  refusedRows: RefusedRow[];
}

export interface RefusedRow {
  line: number;
  recordId: string;
  field: string;
  code: string;
  params: Record<string, string | number>;
}

interface DeviceTokenCreated {
  id: string;
  token: string;
}

/**
 * Uploads a CSV file as an enrolment import. The server's CSRF guard only accepts JSON on
 * cookie-signed writes, so the upload mints a one-day device token (the console session may,
 * having signed in with TOTP), sends the file with it, and revokes it straight after, whether
 * the upload worked or not.
 *
 * @example
 *   const started = await uploadImport(file); // { id, status: 'running' }
 */
export async function uploadImport(file: File): Promise<ImportStarted> {
  const created = await apiSend<DeviceTokenCreated>('POST', '/api/auth/tokens', {
    label: 'console import',
    expiresInDays: 1,
  });
  const token = created.body;
  try {
    const path = withQuery('/api/imports', { purpose: 'enrolment', name: file.name });
    return (await apiUploadWithBearer<ImportStarted>(path, file, 'text/csv', token.token)).body;
  } finally {
    await apiSend('POST', `/api/auth/tokens/${encodeURIComponent(token.id)}/revoke`).catch(
      () => undefined,
    );
  }
}
