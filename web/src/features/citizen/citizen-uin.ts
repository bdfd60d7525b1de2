/**
 * The ID number the person signed in with, kept for this tab only (sessionStorage) so their
 * own record can be found: a citizen session does not return it from `/api/auth/me`.
 */
const key = 'amparo.citizen.uin';

export function rememberCitizenUin(uin: string): void {
  sessionStorage.setItem(key, uin);
}

export function citizenUin(): string | null {
  return sessionStorage.getItem(key);
}
