import { createRequire } from 'node:module';
import {
  type DocumentNode,
  defaultFieldResolver,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isIntrospectionType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { type IRules, shield } from 'graphql-shield';

type ShieldOptions = NonNullable<Parameters<typeof shield>[1]>;

/*
 * graphql-shield applied per operation and per object instead of per field (issue 11).
 *
 * shield() wraps every field of the schema in an async middleware: a list of 50 notifications with their persons runs
 * some 1,250 promise-returning wrappers although almost every rule in the map depends on the viewer alone. This module
 * applies the same map with the same rule objects, at the cost the rules actually have:
 *
 * - Before execution, every field the operation selects is looked up in the map. A rule that does not depend on the
 *   parent object (shield's `contextual` cache, allow, deny, and logic rules made of them; and any rule of a root field,
 *   whose parent is the fixed root value) is evaluated once per operation, with the field's arguments, which the
 *   document and its variables fix.
 * - If every such rule allows, the operation runs on the fast schema: fields whose rule depends on the parent (row
 *   scope: `no_cache` or `strict` rules below the root) check each object once, synchronously when the rule is; every
 *   other field resolves as it would without shield, its errors mapped by the same fallbackError.
 * - If any rule does not allow, the operation runs on the schema with shield on every field, exactly as before: a
 *   denial's errors, paths and partial data are shield's own. Nothing has run yet when this is decided, so a denied
 *   mutation is never half done on the fast path.
 *
 * test/authorization-differential.test.ts checks that both paths give the same response for every field of the schema
 * and for viewers that are allowed and denied.
 */

/** What shield's rule objects expose at run time (graphql-shield does not export its classes). */
interface RuntimeRule {
  resolve(
    parent: unknown,
    args: Record<string, unknown>,
    ctx: object,
    info: GraphQLResolveInfo,
    options: unknown,
  ): Promise<unknown>;
  /** Rules made with rule(): the user function and the cache option. */
  func?: (parent: unknown, args: Record<string, unknown>, ctx: object, info: GraphQLResolveInfo) => unknown;
  cache?: unknown;
  /** Logic rules (and, or, chain, race, not, allow, deny): their operands. */
  getRules?: () => RuntimeRule[];
}

type FallbackError = (
  thrown: unknown,
  parent: unknown,
  args: unknown,
  ctx: object,
  info: GraphQLResolveInfo,
) => unknown;

export interface OperationShieldOptions {
  fallbackRule: NonNullable<ShieldOptions['fallbackRule']>;
  fallbackError: FallbackError;
}

/** One field selection the operation makes, with the rule that guards it. */
interface FieldCheck {
  rule: RuntimeRule;
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  /** The rule's outcome can only depend on the arguments, not on the parent (cache option aside). */
  usesArguments: boolean;
}

/** Per request (the context object), per parent object: a row-scope rule's outcome. */
type Verdicts = WeakMap<object, WeakMap<object, unknown>>;

export type ExecutionPath = 'fast' | 'shielded';

export interface OperationShield {
  /** The schema with shield on every field: the reference, and the path of any operation not allowed whole. */
  shielded: GraphQLSchema;
  /** The schema with row-scope rules per object and no other per-field wrapper. */
  fast: GraphQLSchema;
  /**
   * Which schema runs this operation for this caller: 'fast' only when every operation-level rule allows every field
   * the operation selects. Operations it cannot analyse (unknown operation, variables that do not coerce) go 'shielded',
   * which reports them as before.
   */
  pathFor(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | undefined,
    ctx: object,
  ): Promise<ExecutionPath>;
  /**
   * The map's rule for one field, outside a GraphQL operation (downloads): true, or the error shield would answer the
   * field with (the fallbackError's for a plain denial).
   */
  decide(
    typeName: string,
    fieldName: string,
    input: { parent?: unknown; args?: Record<string, unknown> },
    ctx: object,
  ): Promise<true | Error>;
}

/** The rule shield applies to `type.field`: its own generator's lookup (type rule, field rule, `*`, fallback). */
function ruleFor(rules: IRules, type: GraphQLObjectType, fieldName: string, fallback: unknown): RuntimeRule {
  const entry = (rules as Record<string, unknown>)[type.name];
  if (entry === undefined) return fallback as unknown as RuntimeRule;
  if (isFieldMap(entry)) return (entry[fieldName] ?? entry['*'] ?? fallback) as RuntimeRule;
  return entry as RuntimeRule;
}

function isFieldMap(entry: unknown): entry is Record<string, unknown> {
  return entry !== null && typeof entry === 'object' && Object.getPrototypeOf(entry) === Object.prototype;
}

/** A rule whose outcome shield itself treats as the same for every parent object of one request. */
function isParentFree(rule: RuntimeRule): boolean {
  if (rule.getRules) return rule.getRules().every(isParentFree);
  return rule.cache === 'contextual';
}

export function operationShield(
  buildSchema: () => GraphQLSchema,
  rules: IRules,
  options: OperationShieldOptions,
): OperationShield {
  const shielded = applyMiddleware(
    buildSchema(),
    shield(rules, {
      fallbackRule: options.fallbackRule,
      fallbackError: options.fallbackError as ShieldOptions['fallbackError'],
      allowExternalErrors: false,
      hashFunction: ruleCacheKey,
    }),
  );
  const ruleOptions = RULE_OPTIONS;
  const fast = buildSchema();
  const rootTypes = new Set([fast.getQueryType(), fast.getMutationType(), fast.getSubscriptionType()]);
  const fieldRules = new Map<GraphQLField<unknown, unknown>, RuntimeRule>();
  // A row-scope rule's outcomes per request and object, shared by all the fields the rule guards.
  const verdictsByRule = new Map<RuntimeRule, Verdicts>();
  const verdictsOf = (rule: RuntimeRule): Verdicts => {
    let verdicts = verdictsByRule.get(rule);
    if (!verdicts) {
      verdicts = new WeakMap();
      verdictsByRule.set(rule, verdicts);
    }
    return verdicts;
  };

  for (const type of Object.values(fast.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = ruleFor(rules, type, field.name, options.fallbackRule);
      fieldRules.set(field, rule);
      const perObject = !rootTypes.has(type) && !isParentFree(rule);
      field.resolve = guardedResolver(
        field.resolve,
        perObject ? { rule, verdicts: verdictsOf(rule) } : undefined,
        options,
        ruleOptions,
      );
    }
  }

  const checksCache = new WeakMap<DocumentNode, Map<string, FieldCheck[] | null>>();
  const checksOf = (
    document: DocumentNode,
    operationName: string | null | undefined,
  ): FieldCheck[] | null => {
    let byName = checksCache.get(document);
    if (!byName) {
      byName = new Map();
      checksCache.set(document, byName);
    }
    const key = operationName ?? '';
    let checks = byName.get(key);
    if (checks === undefined) {
      checks = collectChecks(fast, document, operationName, (type, field) => {
        const rule = fieldRules.get(field) ?? ruleFor(rules, type, field.name, options.fallbackRule);
        return { rule, root: rootTypes.has(type) };
      });
      byName.set(key, checks);
    }
    return checks;
  };

  return {
    shielded,
    fast,
    async decide(typeName, fieldName, { parent, args = {} }, ctx) {
      const type = fast.getType(typeName);
      const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
      if (!isObjectType(type) || !field) throw new Error(`No field ${typeName}.${fieldName} in the schema.`);
      withShieldCache(ctx);
      const info = { parentType: type, fieldName } as GraphQLResolveInfo;
      const rule = ruleFor(rules, type, fieldName, options.fallbackRule);
      const outcome = await rule.resolve(parent, args, ctx, info, ruleOptions);
      if (outcome === true) return true;
      const error =
        outcome instanceof Error ? outcome : await options.fallbackError(null, parent, args, ctx, info);
      return error instanceof Error ? error : new Error('Not allowed.');
    },
    async pathFor(document, operationName, variables, ctx) {
      const checks = checksOf(document, operationName);
      if (!checks) return 'shielded';
      withShieldCache(ctx);
      let coerced: Record<string, unknown> | undefined;
      if (checks.some((check) => check.usesArguments)) {
        const operation = getOperationAST(document, operationName);
        const result = getVariableValues(fast, operation?.variableDefinitions ?? [], variables ?? {});
        if (result.errors) return 'shielded';
        coerced = result.coerced;
      }
      const info = undefined as unknown as GraphQLResolveInfo;
      const outcomes = await Promise.all(
        checks.map((check) => {
          let args: Record<string, unknown> = {};
          if (check.usesArguments) {
            try {
              args = getArgumentValues(check.field, check.node, coerced);
            } catch {
              return false;
            }
          }
          return check.rule.resolve(undefined, args, ctx, info, ruleOptions);
        }),
      );
      return outcomes.every((outcome) => outcome === true) ? 'fast' : 'shielded';
    },
  };
}

/** Shield keeps its per-request rule cache on the context; its middleware creates it on first use, and so do we. */
function withShieldCache(ctx: object): void {
  const context = ctx as { _shield?: { cache: Record<string, unknown> } };
  context._shield ??= { cache: {} };
}

/**
 * The key of shield's `strict` cache. At the root, where such rules are (the parent is the fixed root value), the
 * coerced arguments as JSON: graphql-js builds them in the schema's order, so equal arguments give equal keys, at a
 * fraction of object-hash's cost. Elsewhere shield's own default, object-hash (its dependency, loaded from its folder).
 */
const objectHash = createRequire(require.resolve('graphql-shield'))('object-hash') as (
  value: unknown,
) => string;
export function ruleCacheKey({ parent, args }: { parent?: unknown; args?: unknown }): string {
  return parent === undefined ? JSON.stringify(args) : objectHash({ parent, args });
}

/** What shield passes every rule: rules only read `debug` and `hashFunction`. */
const RULE_OPTIONS = { debug: false, hashFunction: ruleCacheKey };

/**
 * The field checks of an operation: every field it may select under every object type it may meet, with the rule
 * guarding it, for the rules that do not depend on the parent. Null when the operation cannot be found.
 */
function collectChecks(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  lookup: (
    type: GraphQLObjectType,
    field: GraphQLField<unknown, unknown>,
  ) => { rule: RuntimeRule; root: boolean },
): FieldCheck[] | null {
  const operation: OperationDefinitionNode | null | undefined = getOperationAST(document, operationName);
  if (!operation) return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const checks: FieldCheck[] = [];
  const seen = new Set<string>();
  const visiting = new Set<SelectionSetNode>();

  const visit = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType): void => {
    // Validation forbids fragment cycles; this guard only keeps a bad document from looping here.
    if (visiting.has(selectionSet)) return;
    visiting.add(selectionSet);
    const objectTypes = isAbstractType(parentType) ? schema.getPossibleTypes(parentType) : [parentType];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        // Meta fields (__typename, __schema, __type) are not in the map: shield does not guard them either.
        if (selection.name.value.startsWith('__')) continue;
        for (const type of objectTypes) {
          const field = type.getFields()[selection.name.value];
          if (!field) continue;
          const { rule, root } = lookup(type, field);
          if (root || isParentFree(rule)) {
            // A parent-free rule ignores arguments: one check per field. A root field's rule may read them: one per
            // selection.
            const usesArguments = root && !isParentFree(rule);
            const key = `${type.name}.${field.name}`;
            if (usesArguments || !seen.has(key)) {
              seen.add(key);
              checks.push({ rule, field, node: selection, usesArguments });
            }
          }
          const named = getNamedType(field.type);
          if (selection.selectionSet && isCompositeType(named)) visit(selection.selectionSet, named);
        }
      } else {
        const condition =
          selection.kind === Kind.INLINE_FRAGMENT
            ? selection.typeCondition
            : fragments.get(selection.name.value)?.typeCondition;
        const set =
          selection.kind === Kind.INLINE_FRAGMENT
            ? selection.selectionSet
            : fragments.get(selection.name.value)?.selectionSet;
        if (!set) continue;
        const type = condition ? schema.getType(condition.name.value) : parentType;
        if (type && isCompositeType(type)) visit(set, type);
      }
    }
    visiting.delete(selectionSet);
  };
  visit(operation.selectionSet, rootType);
  return checks;
}

/**
 * A field resolver of the fast schema: the object's rule first when the field has a row-scope rule (once per object),
 * then the resolver, whose errors become what shield's fallbackError makes of them.
 */
function guardedResolver(
  resolve: GraphQLFieldResolver<unknown, object> | undefined,
  objectRule: { rule: RuntimeRule; verdicts: Verdicts } | undefined,
  options: OperationShieldOptions,
  ruleOptions: unknown,
): GraphQLFieldResolver<unknown, object> | undefined {
  const run: GraphQLFieldResolver<unknown, object> = (parent, args, ctx, info) => {
    try {
      const value = (resolve ?? defaultFieldResolver)(parent, args, ctx, info);
      if (isPromiseLike(value)) {
        return Promise.resolve(value).catch((error: unknown) =>
          options.fallbackError(error, parent, args, ctx, info),
        );
      }
      return value;
    } catch (error) {
      return options.fallbackError(error, parent, args, ctx, info);
    }
  };
  // No wrapper at all where there is nothing to check or map: graphql-jit then reads the property inline.
  if (!objectRule && !resolve) return undefined;
  if (!objectRule) return run;
  const { rule, verdicts } = objectRule;
  return (parent, args, ctx, info) => {
    const verdict = objectVerdict(rule, parent, args, ctx, info, ruleOptions, verdicts);
    if (isPromiseLike(verdict)) {
      return Promise.resolve(verdict).then((outcome) => afterVerdict(outcome, parent, args, ctx, info));
    }
    return afterVerdict(verdict, parent, args, ctx, info);
  };

  function afterVerdict(
    verdict: unknown,
    parent: unknown,
    args: Record<string, unknown>,
    ctx: object,
    info: GraphQLResolveInfo,
  ): unknown {
    if (verdict === true) return run(parent, args, ctx, info);
    if (verdict === false) return options.fallbackError(null, parent, args, ctx, info);
    return verdict;
  }
}

/**
 * A row-scope rule's outcome for one object: true, false or an Error, as shield's Rule.resolve makes it. A plain rule
 * whose function answers synchronously is called directly; anything else goes through its own (async) resolve. The
 * outcome is kept per request and object for fields without arguments: the rule functions are pure.
 */
function objectVerdict(
  rule: RuntimeRule,
  parent: unknown,
  args: Record<string, unknown>,
  ctx: object,
  info: GraphQLResolveInfo,
  ruleOptions: unknown,
  verdicts: Verdicts,
): unknown {
  const memo = parent !== null && typeof parent === 'object' && Object.keys(args).length === 0;
  let perObject: WeakMap<object, unknown> | undefined;
  if (memo) {
    perObject = verdicts.get(ctx);
    if (!perObject) {
      perObject = new WeakMap();
      verdicts.set(ctx, perObject);
    }
    if (perObject.has(parent as object)) return perObject.get(parent as object);
  }
  let verdict: unknown;
  if (rule.func && !rule.getRules) {
    try {
      const outcome = rule.func(parent, args, ctx, info);
      verdict = isPromiseLike(outcome)
        ? rule.resolve(parent, args, ctx, info, ruleOptions)
        : normalizeOutcome(outcome);
    } catch {
      verdict = false;
    }
  } else {
    verdict = rule.resolve(parent, args, ctx, info, ruleOptions);
  }
  if (memo) perObject?.set(parent as object, verdict);
  return verdict;
}

/** Rule.resolve's reading of a rule function's answer. */
function normalizeOutcome(outcome: unknown): unknown {
  if (outcome instanceof Error) return outcome;
  if (typeof outcome === 'string') return new Error(outcome);
  return outcome === true;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
