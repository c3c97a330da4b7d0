import {
  coerceInputValue,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  typeFromAST,
  type VariableDefinitionNode,
} from 'graphql';
import { ErrorCode } from '../domain/errors';

/** Reasons graphql-js gives that name only schema types and fields (or a key that is a GraphQL name), never a value. */
const VALUE_FREE_REASONS = [
  /^Expected non-nullable type "[^"]+" not to be null\.$/,
  /^Field "[_A-Za-z][_0-9A-Za-z]*" of required type "[^"]+" was not provided\.$/,
  /^Field "[_A-Za-z][_0-9A-Za-z]*" is not defined by type "[_A-Za-z][_0-9A-Za-z]*"\.$/,
  /^Expected type "[_A-Za-z][_0-9A-Za-z]*" to be an object\.$/,
];

/** The type found at `path` inside `type`: input object fields by name, list items by index. */
function typeAt(type: GraphQLInputType, path: readonly (string | number)[]): GraphQLInputType {
  let current = type;
  for (const key of path) {
    const nullable = isNonNullType(current) ? current.ofType : current;
    if (isListType(nullable) && typeof key === 'number') current = nullable.ofType;
    else if (isInputObjectType(nullable) && typeof key === 'string') {
      const field = nullable.getFields()[key];
      if (!field) return current;
      current = field.type;
    } else return current;
  }
  return current;
}

function inputError(name: string, definition: VariableDefinitionNode, message: string): GraphQLError {
  return new GraphQLError(message, {
    nodes: definition,
    extensions: { code: ErrorCode.BAD_USER_INPUT, variableName: name, http: { status: 400 } },
  });
}

/**
 * Checks an operation's variables as graphql-js coerces them, and describes each one that does not fit its declared
 * type: the variable, where inside it, and the type expected, but never the value. graphql-js's own messages quote the
 * value (`Variable "$u" got invalid value "180280-900W"`), and a variable may hold an identity code, which must not
 * reach a log or a proxy's error page through the message.
 */
export function variableErrors(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  inputs: Readonly<Record<string, unknown>>,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    // Validation has already refused a variable of an unknown or output type.
    if (!type || !isInputType(type)) continue;
    if (!Object.hasOwn(inputs, name)) {
      if (!definition.defaultValue && isNonNullType(type)) {
        errors.push(
          inputError(name, definition, `Variable "$${name}" of required type "${type}" was not provided.`),
        );
      }
      continue;
    }
    const value = inputs[name];
    if (value === null && isNonNullType(type)) {
      errors.push(
        inputError(name, definition, `Variable "$${name}" of non-null type "${type}" must not be null.`),
      );
      continue;
    }
    coerceInputValue(
      value,
      type,
      (path, _invalidValue, error) => {
        const at = path.length
          ? ` at "${name}${path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('')}"`
          : '';
        const reason = VALUE_FREE_REASONS.some((pattern) => pattern.test(error.message))
          ? error.message
          : `Expected type "${typeAt(type, path)}".`;
        errors.push(inputError(name, definition, `Variable "$${name}" got an invalid value${at}; ${reason}`));
      },
      true,
    );
  }
  return errors;
}
