import { csvRow } from '../../../platform/csv.js';
import type { StatisticsTable } from '../../../shared/api/statistics.js';

export type CsvLanguage = 'es' | 'en';

const words = {
  es: {
    region: 'territorio',
    age_band: 'grupo_de_edad',
    sex: 'sexo',
    program_cycle: 'programa_ciclo',
    value: 'valor',
    percent: 'porcentaje',
    status: 'estado',
    withheld: 'oculta',
    shown: 'publicada',
  },
  en: {
    region: 'area',
    age_band: 'age_group',
    sex: 'sex',
    program_cycle: 'program_cycle',
    value: 'value',
    percent: 'percent',
    status: 'status',
    withheld: 'withheld',
    shown: 'published',
  },
} as const;

/**
 * A protected table as CSV, through the platform's spreadsheet-safe writer: one column per
 * dimension (codes), the value, and a status column that says `withheld` where the value is
 * empty, so a withheld cell is never read as zero.
 *
 * @example
 *   tableCsv(answer, 'en'); // 'area,age_group,sex,value,status\r\nVE,all,all,35,published\r\n…'
 */
export function tableCsv(table: StatisticsTable, language: CsvLanguage): string {
  const text = words[language];
  const header = [
    ...table.dimensions.map((name) => (text as Record<string, string>)[name] ?? name),
    table.unit === 'percent' ? text.percent : text.value,
    text.status,
  ];
  const lines = [csvRow(header)];
  for (const cell of table.cells) {
    const status = cell.value === null ? text.withheld : text.shown;
    lines.push(csvRow([...cell.key, cell.value, status]));
  }
  return lines.join('');
}
