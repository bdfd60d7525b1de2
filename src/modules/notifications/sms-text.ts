/**
 * The words of each text message, by template. Until the notifications module renders in the
 * person's preferred language (it needs the registry's language attribute), a message carries
 * Spanish and English, which every recipient of the demo data reads.
 *
 * @example
 * smsText('citizen.sign_in_code', { code: '042917', validMinutes: '10' });
 * // 'Amparo: su código de acceso es 042917 (vale 10 min). / Your Amparo sign-in code is 042917 (valid 10 min).'
 */
export function smsText(templateId: string, parameters: Readonly<Record<string, string>>): string {
  if (templateId === 'citizen.sign_in_code') {
    const code = parameters.code ?? '';
    const minutes = parameters.validMinutes ?? '';
    return `Amparo: su código de acceso es ${code} (vale ${minutes} min). / Your Amparo sign-in code is ${code} (valid ${minutes} min).`;
  }
  // A template this build does not know is delivered as its name and parameters, so a
  // developer sees it rather than losing it.
  return `Amparo ${templateId} ${JSON.stringify(parameters)}`;
}
