/**
 * dynalite parses every expression of every request (update, condition, key
 * condition, filter, projection) with its PEG parsers: 8 % of a simulation's
 * CPU, 12 % of ingesting an event (BENCHMARKS.md). The engine sends the same
 * few dozen expressions again and again, with new values. So each parser here
 * keeps what it parsed, and answers the same expression again from it, with
 * the new request's values put in.
 *
 * The same answer as a parse, because a parse depends on no more than the key:
 * the expression, the attribute names it uses and the types of the values it
 * uses (its checks look at types only). Two checks look at values themselves,
 * BETWEEN's bounds and attribute_type's type name: expressions with either are
 * parsed every time. So are the ones dynalite refuses, so every request still
 * gets dynalite's own error; and a request's values are still validated, and
 * its unused names and values still refused, where they were (outside the parsers).
 */
import { createRequire } from 'node:module';

type AttributeValue = Record<string, unknown>;
interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, AttributeValue>;
  unusedAttrNames?: Record<string, true>;
  unusedAttrVals?: Record<string, true>;
  isKeyCondition?: boolean;
}
interface Parser {
  parse(expression: string, options: { context: ParseContext }): unknown;
  kept?: true;
}

/** Where a request's value goes in a kept parse. */
class Value {
  constructor(readonly name: string) {}
}

const valueTypes = ['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M'];
/** A value's type as dynalite's parsers see it. */
const typeOf = (value: AttributeValue | undefined) => (value ? valueTypes.find((type) => value[type] != null) : undefined);

/** A parse's tree, each node new (dynalite may change what a request parsed), values taken by `value`. */
const copy = (node: unknown, value: (node: object) => unknown): unknown => {
  if (node === null || typeof node !== 'object') return node;
  const replaced = value(node);
  if (replaced !== undefined) return replaced;
  if (Array.isArray(node)) return node.map((child) => copy(child, value));
  // `Object.create(null)` objects (dynalite's path sets) stay such.
  const copied = Object.create(Object.getPrototypeOf(node) as object | null) as Record<string, unknown>;
  for (const key of Object.keys(node)) copied[key] = copy((node as Record<string, unknown>)[key], value);
  return copied;
};

/** The attribute names and values an expression uses; none when it is to be parsed every time. */
const usesOf = (expression: string) =>
  /\bbetween\b|\battribute_type\b/i.test(expression)
    ? undefined
    : { names: [...new Set(expression.match(/#[0-9a-zA-Z_]+/g))], values: [...new Set(expression.match(/:[0-9a-zA-Z_]+/g))] };

const keeping = (parser: Parser) => {
  const parse = parser.parse.bind(parser);
  const uses = new Map<string, ReturnType<typeof usesOf>>();
  const kept = new Map<string, unknown>();
  parser.parse = (expression, options) => {
    const { context } = options;
    if (!uses.has(expression)) uses.set(expression, usesOf(expression));
    const used = uses.get(expression);
    if (!used) return parse(expression, options);
    const { names, values } = used;
    const key = `${context.isKeyCondition ? 'key ' : ''}${expression}\u0000${JSON.stringify(names.map((name) => context.attrNames?.[name] ?? null))}${values
      .map((name) => typeOf(context.attrVals?.[name]))
      .join()}`;
    const template = kept.get(key);
    if (template === undefined) {
      const parsed = parse(expression, options);
      // A refusal (dynalite's message, or a thrown syntax error) is never kept.
      if (parsed && typeof parsed === 'object') {
        const named = new Map(values.map((name) => [context.attrVals?.[name] as object, name]));
        kept.set(key, copy(parsed, (node) => (named.has(node) ? new Value(named.get(node)!) : undefined)));
      }
      return parsed;
    }
    // As the parse would: the names and values it uses are no longer unused.
    for (const name of names) delete context.unusedAttrNames?.[name];
    for (const name of values) delete context.unusedAttrVals?.[name];
    return copy(template, (node) => (node instanceof Value ? context.attrVals![node.name] : undefined));
  };
  parser.kept = true;
};

// The parser modules as dynalite requires them; once per process (vitest may load this module again).
const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
for (const name of ['conditionParser', 'updateParser', 'projectionParser']) {
  const parser = fromDynalite(`./db/${name}`) as Parser;
  if (!parser.kept) keeping(parser);
}
