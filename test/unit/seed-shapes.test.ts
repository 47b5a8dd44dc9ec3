/**
 * A claim written the way each seed system's users wrote theirs gets an error that says what to write instead: from
 * the XRD (a CEL rule per declared seed field) and from the function (crossplane render, or an XRD of another version).
 * Expected messages written by hand.
 */
import { Severity, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { compositeResourceDefinition } from '../../src/api/xrd.js';
import { runFunction } from '../../src/function.js';
import { claim, firstRequest, type Doc } from '../support/requests.js';

const fatal = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
const errors = (parameters: Doc) =>
  fatal(runFunction(firstRequest(claim(parameters))))
    .flatMap((m) => m.replace(/^cannot compose this PostgreSQLInstance, nothing was changed: /, '').split(/; (?=spec\.)/));

const AWS_STORAGE = 'spec.parameters.storage: storage is the AWS RDS operator\'s disk size: write size.disk instead, e.g. size: {disk: "20Gi"} (aws-rds allocates at least 20Gi)';
const AWS_SIZE =
  'spec.parameters.size: must be an object such as {plan: small, disk: "20Gi"}: an instance class such as "db.t2.small" is the platform\'s choice, write size.plan (xsmall, small, medium, large, xlarge) instead';
const VOLUME =
  'spec.parameters.volume: volume is how Zalando\'s postgres-operator and OTC RDS size the disk: write size.disk instead, e.g. size: {disk: "100Gi"}; ' +
  "the StorageClass is storageClass (in-cluster engines), the cloud volume type the platform's choice";

describe("the seeds' own shapes, refused by the function with what to write", () => {
  it.each<[string, Doc, string[]]>([
    ['AWS RDS operator: size and storage', { engine: 'aws-rds', size: 'db.t2.small', storage: 10 }, [AWS_SIZE, AWS_STORAGE]],
    [
      "Zalando: numberOfInstances, teamId, volume.size",
      { engine: 'zalando', numberOfInstances: 2, teamId: 'acid', volume: { size: '10Gi' } },
      [
        "spec.parameters.numberOfInstances: numberOfInstances is Zalando's field: write instances instead (1 to 5; aws-rds and otc-rds take 1 or 2)",
        "spec.parameters.teamId: teamId is Zalando's field and the platform's choice here (Composition input platform.engines.zalando.teamId): remove it",
        VOLUME,
      ],
    ],
    [
      "Zalando: postgresql.version and parameters, enableConnectionPooler",
      { engine: 'zalando', postgresql: { version: '16', parameters: { work_mem: '4MB' } }, enableConnectionPooler: true },
      [
        'spec.parameters.postgresql.version: postgresql.version is Zalando\'s field: write the major as a number in spec.parameters.version instead, e.g. version: 17',
        "spec.parameters.postgresql.parameters: postgresql.parameters is Zalando's field: write postgresql.settings instead, with the same keys and values",
        "spec.parameters.enableConnectionPooler: enableConnectionPooler is Zalando's field: write pooler: {enabled: true} instead",
      ],
    ],
    [
      'OTC RDS: flavor, volume, backup keepDays and startTime',
      { engine: 'otc-rds', flavor: 'rds.pg.c2.large', volume: { type: 'COMMON', size: 100 }, backup: { keepDays: 7, startTime: '02:00-03:00' } },
      [
        "spec.parameters.flavor: flavor is OTC RDS' field: write size.plan (xsmall, small, medium, large, xlarge), which the platform maps to a flavour",
        VOLUME,
        // The rest of the claim is still checked: its default disk is below OTC's minimum.
        'spec.parameters.size.plan: OTC RDS volumes are 40 to 4000 GB in steps of 10; the claim asks for 20Gi: set size.disk to e.g. 40Gi',
        "spec.parameters.backup.keepDays: backup.keepDays is OTC RDS' field: write backup.retentionDays instead",
        'spec.parameters.backup.startTime: backup.startTime is OTC RDS\' field: write backup.schedule instead, a daily cron schedule in UTC, e.g. "30 2 * * *" for 02:30',
      ],
    ],
    [
      "Scalingo's operator: plan, networking, connInfoSecretTarget, authSecret",
      {
        engine: 'scalingo',
        plan: 'postgresql-dr-starter-4096',
        networking: { firewall: { rules: [{ type: 'custom_range', cidr: '192.168.0.0/24' }] } },
        connInfoSecretTarget: { name: 'my-postgresql-secret' },
        authSecret: { name: 'scalingo', key: 'api_token' },
      },
      [
        "spec.parameters.plan: plan is the Scalingo operator's field: write size.plan (xsmall, small, medium, large, xlarge) and instances (1, 2 or 3 on scalingo), which the platform maps to a Scalingo plan",
        'spec.parameters.networking: networking is the Scalingo operator\'s field: write network.allowedCIDRs instead, e.g. network: {allowedCIDRs: ["192.168.0.0/24"]}',
        "spec.parameters.connInfoSecretTarget: connInfoSecretTarget is the Scalingo operator's field: write connectionSecret instead, e.g. connectionSecret: {name: my-postgresql-secret, keyPrefix: PG}",
        "spec.parameters.authSecret: authSecret is the Scalingo operator's field and the platform's choice here (provider-scalingo's ProviderConfig holds the API token): remove it",
      ],
    ],
  ])('%s', (_seed, parameters, expected) => {
    expect(errors(parameters).sort()).toEqual([...expected].sort());
  });

  it('a claim in our shape has none of them', () => expect(errors({ engine: 'aws-rds', size: { plan: 'small', disk: '20Gi' } })).toEqual([]));
});

describe('the XRD declares the seed fields and refuses them with the same words', () => {
  const schema = (((((compositeResourceDefinition()['spec'] as Doc)['versions'] as Doc[])[0]!['schema'] as Doc)['openAPIV3Schema'] as Doc)['properties'] as Doc)['spec'] as Doc;
  const parameters = (schema['properties'] as Doc)['parameters'] as Doc;
  const rules = (node: Doc) => (node['x-kubernetes-validations'] ?? []) as Doc[];

  // CEL sees only fields with a type (a field with x-kubernetes-preserve-unknown-fields alone is an "undefined field"
  // to the rule's compiler, which the real API server showed): each has the type the seed wrote there.
  const SCALAR = { 'x-kubernetes-int-or-string': true };
  const OBJECT = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  it.each<[string[], string, Doc, string]>([
    [[], 'storage', SCALAR, "storage is the AWS RDS operator's disk size"],
    [[], 'numberOfInstances', SCALAR, "numberOfInstances is Zalando's field"],
    [[], 'teamId', SCALAR, "teamId is Zalando's field"],
    [[], 'volume', OBJECT, 'volume is how Zalando'],
    [[], 'flavor', SCALAR, "flavor is OTC RDS' field"],
    [[], 'enableConnectionPooler', { type: 'boolean' }, "enableConnectionPooler is Zalando's field"],
    [[], 'plan', SCALAR, "plan is the Scalingo operator's field"],
    [[], 'networking', OBJECT, "networking is the Scalingo operator's field"],
    [[], 'connInfoSecretTarget', OBJECT, "connInfoSecretTarget is the Scalingo operator's field"],
    [[], 'authSecret', OBJECT, "authSecret is the Scalingo operator's field"],
    [['postgresql'], 'version', SCALAR, "postgresql.version is Zalando's field"],
    [['postgresql'], 'parameters', OBJECT, "postgresql.parameters is Zalando's field"],
    [['backup'], 'keepDays', SCALAR, "backup.keepDays is OTC RDS' field"],
    [['size'], 'autogrowTo', SCALAR, 'size.autogrowTo was replaced by size.autogrow'],
  ])('%j %s', (under, field, structural, words) => {
    const node = under.reduce((n, k) => (n['properties'] as Doc)[k] as Doc, parameters);
    expect((node['properties'] as Doc)[field]).toMatchObject(structural);
    expect(rules(node)).toContainEqual({ rule: `!has(self.${field})`, message: expect.stringContaining(words), fieldPath: `.${field}` });
  });

  it('autogrow: enabled needs max, and max is larger than a disk the claim names', () => {
    const size = (parameters['properties'] as Doc)['size'] as Doc;
    const autogrow = (size['properties'] as Doc)['autogrow'] as Doc;
    expect(rules(autogrow)).toEqual([{ rule: '!has(self.enabled) || !self.enabled || has(self.max)', message: 'autogrow.enabled needs autogrow.max, the size the disk may grow to', fieldPath: '.max' }]);
    expect(rules(size)).toContainEqual({
      rule: '!has(self.autogrow) || !has(self.autogrow.enabled) || !self.autogrow.enabled || !has(self.autogrow.max) || !has(self.disk) || quantity(self.autogrow.max).isGreaterThan(quantity(self.disk))',
      message: 'autogrow.max must be larger than disk',
      fieldPath: '.autogrow.max',
    });
    expect((autogrow['properties'] as Doc)['thresholdPercent']).toMatchObject({ type: 'integer', minimum: 50, maximum: 95, default: 85 });
  });
});
