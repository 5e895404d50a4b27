// `npm run migration:run|migration:revert|migration:show|migration:generate -- Name`:
// the same migrations the service runs at start-up, against DATABASE_URL or the embedded
// database in CRASHKB_DATA_DIR (default ./data). `generate` writes the SQL TypeORM would
// need to bring the schema in line with the entities into migrations/<ts>-<Name>.ts.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../config/app-config';
import { MIGRATIONS_GLOB } from './database.module';
import { startEmbeddedDatabase } from './embedded';

const ENTITIES_GLOB = join(__dirname, '..', '**', '*.entity.js');
const MIGRATIONS_SRC = join(__dirname, '..', '..', '..', 'migrations');

function migrationSource(className: string, up: string[], down: string[]): string {
  const q = (s: string) => `    await q.query(${JSON.stringify(s)});`;
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(q: QueryRunner): Promise<void> {
${up.map(q).join('\n')}
  }

  public async down(q: QueryRunner): Promise<void> {
${down.map(q).join('\n')}
  }
}
`;
}

async function main(): Promise<number> {
  const [command, name] = process.argv.slice(2);
  const config = loadAppConfig(process.env);
  const embedded = config.databaseUrl
    ? null
    : await startEmbeddedDatabase({ dataDir: config.dataDir, maxConnections: 2 });
  const ds = new DataSource({
    type: 'postgres',
    url: config.databaseUrl ?? embedded!.url,
    entities: [ENTITIES_GLOB],
    migrations: [MIGRATIONS_GLOB],
    migrationsTransactionMode: 'each',
    poolSize: 1,
  });
  await ds.initialize();
  try {
    switch (command) {
      case 'run': {
        const done = await ds.runMigrations();
        console.log(done.length ? `applied: ${done.map((m) => m.name).join(', ')}` : 'nothing to apply');
        return 0;
      }
      case 'revert':
        await ds.undoLastMigration();
        console.log('reverted the last migration');
        return 0;
      case 'show': {
        const pending = await ds.showMigrations();
        console.log(pending ? 'migrations pending' : 'up to date');
        return pending ? 1 : 0;
      }
      case 'generate': {
        if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
          console.error('usage: migration:generate -- NameInPascalCase');
          return 2;
        }
        const sql = await ds.driver.createSchemaBuilder().log();
        if (sql.upQueries.length === 0) {
          console.log('the schema matches the entities: nothing to generate');
          return 0;
        }
        const ts = Date.now();
        const file = join(MIGRATIONS_SRC, `${ts}-${name}.ts`);
        writeFileSync(
          file,
          migrationSource(
            `${name}${ts}`,
            sql.upQueries.map((x) => x.query),
            sql.downQueries.reverse().map((x) => x.query),
          ),
        );
        console.log(`wrote ${file}`);
        return 0;
      }
      default:
        console.error('usage: migrate-cli run|revert|show|generate Name');
        return 2;
    }
  } finally {
    await ds.destroy();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`migration failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
