// Local emulation of Amazon EventBridge event-pattern matching ("content filtering").
// Semantics follow the EventBridge user guide and aws/event-ruler (the engine behind it):
// - every field named in the pattern must match (AND); any value in a leaf array may match (OR);
// - an event field that holds an array matches if ANY of its elements matches;
// - arrays of objects are "crushed": {employees: {name: ["Anna"]}} looks inside every element.
//   Like Ruler's older rulesForEvent, this is not array-consistent across sibling fields.
// Known local difference: EventBridge compares exact numbers by their JSON text (300 ≠ 300.0),
// but once JSON is parsed the two are the same JS number, so locally they are equal.

type Leaf = null | boolean | number | string;
type PlainObject = Record<string, unknown>;

const isPlainObject = (value: unknown): value is PlainObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isLeafValue = (value: unknown): value is Leaf =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return matchesObject(pattern, [event]);
}

// `nodes` holds every event object found at this level: more than one once arrays are crushed.
function matchesObject(pattern: PlainObject, nodes: unknown[]): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or' && Array.isArray(rule)) {
      return rule.some((alternative) => isPlainObject(alternative) && matchesObject(alternative, nodes));
    }
    const children = flatten(nodes.map((node) => (isPlainObject(node) ? node[key] : undefined)));
    if (Array.isArray(rule)) {
      // Only leaves count as values: an object under a leaf key is "not there" for exists.
      return matchesLeaf(rule, children.filter(isLeafValue));
    }
    // A missing intermediate object still recurses, so that nested `exists: false` can match.
    return isPlainObject(rule) && matchesObject(rule, children.filter(isPlainObject));
  });
}

// Flattens nested arrays and drops absent fields (undefined).
function flatten(values: unknown[]): unknown[] {
  return values.flatMap((value) => (Array.isArray(value) ? flatten(value) : value === undefined ? [] : [value]));
}

function matchesLeaf(conditions: unknown[], values: Leaf[]): boolean {
  return conditions.some((condition) => {
    if (isPlainObject(condition) && 'exists' in condition) {
      // An empty array yields no leaf values, so it counts as absent.
      return condition.exists === (values.length > 0);
    }
    // Every other condition needs the field: no values means no match.
    return values.some((value) => matchesValue(condition, value));
  });
}

function matchesValue(condition: unknown, value: Leaf): boolean {
  if (!isPlainObject(condition)) return condition === value; // exact, type-strict: "5" ≠ 5, "" ≠ null
  const [operator, operand] = Object.entries(condition)[0] ?? [];
  const text = typeof value === 'string' ? value : undefined;
  switch (operator) {
    case 'prefix':
      return text !== undefined && affixMatches(operand, text, (s, p) => s.startsWith(p));
    case 'suffix':
      return text !== undefined && affixMatches(operand, text, (s, p) => s.endsWith(p));
    case 'equals-ignore-case':
      return text !== undefined && typeof operand === 'string' && lower(text) === lower(operand);
    case 'wildcard':
      return text !== undefined && typeof operand === 'string' && wildcardRegExp(operand).test(text);
    case 'numeric':
      // Numeric matching only applies to JSON numbers, never to numeric-looking strings.
      return typeof value === 'number' && Array.isArray(operand) && numericMatches(operand, value);
    case 'anything-but':
      return anythingButMatches(operand, value);
    default:
      return false;
  }
}

const lower = (s: string): string => s.toLowerCase();

// prefix/suffix take either a string or {"equals-ignore-case": string}.
function affixMatches(operand: unknown, text: string, test: (s: string, affix: string) => boolean): boolean {
  if (typeof operand === 'string') return test(text, operand);
  const ignoreCase = isPlainObject(operand) ? operand['equals-ignore-case'] : undefined;
  return typeof ignoreCase === 'string' && test(lower(text), lower(ignoreCase));
}

function anythingButMatches(operand: unknown, value: Leaf): boolean {
  if (!isPlainObject(operand)) {
    const excluded = Array.isArray(operand) ? operand : [operand];
    return !excluded.includes(value);
  }
  // The object forms exclude strings only, so a non-string value (e.g. a number) is "anything but".
  if (typeof value !== 'string') return true;
  const [operator, inner] = Object.entries(operand)[0] ?? [];
  const items = Array.isArray(inner) ? inner : [inner];
  return !items.some((item) => matchesValue({ [operator ?? '']: item }, value));
}

const COMPARATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numericMatches(operand: unknown[], value: number): boolean {
  for (let i = 0; i < operand.length; i += 2) {
    const compare = COMPARATORS[String(operand[i])];
    const bound = operand[i + 1];
    if (!compare || typeof bound !== 'number' || !compare(value, bound)) return false;
  }
  return true;
}

// `*` matches any run of characters; `\*` is a literal asterisk and `\\` a literal backslash.
function wildcardRegExp(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] as string;
    if (char === '\\') source += escapeRegExp(wildcard[++i] ?? '');
    else source += char === '*' ? '.*' : escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 's');
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

// ---------------------------------------------------------------------------
// Validation: run once at start-up so that a bad wiring table fails early and clearly.
// ---------------------------------------------------------------------------

export function validatePattern(pattern: unknown): void {
  if (!isPlainObject(pattern)) throw new Error(`Event pattern must be a JSON object, got ${describe(pattern)}`);
  validateObject(pattern, '');
}

function validateObject(pattern: PlainObject, path: string): void {
  const entries = Object.entries(pattern);
  if (entries.length === 0) fail(path || '(root)', 'an event pattern object must name at least one field');
  for (const [key, rule] of entries) {
    const where = path ? `${path}.${key}` : key;
    if (key === '$or') {
      // With fewer than two alternatives EventBridge would silently treat "$or" as a field name.
      if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isPlainObject)) {
        fail(where, '"$or" must be an array of at least two pattern objects');
      }
      rule.forEach((alternative, i) => validateObject(alternative as PlainObject, `${where}[${i}]`));
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) fail(where, 'a leaf must list at least one value or operator');
      rule.forEach((condition) => validateCondition(condition, where));
    } else if (isPlainObject(rule)) {
      validateObject(rule, where);
    } else {
      fail(where, `expected an array of values or a nested object, got ${describe(rule)} (did you mean [${JSON.stringify(rule)}]?)`);
    }
  }
}

function validateCondition(condition: unknown, where: string): void {
  if (isLeafValue(condition)) return;
  if (!isPlainObject(condition)) fail(where, `leaf values must be strings, numbers, booleans, null or operators, got ${describe(condition)}`);
  const keys = Object.keys(condition);
  if (keys.length !== 1) fail(where, `an operator object must have exactly one key, got ${describe(condition)}`);
  const operator = keys[0] as string;
  const operand = condition[operator];
  const problem = operandProblem(operator, operand);
  if (problem) fail(where, `invalid "${operator}" operand ${describe(operand)}: ${problem}`);
}

// Returns why an operand is malformed, or undefined when it is fine.
function operandProblem(operator: string, operand: unknown): string | undefined {
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return typeof operand === 'string' || isIgnoreCaseString(operand)
        ? undefined
        : 'expected a string or {"equals-ignore-case": string}';
    case 'equals-ignore-case':
      return typeof operand === 'string' ? undefined : 'expected a string';
    case 'wildcard':
      return typeof operand === 'string' ? wildcardProblem(operand) : 'expected a string';
    case 'exists':
      return typeof operand === 'boolean' ? undefined : 'expected true or false';
    case 'numeric':
      return numericProblem(operand);
    case 'anything-but':
      return anythingButProblem(operand);
    case 'cidr':
      return 'cidr matching is not supported by the local emulator';
    default:
      return `unknown operator "${operator}"`;
  }
}

const isIgnoreCaseString = (operand: unknown): boolean =>
  isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string';

function wildcardProblem(wildcard: string): string | undefined {
  if (wildcard.includes('**')) return 'consecutive wildcard characters are not allowed';
  for (let i = 0; i < wildcard.length; i++) {
    if (wildcard[i] !== '\\') continue;
    const escaped = wildcard[++i];
    if (escaped !== '*' && escaped !== '\\') return 'a backslash may only escape "*" or "\\"';
  }
  return undefined;
}

function numericProblem(operand: unknown): string | undefined {
  const shape = 'expected [op, number] or [">"|">=", number, "<"|"<=", number]';
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) return shape;
  for (let i = 0; i < operand.length; i += 2) {
    if (!(String(operand[i]) in COMPARATORS)) return `unknown comparison "${String(operand[i])}"`;
    if (typeof operand[i + 1] !== 'number') return 'comparison bounds must be numbers';
  }
  // Two conditions describe a range: a lower bound followed by an upper bound.
  if (operand.length === 4 && (!['>', '>='].includes(operand[0]) || !['<', '<='].includes(operand[2]))) return shape;
  return undefined;
}

function anythingButProblem(operand: unknown): string | undefined {
  if (typeof operand === 'string' || typeof operand === 'number') return undefined;
  if (Array.isArray(operand)) {
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number');
    return operand.length > 0 && (allStrings || allNumbers) ? undefined : 'a list must hold only strings or only numbers';
  }
  if (!isPlainObject(operand) || Object.keys(operand).length !== 1) {
    return 'expected a string, number, list, or one of {prefix|suffix|equals-ignore-case|wildcard}';
  }
  const [operator, inner] = Object.entries(operand)[0] as [string, unknown];
  const stringOrList = typeof inner === 'string' || (Array.isArray(inner) && inner.length > 0 && inner.every((v) => typeof v === 'string'));
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return typeof inner === 'string' ? undefined : `anything-but ${operator} takes a single string`;
    case 'equals-ignore-case':
      return stringOrList ? undefined : 'expected a string or a list of strings';
    case 'wildcard': {
      if (!stringOrList) return 'expected a string or a list of strings';
      return (Array.isArray(inner) ? inner : [inner]).map((w) => wildcardProblem(w as string)).find(Boolean);
    }
    default:
      return `unknown anything-but operator "${operator}"`;
  }
}

function fail(where: string, message: string): never {
  throw new Error(`Invalid event pattern at "${where}": ${message}`);
}

function describe(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
