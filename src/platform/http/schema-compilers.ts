import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Fastify compiles a serializer for every response a route declares, and every route declares
 * its problem answers (problem-responses.ts): about 2,500 fast-json-stringify builds of a few
 * dozen distinct schemas when the app is built, two thirds of the time `ready()` took (CPU
 * profile, 2026-12-06). A serializer depends only on its schema and on the shared schemas it
 * may reference, so each distinct pair is compiled once per process and reused — by the
 * routes of one app, and by the next app a test file or CLI command builds in the same process.
 *
 * The cache keys on the JSON of the schemas, which is what fast-json-stringify reads; it holds
 * one function per distinct response schema of the code, so it stays bounded.
 */
const serializers = new Map<string, (value: unknown) => string>();

type SerializerFactory = ReturnType<typeof SerializerSelector>;

export const memoizedSerializerFactory: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  const shared = JSON.stringify([externalSchemas ?? null, options ?? null]);
  return (route) => {
    const key = `${shared}\n${JSON.stringify(route.schema ?? null)}`;
    let serializer = serializers.get(key);
    if (serializer === undefined) {
      serializer = compile(route);
      serializers.set(key, serializer);
    }
    return serializer;
  };
};

/**
 * TypeBox's validator compiler, compiled once per schema object and request part. TypeBox
 * keeps its kinds, optional marks and refinements in non-enumerable keys (`~kind`, `~refine`…)
 * that JSON drops, so the key is the schema object itself (module constants, shared by every
 * app a process builds), not its JSON. fast-json-stringify reads only the enumerable keywords,
 * so two response schemas with the same JSON serialise alike, and a field neither lists is
 * dropped by both.
 */
const validators = new WeakMap<object, Map<string, ReturnType<typeof TypeBoxValidatorCompiler>>>();

export const memoizedValidatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const part = route.httpPart ?? '';
  if (typeof route.schema !== 'object' || route.schema === null) {
    return TypeBoxValidatorCompiler(route as Parameters<typeof TypeBoxValidatorCompiler>[0]);
  }
  let byPart = validators.get(route.schema);
  if (byPart === undefined) {
    byPart = new Map();
    validators.set(route.schema, byPart);
  }
  let validator = byPart.get(part);
  if (validator === undefined) {
    validator = TypeBoxValidatorCompiler(route as Parameters<typeof TypeBoxValidatorCompiler>[0]);
    byPart.set(part, validator);
  }
  return validator;
};
