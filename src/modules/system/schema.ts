import { Type } from 'typebox';

export const HealthResponse = Type.Object({ status: Type.Literal('ok') });

export const ReadinessResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  migrations: Type.Union([
    Type.Literal('current'),
    Type.Literal('pending'),
    Type.Literal('unknown'),
  ]),
});
