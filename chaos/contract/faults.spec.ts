// Property tests of the one fault vocabulary: generated valid specs always parse and
// round-trip; a valid spec with one field broken is always refused naming that field;
// no input at all makes the parser throw.
import fc from 'fast-check';
import {
  blastRadiusCount,
  FAULT_TYPES,
  MAX_BLAST_REPLICAS,
  MAX_DELAY_MS,
  MAX_MEMORY_MB,
  MAX_TTL_SECONDS,
  parseFaultSpec,
  type FaultSpecInput,
} from './faults';

const RUNS = 500;

const routeTemplate = fc.stringMatching(/^\/[A-Za-z0-9_\-/:.*]{0,20}$/);
const share = fc.double({ min: 0, max: 1, noNaN: true });

/** The fields every type shares, each present or left to its default. */
const common = fc.record(
  {
    routes: fc.array(routeTemplate, { minLength: 1, maxLength: 32 }),
    probability: share,
    ttlSeconds: fc.integer({ min: 1, max: MAX_TTL_SECONDS }),
    replicas: fc.oneof(
      fc.integer({ min: 1, max: MAX_BLAST_REPLICAS }),
      fc.integer({ min: 1, max: 100 }).map((n) => `${n}%`),
    ),
  },
  { requiredKeys: [] },
);

const delay = fc.double({ min: 0, max: MAX_DELAY_MS, noNaN: true });

/** Only the fields a type requires are required; the rest appear or not. */
const validSpec: fc.Arbitrary<FaultSpecInput> = fc.oneof(
  fc
    .tuple(
      common,
      fc.record(
        { delayMs: delay, jitterMs: delay, distribution: fc.constantFrom('fixed', 'uniform', 'normal') },
        { requiredKeys: ['delayMs'] },
      ),
    )
    .map(([c, f]) => ({ type: 'latency' as const, ...c, ...f })),
  fc
    .tuple(common, fc.record({ status: fc.integer({ min: 400, max: 599 }) }, { requiredKeys: [] }))
    .map(([c, f]) => ({ type: 'error' as const, ...c, ...f })),
  common.map((c) => ({ type: 'abort' as const, ...c })),
  fc
    .tuple(common, fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }))
    .map(([c, utilization]) => ({ type: 'cpu' as const, ...c, utilization })),
  fc
    .tuple(common, fc.integer({ min: 1, max: MAX_MEMORY_MB }))
    .map(([c, megabytes]) => ({ type: 'memory' as const, ...c, megabytes })),
  fc
    .tuple(common, fc.constantFrom('readiness', 'liveness'))
    .map(([c, probe]) => ({ type: 'health' as const, ...c, probe })),
);

/** Values a field of the given kind must refuse. */
const notANumber = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.constant(Number.NaN),
);
const invalidFor: Record<string, fc.Arbitrary<unknown>> = {
  probability: fc.oneof(
    notANumber,
    fc.double({ min: 1.000001, max: 1e9, noNaN: true }),
    fc.double({ min: -1e9, max: -1e-9, noNaN: true }),
  ),
  ttlSeconds: fc.oneof(
    notANumber,
    fc.integer({ min: MAX_TTL_SECONDS + 1 }),
    fc.integer({ max: 0 }),
    fc.double({ min: 1.1, max: 1.9, noNaN: true }),
  ),
  routes: fc.oneof(
    fc.constant([]),
    fc.string(),
    fc.array(
      fc.string().filter((s) => !/^\/[A-Za-z0-9_\-/:.*]*$/.test(s)),
      { minLength: 1, maxLength: 3 },
    ),
    fc.array(fc.constant('/'), { minLength: 33, maxLength: 40 }),
  ),
  delayMs: fc.oneof(
    notANumber,
    fc.double({ min: MAX_DELAY_MS + 0.001, max: 1e12, noNaN: true }),
    fc.double({ min: -1e9, max: -1e-9, noNaN: true }),
  ),
  jitterMs: fc.oneof(notANumber, fc.double({ min: -1e9, max: -1e-9, noNaN: true })),
  distribution: fc.string().filter((s) => !['fixed', 'uniform', 'normal'].includes(s)),
  status: fc.oneof(
    notANumber,
    fc.integer({ min: 0, max: 399 }),
    fc.integer({ min: 600, max: 100_000 }),
    fc.constant(500.5),
  ),
  utilization: fc.oneof(notANumber, fc.constant(0), fc.double({ min: 1.000001, max: 100, noNaN: true })),
  megabytes: fc.oneof(notANumber, fc.constant(0), fc.integer({ min: MAX_MEMORY_MB + 1 }), fc.constant(1.5)),
  probe: fc.string().filter((s) => !['readiness', 'liveness'].includes(s)),
};
const REQUIRED: Record<string, string | undefined> = {
  latency: 'delayMs',
  cpu: 'utilization',
  memory: 'megabytes',
  health: 'probe',
};
const FIELDS_OF: Record<string, string[]> = {
  latency: ['delayMs', 'jitterMs', 'distribution'],
  error: ['status'],
  abort: [],
  cpu: ['utilization'],
  memory: ['megabytes'],
  health: ['probe'],
};

/** A valid spec with one of its own fields set to a value that field refuses. */
const specWithOneBadField = validSpec.chain((spec) => {
  const fields = ['probability', 'ttlSeconds', 'routes', ...FIELDS_OF[spec.type]];
  return fc
    .constantFrom(...fields)
    .chain((field) => invalidFor[field].map((value) => ({ spec: { ...spec, [field]: value }, field })));
});

describe('the fault schema (property tests)', () => {
  it('accepts every valid spec, and what it returns parses again to itself (also through JSON)', () => {
    fc.assert(
      fc.property(validSpec, (spec) => {
        const first = parseFaultSpec(spec);
        expect(first.ok).toBe(true);
        if (!first.ok) return;
        expect(first.value).toMatchObject(spec);
        expect(parseFaultSpec(first.value)).toEqual(first);
        expect(parseFaultSpec(JSON.parse(JSON.stringify(first.value)))).toEqual(first);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a spec with one bad field, naming that field', () => {
    fc.assert(
      fc.property(specWithOneBadField, ({ spec, field }) => {
        const result = parseFaultSpec(spec);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.message).toMatch(new RegExp(`(^|; )${field}(\\.\\d+)?: `));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a missing required field or an unknown one, naming it', () => {
    fc.assert(
      fc.property(
        validSpec,
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => /^[a-z]\w*$/i.test(k)),
        (spec, extra) => {
          const required = REQUIRED[spec.type];
          if (required) {
            const { [required]: _dropped, ...missing } = spec as Record<string, unknown>;
            const result = parseFaultSpec(missing);
            expect(!result.ok && result.message).toContain(`${required}: `);
          }
          if (extra in spec || ['type', 'routes', 'probability', 'ttlSeconds', ...FIELDS_OF[spec.type]].includes(extra))
            return;
          const result = parseFaultSpec({ ...spec, [extra]: 1 });
          expect(!result.ok && result.message).toContain(extra);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses an unknown type naming `type`, and never throws on any JSON value', () => {
    fc.assert(
      fc.property(
        fc.string().filter((t) => !(FAULT_TYPES as readonly string[]).includes(t)),
        (type) => {
          const result = parseFaultSpec({ type, delayMs: 10 });
          expect(!result.ok && result.message).toMatch(/^type: /);
        },
      ),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.anything(),
          fc
            .record({ type: fc.constantFrom(...FAULT_TYPES) }, { requiredKeys: [] })
            .chain((r) => fc.dictionary(fc.string(), fc.jsonValue()).map((d) => ({ ...d, ...r }))),
        ),
        (input) => {
          const result = parseFaultSpec(input);
          if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });
});

describe('blast radius', () => {
  it('is a count or a share of the live replicas, at least one, never more than are live', () => {
    expect(blastRadiusCount(1, 3)).toEqual({ ok: true, count: 1 });
    expect(blastRadiusCount('34%', 3)).toEqual({ ok: true, count: 1 });
    expect(blastRadiusCount('50%', 3)).toEqual({ ok: true, count: 2 });
    expect(blastRadiusCount('1%', 3)).toEqual({ ok: true, count: 1 });
    expect(blastRadiusCount('100%', 3)).toEqual({ ok: true, count: 3 });
    expect(blastRadiusCount(4, 3)).toEqual({ ok: false, message: 'replicas: 4 asked, but 3 replica(s) are live' });
  });

  it.each([0, 1.5, MAX_BLAST_REPLICAS + 1, '0%', '101%', '34', 'half'])(
    'refuses replicas: %p naming the field',
    (replicas) => {
      const parsed = parseFaultSpec({ type: 'abort', replicas });
      expect(parsed).toMatchObject({ ok: false, message: expect.stringMatching(/^replicas: /) });
    },
  );
});
