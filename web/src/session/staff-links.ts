import type { Role } from '../../../src/shared/access/roles.js';
import { may } from './permissions.js';

/**
 * The console's tasks an operator's roles allow, in menu order, each with the i18n key of its
 * label. The banner menu and the home page read the same list, so neither offers a page the
 * server would refuse (an administrator, who reads no person data, gets no person search).
 *
 * @example
 *   staffLinks(['administrator']).map((link) => link.to);
 *   // ['/erasure', '/operators', '/card-proof-key', '/account']
 */
export interface StaffLink {
  to: string;
  /** The short menu label's i18n key. */
  labelKey: `nav.${string}`;
  /**
   * The home page's longer wording of the same task. It never contains the menu label, so a
   * link found by its name ("Inscribir") is the menu's, wherever the page is.
   */
  taskKey: `home.task.${string}`;
}

const link = (to: string, task: string): StaffLink => ({
  to,
  labelKey: `nav.${task}`,
  taskKey: `home.task.${task}`,
});

export function staffLinks(roles: readonly Role[]): StaffLink[] {
  const links: StaffLink[] = [];
  if (may(roles, 'person.search')) links.push(link('/persons', 'search'));
  if (may(roles, 'person.enrol')) links.push(link('/enrol', 'enrol'));
  if (may(roles, 'person.merge')) links.push(link('/reviews', 'reviews'));
  if (may(roles, 'person.import')) links.push(link('/imports', 'imports'));
  if (may(roles, 'audit.read')) links.push(link('/audit', 'audit'));
  if (may(roles, 'person.erasure_request')) links.push(link('/erasure', 'erasure'));
  if (may(roles, 'operator.manage')) links.push(link('/operators', 'operators'));
  if (may(roles, 'distribution.proof_key_read'))
    links.push(link('/card-proof-key', 'cardProofKey'));
  if (may(roles, 'appeal.decide')) links.push(link('/appeals', 'appeals'));
  if (may(roles, 'distribution.redeem')) links.push(link('/distribution', 'distribution'));
  if (may(roles, 'distribution.stock_record')) links.push(link('/distribution/stock', 'stock'));
  if (may(roles, 'distribution.assisted_review')) {
    links.push(link('/distribution/supervision', 'supervision'));
  }
  if (may(roles, 'program.read')) links.push(link('/programs/manage', 'programs'));
  if (may(roles, 'notification.dashboard')) links.push(link('/messages', 'messages'));
  if (may(roles, 'statistics.read')) links.push(link('/statistics', 'statistics'));
  if (may(roles, 'payment.ledger_read')) links.push(link('/money', 'money'));
  if (may(roles, 'payment.wallet_read')) links.push(link('/money/wallet', 'wallets'));
  if (may(roles, 'payment.pin_approve') || may(roles, 'payee.approve')) {
    links.push(link('/pin-approvals', 'pinApprovals'));
  }
  if (may(roles, 'merchant.request')) links.push(link('/merchant', 'merchant'));
  links.push(link('/account', 'account'));
  return links;
}
