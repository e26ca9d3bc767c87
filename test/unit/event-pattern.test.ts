import { describe, it, expect } from 'vitest';
import { matchesPattern, validatePattern } from '../../local/event-pattern';

// The sample EC2 event used throughout the EventBridge user guide and the event-ruler README.
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail });

describe('exact values', () => {
  it('matches when every field named in the pattern matches (AND)', () => {
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['running'] },
    };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern({ ...pattern, region: ['eu-west-1'] }, ec2Event)).toBe(false);
  });

  it('matches when any value in the array matches (OR)', () => {
    expect(matchesPattern({ source: ['aws.ec2', 'aws.fargate'] }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { state: ['initializing', 'running'] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { state: ['initializing', 'stopped'] } }, ec2Event)).toBe(false);
  });

  it('ignores event fields that the pattern does not mention', () => {
    expect(matchesPattern({ source: ['aws.ec2'] }, ec2Event)).toBe(true);
  });

  it('compares strings character by character, without case-folding', () => {
    expect(matchesPattern({ source: ['AWS.EC2'] }, ec2Event)).toBe(false);
  });

  it('matches numbers and booleans, and does not confuse them with strings', () => {
    const event = withDetail({ 'risk-score': 80, trusted: true });
    expect(matchesPattern({ detail: { 'risk-score': [80] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { 'risk-score': ['80'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { trusted: [true] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { trusted: ['true'] } }, event)).toBe(false);
  });

  it('does not match an event that lacks the field', () => {
    expect(matchesPattern({ detail: { reason: ['terminated'] } }, ec2Event)).toBe(false);
  });
});

describe('null values and empty strings', () => {
  // From "Matching null values and empty strings in Amazon EventBridge event patterns".
  const event = {
    'detail-type': 'EC2 Instance Launch Successful',
    source: 'aws.autoscaling',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };

  it('matches an empty string with [""]', () => {
    expect(matchesPattern({ detail: { eventVersion: [''] } }, event)).toBe(true);
  });

  it('matches null with [null]', () => {
    expect(matchesPattern({ detail: { responseElements: [null] } }, event)).toBe(true);
  });

  it('does not treat null and the empty string as interchangeable', () => {
    expect(matchesPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { responseElements: [''] } }, event)).toBe(false);
  });
});

describe('nested objects', () => {
  it('recurses into the event object with the same nesting', () => {
    const event = withDetail({ trigger: { risk: 8, 'alert-type': 'basic' } });
    expect(matchesPattern({ detail: { trigger: { risk: [8] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { trigger: { risk: [9] } } }, event)).toBe(false);
  });

  it('does not match when the intermediate object is missing', () => {
    expect(matchesPattern({ detail: { trigger: { risk: [8] } } }, ec2Event)).toBe(false);
  });

  it('does not match a nested pattern against a plain value', () => {
    expect(matchesPattern({ detail: { state: { name: ['running'] } } }, ec2Event)).toBe(false);
  });
});

describe('arrays in the event', () => {
  it('matches when the pattern and the event array intersect', () => {
    // From "Arrays in Amazon EventBridge event patterns".
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
  });

  it('does not match an empty array', () => {
    expect(matchesPattern({ resources: ['arn:x'] }, { resources: [] })).toBe(false);
  });

  it('looks inside every object of an array of objects', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
    };
    expect(matchesPattern({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matchesPattern({ employees: { firstName: ['Peter'] } }, event)).toBe(false);
  });
});

describe('prefix', () => {
  it('matches a string that starts with the prefix', () => {
    expect(matchesPattern({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ time: [{ prefix: '2017-10-03' }] }, ec2Event)).toBe(false);
  });

  it('is case-sensitive unless combined with equals-ignore-case', () => {
    const event = withDetail({ service: 'EVENTBRIDGE' });
    expect(matchesPattern({ detail: { service: [{ prefix: 'EventB' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, event)).toBe(true);
  });

  it('only applies to string values', () => {
    expect(matchesPattern({ detail: { 'c-count': [{ prefix: '5' }] } }, ec2Event)).toBe(false);
  });
});

describe('suffix', () => {
  it('matches a string that ends with the suffix', () => {
    expect(matchesPattern({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' })).toBe(true);
    expect(matchesPattern({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' })).toBe(false);
  });

  it('ignores case when combined with equals-ignore-case', () => {
    const pattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matchesPattern(pattern, { detail: { FileName: 'image.PNG' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { FileName: 'image.jpg' } })).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  it('matches a string regardless of case', () => {
    expect(matchesPattern({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alice' })).toBe(true);
    expect(matchesPattern({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' })).toBe(false);
  });
});

describe('wildcard', () => {
  it('matches any run of characters at each *', () => {
    expect(matchesPattern({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueService' })).toBe(true);
    expect(matchesPattern({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' })).toBe(true);
    expect(matchesPattern({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'ASimpleQueueService' })).toBe(false);
  });

  it('matches an ARN with several wildcards', () => {
    const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(matchesPattern(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' })).toBe(true);
    expect(matchesPattern(pattern, { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' })).toBe(false);
  });

  it('treats \\* as a literal asterisk and other characters literally', () => {
    expect(matchesPattern({ key: [{ wildcard: 'a\\*b' }] }, { key: 'a*b' })).toBe(true);
    expect(matchesPattern({ key: [{ wildcard: 'a\\*b' }] }, { key: 'axb' })).toBe(false);
    expect(matchesPattern({ key: [{ wildcard: 'a.b' }] }, { key: 'axb' })).toBe(false);
  });
});

describe('anything-but', () => {
  it('matches anything except a single string or number', () => {
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'running' }] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': 301.8 }] } }, ec2Event)).toBe(false);
  });

  it('matches anything except a list of strings or of numbers', () => {
    const states = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matchesPattern(states, ec2Event)).toBe(true);
    expect(matchesPattern(states, withDetail({ state: 'stopped' }))).toBe(false);
    const limits = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matchesPattern(limits, ec2Event)).toBe(true);
    expect(matchesPattern(limits, withDetail({ 'x-limit': 200 }))).toBe(false);
  });

  it('matches anything that does not start with a prefix', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ state: 'initializing' }))).toBe(false);
  });

  it('matches anything that does not end with a suffix', () => {
    const pattern = { FileName: [{ 'anything-but': { suffix: '.png' } }] };
    expect(matchesPattern(pattern, { FileName: 'notes.txt' })).toBe(true);
    expect(matchesPattern(pattern, { FileName: 'image.png' })).toBe(false);
  });

  it('matches anything except a value in any casing', () => {
    const pattern = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
    expect(matchesPattern(pattern, { state: 'running' })).toBe(true);
    expect(matchesPattern(pattern, { state: 'INITIALIZING' })).toBe(false);
  });

  it('matches anything that does not fit a wildcard', () => {
    const pattern = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
    expect(matchesPattern(pattern, { FilePath: '/usr/bin/tool' })).toBe(true);
    expect(matchesPattern(pattern, { FilePath: '/usr/lib/tool' })).toBe(false);
  });

  it('does not match an event that lacks the field', () => {
    expect(matchesPattern({ detail: { reason: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
  });

  it('matches an event array when any element is not excluded', () => {
    const pattern = { tags: [{ 'anything-but': 'internal' }] };
    expect(matchesPattern(pattern, { tags: ['internal', 'public'] })).toBe(true);
    expect(matchesPattern(pattern, { tags: ['internal'] })).toBe(false);
  });
});

describe('numeric', () => {
  it('matches ranges and comparisons (documentation example)', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ ...ec2Event.detail, 'c-count': 6 }))).toBe(false);
    expect(matchesPattern(pattern, withDetail({ ...ec2Event.detail, 'c-count': 0 }))).toBe(false);
  });

  it('respects inclusive and exclusive bounds', () => {
    const at = (n: number) => ({ n });
    expect(matchesPattern({ n: [{ numeric: ['>=', 10] }] }, at(10))).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['>', 10] }] }, at(10))).toBe(false);
    expect(matchesPattern({ n: [{ numeric: ['<=', 10] }] }, at(10))).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['<', 10] }] }, at(10))).toBe(false);
  });

  it('only applies to JSON numbers, not numeric strings', () => {
    expect(matchesPattern({ n: [{ numeric: ['>', 0] }] }, { n: '5' })).toBe(false);
  });
});

describe('exists', () => {
  it('exists: true matches an event that has the field', () => {
    const pattern = { detail: { state: [{ exists: true }] } };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ 'c-count': { c1: 100 } }))).toBe(false);
  });

  it('exists: true matches a field whose value is null', () => {
    expect(matchesPattern({ a: [{ exists: true }] }, { a: null })).toBe(true);
  });

  it('exists: false matches an event that lacks the field', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    expect(matchesPattern(pattern, withDetail({ state: ['initializing', 'running'] }))).toBe(true);
    expect(matchesPattern(pattern, ec2Event)).toBe(false);
  });

  it('exists: false matches when the intermediate object is missing', () => {
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, { source: 'aws.ec2' })).toBe(true);
  });

  it('only looks at leaf values, so an object counts as absent', () => {
    const event = withDetail({ state: 'running', 'c-count': { c1: 100 } });
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: true }] } }, event)).toBe(false);
  });

  it('treats an empty array as absent', () => {
    expect(matchesPattern({ resources: [{ exists: false }] }, { resources: [] })).toBe(true);
    expect(matchesPattern({ resources: [{ exists: true }] }, { resources: [] })).toBe(false);
  });
});

describe('$or', () => {
  const pattern = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };

  it('matches when any alternative matches, and the other fields still apply', () => {
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricName: 'CPUUtilization' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricName: 'DiskQueue' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'aws.ec2', metricName: 'CPUUtilization' })).toBe(false);
  });

  it('works inside nested objects and can be nested itself', () => {
    const nested = {
      detail: {
        $or: [
          { state: ['running'] },
          { 'c-count': [{ numeric: ['>', 10] }], $or: [{ a: [1] }, { b: [2] }] },
        ],
      },
    };
    expect(matchesPattern(nested, ec2Event)).toBe(true);
    expect(matchesPattern(nested, withDetail({ state: 'stopped', 'c-count': 11, b: 2 }))).toBe(true);
    expect(matchesPattern(nested, withDetail({ state: 'stopped', 'c-count': 11, b: 3 }))).toBe(false);
  });
});

describe('complex example with multiple matching', () => {
  it('combines prefix, anything-but and numeric (documentation example)', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ ...ec2Event.detail, 'x-limit': 300 }))).toBe(false);
  });
});

describe('validatePattern', () => {
  it('accepts every pattern form used above', () => {
    const patterns: unknown[] = [
      { source: ['aws.ec2'], detail: { state: ['running', null, 5, true] } },
      { time: [{ prefix: '2017' }, { prefix: { 'equals-ignore-case': 'x' } }] },
      { f: [{ suffix: '.png' }, { 'equals-ignore-case': 'a' }, { wildcard: 'a*b\\*c' }] },
      { f: [{ 'anything-but': 'a' }, { 'anything-but': [1, 2] }, { 'anything-but': { prefix: 'init' } }] },
      { f: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }, { 'anything-but': { wildcard: '*/lib/*' } }] },
      { f: [{ numeric: ['>', 0, '<=', 5] }, { numeric: ['=', 3.018e2] }, { exists: false }] },
      { source: ['x'], $or: [{ a: ['1'] }, { b: { c: ['2'] } }] },
    ];
    for (const pattern of patterns) expect(() => validatePattern(pattern)).not.toThrow();
  });

  it('rejects a leaf that is not an array, naming the field', () => {
    expect(() => validatePattern({ detail: { state: 'running' } })).toThrow(
      /at "detail\.state": expected an array of values or a nested object.*\["running"\]/,
    );
  });

  it('rejects an unknown operator', () => {
    expect(() => validatePattern({ source: [{ startsWith: 'aws.' }] })).toThrow(/unknown operator "startsWith"/);
  });

  it('rejects malformed operands', () => {
    expect(() => validatePattern({ n: [{ numeric: ['>>', 1] }] })).toThrow(/unknown comparison ">>"/);
    expect(() => validatePattern({ n: [{ numeric: ['<', 5, '>', 1] }] })).toThrow(/numeric/);
    expect(() => validatePattern({ n: [{ numeric: ['>', '1'] }] })).toThrow(/must be numbers/);
    expect(() => validatePattern({ n: [{ exists: 'yes' }] })).toThrow(/expected true or false/);
    expect(() => validatePattern({ n: [{ prefix: 5 }] })).toThrow(/prefix/);
    expect(() => validatePattern({ n: [{ 'anything-but': ['a', 1] }] })).toThrow(/only strings or only numbers/);
    expect(() => validatePattern({ n: [{ 'anything-but': { prefix: ['a', 'b'] } }] })).toThrow(/single string/);
    expect(() => validatePattern({ n: [{ wildcard: 'a**b' }] })).toThrow(/consecutive/);
    expect(() => validatePattern({ n: [{ prefix: 'a', suffix: 'b' }] })).toThrow(/exactly one key/);
  });

  it('rejects empty leaves, empty objects and non-object patterns', () => {
    expect(() => validatePattern({ source: [] })).toThrow(/at least one value/);
    expect(() => validatePattern({})).toThrow(/at least one field/);
    expect(() => validatePattern({ detail: {} })).toThrow(/at "detail"/);
    expect(() => validatePattern(['aws.ec2'])).toThrow(/must be a JSON object/);
    expect(() => validatePattern({ source: [['nested']] })).toThrow(/leaf values/);
  });

  it('rejects an $or that is not a list of at least two patterns', () => {
    expect(() => validatePattern({ $or: [{ a: ['1'] }] })).toThrow(/"\$or" must be an array of at least two/);
    expect(() => validatePattern({ $or: [{ a: ['1'] }, { b: 'x' }] })).toThrow(/at "\$or\[1\]\.b"/);
  });

  it('reports operators that the local emulator does not support', () => {
    expect(() => validatePattern({ ip: [{ cidr: '10.0.0.0/24' }] })).toThrow(/not supported by the local emulator/);
  });
});
