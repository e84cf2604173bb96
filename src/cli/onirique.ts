/** The `onirique` command line: the app's compute modules on files, in Node. */
import { main } from './cli-main';

main(process.argv.slice(2)).then(

  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`onirique: ${String(e)}`);
    process.exit(1);
  },
);
