import { expect } from 'chai';
import type { CheckOptions } from '../../src/config/check.js';
import { withHookHeadersHidden } from '../../src/config/redact.js';
import { HOOK_POINTS } from '../../src/config/types-hooks.js';
import { check, config, fileWith, type LooseFile, problems } from './fixtures.js';

const withHooks = (hooks: unknown) => fileWith((f) => (f.canary.hooks = hooks));

/** `LINE:COL PATH: MESSAGE` of every problem. */
function placed(text: string, options: Partial<CheckOptions> = {}): string[] {
  const result = check(text, options);
  return result.ok ? [] : result.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
}

/** `PATH: MESSAGE` of every warning. */
function warnings(text: string, options: Partial<CheckOptions> = {}): string[] {
  return (check(text, options).warnings ?? []).map((w) => `${w.path}: ${w.message}`);
}

describe('config: canary.hooks', () => {
  it('resolves commands and webhooks with their defaults, a single mapping as a one-item list', () => {
    const { hooks } = config(
      withHooks({
        before_traffic: { command: ['./smoke.sh', '--host', '{{fqdn}}'], timeout: 120 },
        after_step: [
          {
            webhook: 'https://hooks.example.com/ecs-crd',
            headers: { Authorization: 'Bearer {{env.HOOK_TOKEN}}' },
          },
          { command: ['check'] },
        ],
        after_deploy: [
          {
            webhook: 'http://localhost:9000/x',
            timeout: 300,
            retries: 0,
            headers: { 'X-Env': '{{environment}}' },
          },
        ],
        after_rollback: [],
      }),
      { env: { HOOK_TOKEN: 't0k' } },
    ).canary;
    expect(hooks).to.deep.equal({
      before_traffic: [
        { kind: 'command', command: ['./smoke.sh', '--host', 'api.example.com'], timeout: 120 },
      ],
      after_step: [
        {
          kind: 'webhook',
          url: 'https://hooks.example.com/ecs-crd',
          headers: { Authorization: 'Bearer t0k' },
          timeout: 10,
          retries: 2,
        },
        { kind: 'command', command: ['check'], timeout: 300 },
      ],
      after_deploy: [
        {
          kind: 'webhook',
          url: 'http://localhost:9000/x',
          headers: { 'X-Env': 'prod' },
          timeout: 300,
          retries: 0,
        },
      ],
    });
  });

  it('is absent when the section is absent or has no hook', () => {
    expect(config(fileWith(() => {})).canary).not.to.have.property('hooks');
    expect(config(withHooks({})).canary).not.to.have.property('hooks');
    expect(config(withHooks({ after_step: [], after_deploy: [] })).canary).not.to.have.property('hooks');
  });

  it('takes every hook point, in the order of HOOK_POINTS', () => {
    const hooks: LooseFile = {};
    for (const name of [...HOOK_POINTS].reverse()) hooks[name] = { command: [name] };
    expect(Object.keys(config(withHooks(hooks)).canary.hooks ?? {})).to.deep.equal([...HOOK_POINTS]);
  });

  it('refuses an unknown point or key, with a did-you-mean, at its line', () => {
    expect(
      placed(withHooks({ after_steps: [{ command: ['x'] }], before_traffic: { command: ['x'], timout: 5 } })),
    ).to.deep.equal([
      '12:5 canary.hooks.after_steps: unknown key `after_steps`: did you mean `after_step`?',
      '18:7 canary.hooks.before_traffic.timout: unknown key `timout`: did you mean `timeout`?',
    ]);
    expect(
      problems(withHooks({ after_step: [{ webhook: 'https://x.example.com', header: {} }] })),
    ).to.deep.equal(['canary.hooks.after_step[0].header: unknown key `header`: did you mean `headers`?']);
    expect(problems(fileWith((f) => (f.canary.hook = {})))).to.deep.equal([
      'canary.hook: unknown key `hook`: did you mean `hooks`?',
    ]);
  });

  it('wants exactly one of command and webhook', () => {
    expect(
      problems(
        withHooks({
          after_step: [{ timeout: 5 }, { command: ['x'], webhook: 'https://x.example.com' }],
        }),
      ),
    ).to.deep.equal([
      'canary.hooks.after_step[0]: needs `command` (the program and its arguments) or `webhook` (a URL)',
      'canary.hooks.after_step[1].webhook: a hook is a command or a webhook, not both: write them as two hooks',
    ]);
  });

  it('refuses a point that is not a hook or a list of them', () => {
    for (const value of ['./smoke.sh', null, 3]) {
      expect(problems(withHooks({ before_traffic: value })), String(value)).to.deep.equal([
        'canary.hooks.before_traffic: must be a list of hooks, each a map with `command` or `webhook`',
      ]);
    }
    expect(problems(fileWith((f) => (f.canary.hooks = [{ command: ['x'] }])))).to.deep.equal([
      'canary.hooks: must be a map, not a list',
    ]);
  });

  describe('command', () => {
    it('refuses one string, saying no shell runs it and how to write it, without quoting it', () => {
      const text = withHooks({ before_traffic: [{ command: 'curl -H "X-Token: {{env.T}}" https://x' }] });
      expect(placed(text, { env: { T: 's3cret' } })).to.deep.equal([
        '13:9 canary.hooks.before_traffic[0].command: must be a list, the program then its arguments, e.g. ["./smoke.sh", "--host", "{{fqdn}}"]: no shell runs the command, so nothing would split one string into words, expand variables or globs',
      ]);
    });

    it('wants a program: a non-empty list whose first item is not empty, of strings', () => {
      expect(
        problems(
          withHooks({ after_step: [{ command: [] }, { command: ['', 'x'] }, { command: ['./x', 3] }] }),
        ),
      ).to.deep.equal([
        'canary.hooks.after_step[0].command: must list the program to run, then its arguments: ["./smoke.sh", "--host", "{{fqdn}}"]',
        'canary.hooks.after_step[1].command[0]: must name the program to run (a path, or a name looked up on PATH)',
        'canary.hooks.after_step[2].command[1]: must be a string: write it in quotes, "3"',
      ]);
    });

    it('takes a timeout of 1–3600 s, and refuses the webhook-only keys', () => {
      expect(
        config(withHooks({ after_step: { command: ['x'], timeout: 3600 } })).canary.hooks?.after_step?.[0],
      ).to.include({
        timeout: 3600,
      });
      expect(
        problems(
          withHooks({
            after_step: [
              { command: ['x'], timeout: 0 },
              { command: ['x'], timeout: 3601 },
              { command: ['x'], timeout: 1.5 },
            ],
            after_deploy: { command: ['x'], headers: { A: 'b' }, retries: 1 },
          }),
        ),
      ).to.deep.equal([
        'canary.hooks.after_step[0].timeout: must be between 1 and 3600',
        'canary.hooks.after_step[1].timeout: must be between 1 and 3600',
        'canary.hooks.after_step[2].timeout: must be an integer, not the number 1.5',
        'canary.hooks.after_deploy.headers: is for webhooks only: a command gets the event as ECS_CRD_* environment variables',
        'canary.hooks.after_deploy.retries: is for webhooks only: a failing command is not run again',
      ]);
    });
  });

  describe('webhook', () => {
    it('wants an absolute http or https URL without credentials', () => {
      const text = withHooks({
        after_step: [
          { webhook: 'ftp://files.example.com/x' },
          { webhook: 'hooks.example.com/x' },
          { webhook: 'https://user:pass@hooks.example.com/x' },
          { webhook: '' },
          { webhook: 'file:///etc/passwd' },
        ],
      });
      expect(placed(text)).to.deep.equal([
        '13:9 canary.hooks.after_step[0].webhook: must be an http:// or https:// URL, not ftp:// (the event is POSTed as JSON)',
        '14:9 canary.hooks.after_step[1].webhook: must be an absolute http(s) URL, such as https://hooks.example.com/ecs-crd',
        '15:9 canary.hooks.after_step[2].webhook: must not hold a user name or password (user:password@): send them in an `Authorization` header, from {{env.NAME}}',
        '16:9 canary.hooks.after_step[3].webhook: must not be empty',
        '17:9 canary.hooks.after_step[4].webhook: must be an http:// or https:// URL, not file:// (the event is POSTed as JSON)',
      ]);
    });

    it('checks a URL from the pipeline once rendered', () => {
      expect(
        problems(withHooks({ after_step: { webhook: '{{env.HOOK_URL}}' } }), {
          env: { HOOK_URL: 'ftp://x' },
        }),
      ).to.deep.equal([
        'canary.hooks.after_step.webhook: must be an http:// or https:// URL, not ftp:// (the event is POSTed as JSON)',
      ]);
      expect(
        config(withHooks({ after_step: { webhook: '{{env.HOOK_URL}}' } }), {
          env: { HOOK_URL: 'https://h.example.com/' },
        }).canary.hooks?.after_step?.[0],
      ).to.include({
        url: 'https://h.example.com/',
      });
    });

    it('takes a timeout of 1–300 s and retries 0–10', () => {
      expect(
        problems(
          withHooks({
            after_step: [
              { webhook: 'https://x.example.com', timeout: 301 },
              { webhook: 'https://x.example.com', timeout: 0 },
              { webhook: 'https://x.example.com', retries: 11 },
              { webhook: 'https://x.example.com', retries: -1 },
            ],
          }),
        ),
      ).to.deep.equal([
        'canary.hooks.after_step[0].timeout: must be between 1 and 300 for a webhook (seconds per attempt)',
        'canary.hooks.after_step[1].timeout: must be between 1 and 3600',
        'canary.hooks.after_step[2].retries: must be between 0 and 10',
        'canary.hooks.after_step[3].retries: must be between 0 and 10',
      ]);
    });

    it('wants header names that are HTTP tokens, given once whatever the case, and not content-type', () => {
      const text = withHooks({
        after_step: {
          webhook: 'https://x.example.com',
          headers: {
            'X-Ok_1.2~': 'fine',
            'bad name': 'x',
            'Content-Type': 'text/plain',
            Authorization: '{{env.A}}',
            authorization: '{{env.A}}',
            'X-Count': 3,
            'X-Line': 'a\nb',
          },
        },
      });
      expect(problems(text, { env: { A: 'a' } })).to.deep.equal([
        'canary.hooks.after_step.headers["bad name"]: must be an HTTP header name: letters, digits and !#$%&\'*+-.^_`|~',
        'canary.hooks.after_step.headers.Content-Type: is always application/json (the body is the JSON event): leave it out',
        'canary.hooks.after_step.headers.authorization: is the header `Authorization` again (header names ignore case)',
        'canary.hooks.after_step.headers.X-Count: must be a string: write it in quotes, "3"',
        'canary.hooks.after_step.headers.X-Line: must be one line (a value read from a file, as with $(cat …), often ends with a line break: strip it)',
      ]);
    });

    it('never quotes a header value from the environment in a problem', () => {
      const found = problems(
        withHooks({ after_step: { webhook: 'https://x.example.com', headers: { 'X-Token': '{{env.T}}' } } }),
        {
          env: { T: 'sup3rs3cret\n' },
        },
      );
      expect(found).to.have.length(1);
      expect(found[0]).not.to.include('sup3rs3cret');
    });

    it('hides header values when the config is shown', () => {
      const shown = withHookHeadersHidden(
        config(
          withHooks({
            after_step: [
              { webhook: 'https://x.example.com', headers: { Authorization: '{{env.T}}' } },
              { command: ['x'] },
            ],
          }),
          { env: { T: 'Bearer s3cret' } },
        ),
      );
      expect(JSON.stringify(shown)).not.to.include('s3cret');
      expect(shown.canary.hooks?.after_step).to.deep.equal([
        {
          kind: 'webhook',
          url: 'https://x.example.com',
          headers: { Authorization: '(hidden)' },
          timeout: 10,
          retries: 2,
        },
        { kind: 'command', command: ['x'], timeout: 300 },
      ]);
      const none = config(fileWith(() => {}));
      expect(withHookHeadersHidden(none)).to.equal(none);
    });

    it('cuts a webhook URL to its origin when it has a path or a query (the credential of many chat services)', () => {
      const shown = withHookHeadersHidden(
        config(
          withHooks({
            after_deploy: [
              { webhook: 'https://hooks.slack.com/services/T1/B2/XyZsecret' },
              { webhook: 'https://ci.example.com:8443/?token=abc' },
            ],
          }),
        ),
      );
      expect(
        shown.canary.hooks?.after_deploy?.map((hook) => hook.kind === 'webhook' && hook.url),
      ).to.deep.equal(['https://hooks.slack.com/(hidden)', 'https://ci.example.com:8443/(hidden)']);
    });
  });

  describe('warnings', () => {
    it('warns of a webhook over http:// to another host than localhost, with the URL rendered', () => {
      const found = warnings(
        withHooks({
          after_step: [
            { webhook: 'http://hooks.example.com/x' },
            { webhook: 'http://localhost:8080/x' },
            { webhook: 'http://127.0.0.1/x' },
            { webhook: 'https://hooks.example.com/x' },
            { webhook: '{{env.URL}}' },
          ],
        }),
        { env: { URL: 'http://10.0.0.1/x' } },
      );
      expect(found).to.deep.equal([
        'canary.hooks.after_step[0].webhook: warning: http:// sends the event and the headers in clear to hooks.example.com: use https:// (plain http suits localhost only)',
        'canary.hooks.after_step[4].webhook: warning: http:// sends the event and the headers in clear to 10.0.0.1: use https:// (plain http suits localhost only)',
      ]);
    });

    it('warns of a credential written in a header or the URL, not of one from the pipeline', () => {
      const text = withHooks({
        after_deploy: {
          webhook: 'https://hooks.example.com/x?api_key=abc',
          headers: {
            Authorization: 'Bearer abc',
            'X-Api-Key': '{{env.KEY}}',
            'X-Auth-Token': 'Token {{ var.token }}',
            'X-Hub-Secret': 'literal',
            'Proxy-Authorization': 'Basic abc',
            'X-Trace': 'abc',
            'X-Password': '',
          },
        },
        after_rollback: [{ webhook: 'https://hooks.example.com/y?token={{env.KEY}}' }],
      });
      const found = warnings(text, { env: { KEY: 'k' }, vars: { token: 't' } });
      expect(found).to.deep.equal([
        'canary.hooks.after_deploy.webhook: warning: the URL holds a credential (?api_key=) written in the file, and the deployment file is usually in git: use {{env.NAME}}, set in the CI job (webhook: "{{env.HOOK_URL}}")',
        'canary.hooks.after_deploy.headers.Authorization: warning: Authorization looks like a credential written in the file, and the deployment file is usually in git: use {{env.NAME}}, set in the CI job (e.g. "Bearer {{env.HOOK_TOKEN}}")',
        'canary.hooks.after_deploy.headers.X-Hub-Secret: warning: X-Hub-Secret looks like a credential written in the file, and the deployment file is usually in git: use {{env.NAME}}, set in the CI job (e.g. "Bearer {{env.HOOK_TOKEN}}")',
        'canary.hooks.after_deploy.headers.Proxy-Authorization: warning: Proxy-Authorization looks like a credential written in the file, and the deployment file is usually in git: use {{env.NAME}}, set in the CI job (e.g. "Bearer {{env.HOOK_TOKEN}}")',
      ]);
      expect(check(text, { env: { KEY: 'k' }, vars: { token: 't' } }).ok).to.equal(true);
    });

    it('reads warnings on a file with problems too', () => {
      const result = check(
        withHooks({
          after_step: [{ webhook: 'http://h.example.com', headers: { Authorization: 'x' }, retries: 99 }],
        }),
      );
      expect(result.ok).to.equal(false);
      expect(result.warnings).to.have.length(2);
    });
  });
});
