import { expect } from 'chai';
import {
  policySize,
  RELEASE_POLICY_MAX_CHARS,
  secretsPolicy,
  taskPolicy,
} from '../../src/config/iam-policies.js';
import { check, fileWith, type LooseFile, positions, problems } from './fixtures.js';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const https = (f: LooseFile, arns: unknown[]) => {
  f.listeners = [{ port: 443, protocol: 'HTTPS', certificate_arns: arns }];
};

describe('config: what AWS would refuse mid-deployment is refused by validate', () => {
  it('takes full ACM (or IAM server) certificate ARNs only', () => {
    for (const arn of [CERT, 'arn:aws-cn:iam::123456789012:server-certificate/prod/api']) {
      expect(problems(fileWith((f) => https(f, [arn]))), arn).to.deep.equal([]);
    }
    for (const arn of [
      'arn:aws:acm:xx',
      'arn:aws:acm:eu-west-1:1234:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      'arn:aws:acm:eu-west-1:123456789012:certificate/',
      'arn:aws:s3:::bucket',
    ]) {
      expect(problems(fileWith((f) => https(f, [arn]))), arn).to.deep.equal([
        'listeners[0].certificate_arns[0]: must be an ACM certificate ARN, arn:aws:acm:<region>:<12-digit account>:certificate/<id> (or an IAM server certificate ARN)',
      ]);
    }
  });

  it('takes a cluster name, or a cluster ARN with region, account and name', () => {
    for (const cluster of ['main', 'shop-prod_2', 'arn:aws:ecs:eu-west-1:123456789012:cluster/main']) {
      expect(problems(fileWith((f) => (f.service.cluster = cluster))), cluster).to.deep.equal([]);
    }
    for (const cluster of ['arn:aws:ecs:::cluster/', 'arn:aws:ecs:eu-west-1:123456789012:cluster/', 'a b']) {
      const [problem] = problems(fileWith((f) => (f.service.cluster = cluster)));
      expect(problem, cluster).to.match(/^service\.cluster: must be a cluster name .* or a cluster ARN/);
    }
  });

  it('takes image references as the OCI grammar writes them', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    for (const image of [
      'nginx',
      'nginx:1.25-alpine',
      'library/nginx:latest',
      'localhost:5000/team/app:v1',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.2.3',
      `ghcr.io/org/app@${digest}`,
      `ghcr.io/org/app:1.0@${digest}`,
      '{{account_id}}.dkr.ecr.{{region}}.amazonaws.com/api:1',
    ]) {
      expect(problems(fileWith((f) => (f.service.containers[0].image = image))), image).to.deep.equal([]);
    }
    for (const image of [
      'Nginx',
      'nginx:',
      'nginx:-bad',
      `nginx:${'a'.repeat(129)}`,
      'nginx@sha256:abc',
      'https://registry/app',
      'app name',
      'registry.example.com//app',
    ]) {
      const [problem] = problems(fileWith((f) => (f.service.containers[0].image = image)));
      expect(problem, image).to.match(/^service\.containers\[0\]\.image: must be an image reference/);
    }
  });

  it('keeps each container within the task’s cpu and memory, and all of them together', () => {
    const found = problems(
      fileWith((f) => {
        f.service.cpu = 256;
        f.service.memory = 512;
        f.service.containers = [
          { name: 'web', cpu: 512, memory: 1024, port_mappings: [{ container_port: 80 }] },
          { name: 'side', cpu: 128, memory: 400 },
        ];
      }),
    );
    expect(found).to.deep.equal([
      "service.containers[0].cpu: must not exceed the task's cpu (service.cpu: 256)",
      "service.containers[0].memory: must not exceed the task's memory (service.memory: 512 MiB)",
      'service.cpu: is less than the containers reserve together (640): raise it, or lower theirs',
      'service.memory: is less than the containers reserve together (1424 MiB): raise it, or lower theirs',
    ]);
    const reserved = fileWith((f) => {
      f.service.memory = 512;
      f.service.containers[0].memory = 512;
      f.service.containers[0].memory_reservation = 256;
      f.service.containers.push({ name: 'side', memory: 256 });
    });
    expect(problems(reserved)).to.deep.equal([]);
  });

  it('refuses two listeners on one port, HTTP and HTTPS alike, at the second one’s port', () => {
    const found = problems(
      fileWith(
        (f) =>
          (f.listeners = [
            { port: 443, protocol: 'HTTPS', certificate_arns: [CERT] },
            { port: 443, protocol: 'HTTP' },
          ]),
      ),
    );
    expect(found).to.deep.equal([
      'listeners[1].port: 443 is already the port of listeners[0]: an ALB has one listener per port, and ecs-crd one rule per listener; merge the two entries',
    ]);
  });

  it('takes at most 5 condition values per listener rule, the default host names included', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${n}.example.com`);
    expect(problems(fileWith((f) => (f.service.fqdn = names)))).to.deep.equal([
      'service.fqdn: lists 6 names, and the default listener rule matches each as a host name, but an ALB rule takes at most 5 condition values: declare listeners whose rule.conditions.host_header lists at most 5',
    ]);
    const found = problems(
      fileWith((f) => {
        f.service.fqdn = names.slice(0, 3);
        f.listeners = [
          { port: 80, rule: { conditions: { path_pattern: ['/a', '/b', '/c'] } } },
          {
            port: 81,
            rule: { conditions: { host_header: names.slice(0, 2), path_pattern: ['/a', '/b', '/c'] } },
          },
        ];
      }),
    );
    expect(found).to.deep.equal([
      'listeners[0].rule.conditions: match 3 host names (the service’s fqdns, as host_header is not set) and 3 path patterns: an ALB rule takes at most 5 condition values in all',
    ]);
  });

  it('keeps the version a valid tag value, and a valid image tag when it tags the default image', () => {
    expect(problems(fileWith((f) => (f.service.version = '1.2.3+build.7 (rc)')))).to.deep.equal([
      'service.version: must be at most 256 letters, digits, spaces and _ . : / = + - @: it becomes the ecs-crd:version tag of every resource',
    ]);
    expect(problems(fileWith((f) => (f.service.version = 'v'.repeat(257))))).to.have.length(1);
    expect(problems(fileWith((f) => (f.service.version = '1.2.3+build.7')))).to.deep.equal([
      "service.version: is the image tag of service.containers[0], which has no image (the default ends in :{{version}}), but a tag is at most 128 letters, digits, _ . and -: set that container's image, or use a version such as 1.2.3",
    ]);
    const withImage = fileWith((f) => {
      f.service.version = '1.2.3+build.7';
      f.service.containers[0].image = 'nginx:1';
    });
    expect(problems(withImage)).to.deep.equal([]);
  });

  it('warns, without failing, about secrets written in environment', () => {
    const result = check(
      fileWith((f) => {
        f.service.containers[0].environment = {
          DB_PASSWORD: 'hunter2',
          GITHUB_TOKEN: 'ghp_abc',
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          S3_CREDS: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          TOKEN_TTL: 3600,
          API_KEY_ENABLED: true,
          GIT_SHA: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
          SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x',
          LOG_LEVEL: 'info',
        };
      }),
    );
    if (!result.ok) expect.fail(result.problems.map((p) => p.message).join('\n'));
    expect(
      result.warnings?.map((w) => `${w.path}: ${w.message.replace(/, and environment.*/, '')}`),
    ).to.deep.equal([
      'service.containers[0].environment.DB_PASSWORD: warning: its name says it holds a secret',
      'service.containers[0].environment.GITHUB_TOKEN: warning: its name says it holds a secret',
      'service.containers[0].environment.AWS_ACCESS_KEY_ID: warning: its value looks like an AWS access key id',
      'service.containers[0].environment.S3_CREDS: warning: its value looks like an AWS secret access key',
    ]);
    expect(result.warnings?.[0]?.message).to.include('give its ARN under `secrets`');
  });

  describe('IAM’s 10,240 characters of inline policies per role, shared by two releases during a canary', () => {
    const BUCKET = 'arn:aws:s3:::orders-exports/';
    /** One statement whose task role policy is exactly `size` characters. */
    const statementOf = (size: number) => {
      const statement = { effect: 'Allow' as const, actions: ['s3:GetObject'], resources: [BUCKET] };
      const base = policySize(taskPolicy([statement]) ?? '');
      return { ...statement, resources: [`${BUCKET}${'k'.repeat(size - base)}`] };
    };
    const ssm = (i: number) => `arn:aws:ssm:eu-west-1:123456789012:parameter/orders/prod/setting-${i}`;

    it('leaves each release half of the task role: a policy of 5,120 characters passes, one more does not', () => {
      expect(RELEASE_POLICY_MAX_CHARS).to.equal(5120);
      expect(problems(fileWith((f) => (f.service.policies = [statementOf(5120)])))).to.deep.equal([]);
      const found = problems(fileWith((f) => (f.service.policies = [statementOf(5121)])));
      expect(found).to.have.length(1);
      expect(found[0]).to.match(
        /^service\.policies: these statements make a task role policy of 5,121 characters \(white space aside\), over 5,120: IAM allows 10,240 characters of inline policies per role, and during a canary the live release's policy and the new release's sit on the task role together, so each release may use half/,
      );
    });

    it('counts the policy as the stack declares it, however the statements are spread', () => {
      const many = Array.from({ length: 80 }, (_, i) => ({
        effect: 'Allow' as const,
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [`arn:aws:s3:::orders-${i}/*`],
      }));
      const size = policySize(taskPolicy(many) ?? '');
      expect(size).to.be.greaterThan(5120);
      const [problem] = problems(fileWith((f) => (f.service.policies = many)));
      expect(problem).to.include(`task role policy of ${size.toLocaleString('en-US')} characters`);
    });

    it('leaves each release half of the execution role for its secrets, all containers together', () => {
      const secrets = (from: number, count: number) =>
        Object.fromEntries(Array.from({ length: count }, (_, i) => [`SETTING_${from + i}`, ssm(from + i)]));
      const arns = (count: number) => Array.from({ length: count }, (_, i) => ssm(i));
      // The most SSM parameters that fit, and one more.
      let fit = 1;
      while (policySize(secretsPolicy(arns(fit + 1)) ?? '') <= 5120) fit++;
      const split = (count: number) => (f: LooseFile) => {
        const half = Math.floor(count / 2);
        f.service.containers[0].secrets = secrets(0, half);
        f.service.containers.push({ name: 'sidecar', secrets: secrets(half, count - half) });
      };
      expect(problems(fileWith(split(fit)))).to.deep.equal([]);
      const found = problems(fileWith(split(fit + 1)));
      expect(found).to.have.length(1);
      expect(found[0]).to.match(
        /^service\.containers\[0\]\.secrets: the secrets of all containers make an execution role policy of [\d,]+ characters \(white space aside\), over 5,120: .* live release's policy and the new release's sit on the execution role together, so each release may use half/,
      );
    });

    it('measures what is valid and leaves the rest to its own problems', () => {
      const found = problems(
        fileWith((f) => {
          f.service.containers.push(null);
          f.service.policies = [null, statementOf(5121)];
        }),
      );
      expect(found.map((problem) => problem.split(':')[0])).to.have.members([
        'service.policies[0]',
        'service.policies',
        'service.containers[1]',
      ]);
    });

    it('counts a Secrets Manager secret once, however many of its JSON keys the containers read', () => {
      const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/prod-AbCdEf';
      const keys = Object.fromEntries(
        Array.from({ length: 200 }, (_, i) => [`KEY_${i}`, `${secret}:key_${i}::`]),
      );
      expect(problems(fileWith((f) => (f.service.containers[0].secrets = keys)))).to.deep.equal([]);
    });
  });

  describe('ECS’s 64 KiB task definition', () => {
    /** `count` variables of `Section:Key` names and 40-character values, as a .NET service has them. */
    const environment = (count: number) =>
      Object.fromEntries(
        Array.from({ length: count }, (_, i) => [
          `Section${i % 40}:Key${i}`,
          `value-${String(i).padStart(34, '0')}`,
        ]),
      );

    it('takes a release whose containers render under 65,536 bytes', () => {
      // 800 variables render about 63,300 bytes: under the quota, deployed as they are.
      expect(
        problems(fileWith((f) => (f.service.containers[0].environment = environment(800)))),
      ).to.deep.equal([]);
    });

    it('refuses, at service.containers, one that ECS would refuse mid-deployment, naming the size and what takes it', () => {
      const text = fileWith((f) => (f.service.containers[0].environment = environment(900)));
      const found = problems(text);
      expect(found).to.have.length(1);
      expect(found[0])
        .to.match(
          /^service\.containers: make a task definition of at least 7\d,\d{3} bytes, over the 65,536 ECS registers/,
        )
        .and.to.match(/the environment of container \S+ takes \d{2},\d{3}/)
        .and.to.include('move values to secrets');
      expect(positions(text)[0]).to.match(/^\d+:\d+ service\.containers$/);
    });

    it('counts every container together, as one task definition', () => {
      const text = fileWith((f) => {
        const [first] = f.service.containers;
        f.service.containers = [
          { ...first, environment: environment(600) },
          {
            ...first,
            name: 'sidecar',
            essential: false,
            port_mappings: undefined,
            environment: environment(600),
          },
        ];
      });
      expect(problems(text)[0]).to.match(/^service\.containers: make a task definition of at least/);
    });
  });
});
