import type { TFunction } from 'i18next';
import type { AuditEntry } from '../../api/types.js';

/**
 * How an audit entry's codes read in the auditor's language: actions, resource types and
 * system jobs by name, ids shortened only where a short form still identifies (a UUID's first
 * eight characters), never cut in the middle of a word ("audit-si").
 *
 * @example
 *   actionLabel('person.read', t);           // 'Ver un registro'
 *   actorText({ kind: 'system', id: 'import:3f…', role: 'system', region: null }, t);
 *   // 'el sistema: importación 3f2a9c1d'
 */
export function actionLabel(action: string, t: TFunction): string {
  return t(`action.${action}`, { defaultValue: action });
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hashPattern = /^[0-9a-f]{64}$/i;

/**
 * An id short enough for a table cell: each UUID or hash in it cut to its first eight
 * characters (enough to tell entries apart on one screen), every other part whole.
 */
export function shortId(id: string): string {
  return id
    .split(':')
    .map((part) =>
      uuidPattern.test(part)
        ? part.slice(0, 8)
        : hashPattern.test(part)
          ? `${part.slice(0, 8)}…`
          : part,
    )
    .join(':');
}

export function actorText(actor: AuditEntry['actor'], t: TFunction): string {
  if (actor.kind === 'system') {
    // System actors are jobs named "kind:run-id" ("import:…", "dedup:…") or one word.
    const [job = actor.id, ...rest] = actor.id.split(':');
    const run = rest.join(':');
    const name = t(`audit.entries.job.${job}`, { defaultValue: job });
    return `${t('audit.entries.kind.system')}: ${name}${run ? ` ${shortId(run)}` : ''}`;
  }
  const who = actor.role
    ? t(`role.${actor.role}`, { defaultValue: actor.role })
    : t(`audit.entries.kind.${actor.kind}`);
  return `${who}${actor.region ? ` · ${actor.region}` : ''} ${shortId(actor.id)}`;
}

export function resourceText(resource: AuditEntry['resource'], t: TFunction): string {
  const head = /^tree-head:(\d+):/.exec(resource.id ?? '');
  if (head) return t('audit.entries.treeHead', { size: head[1] });
  const type = t(`audit.entries.resourceType.${resource.type}`, { defaultValue: resource.type });
  return resource.id ? `${type} ${shortId(resource.id)}` : type;
}
