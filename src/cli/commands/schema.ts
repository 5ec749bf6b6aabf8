/**
 * `gridsweep schema`: the experiment file's JSON Schema, for editors. Point
 * a YAML file at it with `# yaml-language-server: $schema=PATH` or a JSON
 * file with `"$schema": "PATH"`.
 */
import type { CommandModule } from 'yargs';

export const schemaCommand: CommandModule = {
  command: 'schema',
  describe: "Print the experiment file's JSON Schema (for editors)",
  handler: async () => {
    const { experimentJsonSchema } = await import('../../experiment/schema.js');
    process.stdout.write(`${JSON.stringify(experimentJsonSchema(), null, 2)}\n`);
  },
};
