import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { type KeyStore, kidOf } from '../../platform/crypto/key-store.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';

/**
 * Test factories for the audit module (not a test file): throwaway keys shaped like the
 * KeyStore's, and entries shaped like those a request would log.
 */
export function buildAuditKeys(): Pick<KeyStore, 'masterKey' | 'auditSigning'> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    masterKey: randomBytes(32),
    auditSigning: { kid: kidOf(publicKey), privateKey, publicKey },
  };
}

/** An operator reading a person's record; `requestId` makes each entry identifiable. */
export function buildAuditEntry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    actor: { kind: 'operator', id: randomUUID(), role: 'registry_supervisor', region: 'VE-A' },
    action: 'person.read',
    resource: { type: 'person', id: randomUUID() },
    purpose: 'eligibility_review',
    fields: ['givenName', 'familyName'],
    outcome: 'allowed',
    reasonCode: null,
    requestId: randomUUID(),
    ...overrides,
  };
}
