import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { convertDeployment } from '../config/convert.js';
import { readOriginal, replaceFile, writeNewFile } from '../config/convert-files.js';
import { DeploymentFileError } from '../config/errors.js';
import { type ConvertReport, convertDocument, convertLines } from '../ui/convert-report.js';

export default class Convert extends BaseCommand<typeof Convert> {
  static override summary = "Rewrite an ecs-crd-cli deployment file into ecs-crd's preferred form.";
  static override description =
    `Reads a deployment file of the original tool (ecs-crd-cli 1.2.0) and rewrites its spellings into ecs-crd's: lists of one-key maps become maps, \`iam_roles\` becomes \`policies\` and \`execution_policies\`, \`auto_scaling_policies\` becomes \`step_scaling\`, \`interval_seconds\` becomes \`interval\`, \`certificates\` becomes \`certificate_arns\`… Comments, key order and quoting are kept where the YAML library can keep them.

Prints the converted file on stdout and, on stderr, one line per change and per thing it could not carry over (FILE:LINE:COL PATH: …, at its place in the original file), with what to do. Unknown keys are left as they are and listed: \`validate\` reports them too. A file already in ecs-crd's form is left as it is: converting twice changes nothing. Touches no network.

Then check the result: \`ecs-crd validate -e ENV -f FILE\`.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> prod.deploy.yml > prod.converted.yml',
    '<%= config.bin %> <%= command.id %> prod.deploy.yml --write',
    '<%= config.bin %> <%= command.id %> prod.deploy.yml -o new/prod.deploy.yml --json',
  ];

  static override enableJsonFlag = true;

  static override args = {
    file: Args.string({ required: true, description: 'The original tool’s deployment file (YAML).' }),
  };

  static override flags = {
    write: Flags.boolean({
      summary: 'Rewrite FILE in place (atomically, keeping its mode), its original kept as FILE.bak.',
      exclusive: ['output'],
    }),
    backup: Flags.boolean({
      summary: 'With --write, keep the original as FILE.bak (--no-backup: keep none).',
      default: true,
      allowNo: true,
    }),
    output: Flags.string({
      char: 'o',
      summary: 'Write the converted file to OUT instead of stdout; an existing OUT only with --force.',
      helpValue: 'OUT',
    }),
    force: Flags.boolean({ summary: 'With -o, overwrite OUT when it exists.' }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const { file } = (await this.parse(Convert)).args;
    const text = await readOriginal(file);
    const result = convertDeployment(text);
    if (!result.ok) {
      const where = result.problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`);
      throw new DeploymentFileError(
        file,
        `${file} cannot be converted: it is not a YAML mapping\n${where.join('\n')}`,
        {
          hint: 'convert reads one deployment file of the original tool: a YAML map with `canary` and `service`',
        },
      );
    }
    const changed = result.changes.length > 0;
    let written: string | null = null;
    let backup: string | null = null;
    if (flags.write) {
      // Nothing changed: the file is left untouched, and no backup is made.
      if (changed) {
        await replaceFile(file, result.output, { backup: flags.backup });
        written = file;
        backup = flags.backup ? `${file}.bak` : null;
      }
    } else if (flags.output !== undefined) {
      await writeNewFile(flags.output, result.output, { force: flags.force, from: file });
      written = flags.output;
    }
    const report: ConvertReport = { file, ...result, written, backup };
    if (this.jsonEnabled()) {
      this.logJson(convertDocument(report));
    } else {
      if (!flags.write && flags.output === undefined) process.stdout.write(result.output);
      for (const line of convertLines(report)) this.logToStderr(line);
    }
  }
}
