import { type Static, Type } from 'typebox';

/**
 * Answers of the published statistics routes (issue #17), shared by the server's response
 * schemas and the console's dashboard and open-data page. The schema is the presenter: a cell
 * is a key of area, age band, sex, program or cycle codes and a protected count. There is no
 * field a person or household id could be sent in.
 *
 * @example
 *   const table = await apiGet<StatisticsTable>('/api/open-data/statistics/people_by_age_sex_region');
 *   table.cells.filter((cell) => cell.value === null); // the withheld cells
 */
const Text = Type.Object({ es: Type.String(), en: Type.String() });

export const StatisticsSummarySchema = Type.Object({
  code: Type.String(),
  public: Type.Boolean(),
  title: Text,
  definition: Text,
  /** The breakdowns the table may be read at, as `by` values. */
  breakdowns: Type.Array(Type.String()),
  /** Absent: a count (or an amount, or units); `percent`: a rate computed from published counts. */
  unit: Type.Optional(Type.Literal('percent')),
});
export type StatisticsSummary = Static<typeof StatisticsSummarySchema>;

export const StatisticsTableSchema = Type.Object({
  ...StatisticsSummarySchema.properties,
  refreshedAt: Type.String(),
  by: Type.Array(Type.String()),
  dimensions: Type.Array(Type.String()),
  rules: Type.Object({
    threshold: Type.Integer(),
    protectionLevel: Type.Integer(),
    roundingBase: Type.Integer(),
    /** σ² of the discrete Gaussian noise added to published counts before rounding. */
    noiseVariance: Type.Optional(Type.Integer()),
  }),
  cells: Type.Array(
    Type.Object({
      key: Type.Array(Type.String({ maxLength: 64 })),
      /** Depth of each coordinate in its dimension's tree (0 = the total). */
      depths: Type.Array(Type.Integer({ minimum: 0, maximum: 8 })),
      /**
       * Rounded to the base; null = withheld (too few, or so others cannot be derived). A rate
       * (`unit: 'percent'`) has one decimal.
       */
      value: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    }),
  ),
});
export type StatisticsTable = Static<typeof StatisticsTableSchema>;

/**
 * The refresh schedule as the dashboard shows it (`GET /api/statistics/refresh`): this server's
 * interval (null: no schedule here) and the last refresh, whoever ran it. Times and an outcome,
 * nothing else.
 */
export const StatisticsRefreshStatusSchema = Type.Object({
  everySeconds: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  running: Type.Boolean(),
  lastStartedAt: Type.Union([Type.String(), Type.Null()]),
  lastFinishedAt: Type.Union([Type.String(), Type.Null()]),
  lastOutcome: Type.Union([
    Type.Literal('succeeded'),
    Type.Literal('failed'),
    Type.Literal('stopped'),
    Type.Null(),
  ]),
});
export type StatisticsRefreshStatus = Static<typeof StatisticsRefreshStatusSchema>;
