/**
 * `llm-speed bnech`: say it is not a command, suggest the nearest one, exit 2 (a usage error).
 * No prompt and no help page: one line, like an unknown flag (cli/base-command.ts).
 */
import type { Hook } from '@oclif/core';
import { nearest } from '@llm-speed/framework';

const hook: Hook<'command_not_found'> = async function (options) {
  const typed = options.id.split(':').join(' ');
  const visible = options.config.commands
    .filter((c) => !c.hidden)
    .flatMap((c) => [c.id, ...c.aliases])
    .map((id) => id.split(':').join(' '));
  const guess = nearest(typed, visible, Math.max(2, Math.floor(typed.length / 4)));
  process.stderr.write([`Error: "${typed}" is not a ${options.config.bin} command${guess ? ` (did you mean "${guess}"?)` : ''}`, `See: ${options.config.bin} help`].join('\n') + '\n');
  this.exit(2);
};

export default hook;
