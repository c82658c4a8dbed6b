/** Composition root of the `hub` binary. */
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { loadConfigFile } from '../../shared/src/config.js';
import { describeError } from '../../shared/src/errors.js';
import { createLogger } from '../../shared/src/logger.js';
import { openHubDatabase } from './adapters/store/hub-database.js';
import { SqliteApiTokenStore } from './adapters/store/sqlite-api-token-store.js';
import { SqliteFleetStore } from './adapters/store/sqlite-fleet-store.js';
import { createApiToken } from './access/api-tokens.js';
import { HubConfig } from './config/hub-config.js';
import { startHub } from './hub.js';
import { parseLabelArgs } from '../../shared/src/fleet/labels.js';
import { registerCluster } from './access/registry.js';
import { writeSigningKeyPair } from './access/signing-keys.js';

/** The config with its relative paths resolved against the config file's folder. */
function readConfig(file: string): HubConfig {
  const config = loadConfigFile(HubConfig, file);
  const path = (p: string) => resolve(dirname(file), p);
  const tls = config.mqtt.tls;
  return {
    ...config,
    database: path(config.database),
    ...(config.signing ? { signing: { ...config.signing, keyFile: path(config.signing.keyFile) } } : {}),
    mqtt: {
      ...config.mqtt,
      ...(tls
        ? { tls: { ...tls, certFile: path(tls.certFile), keyFile: path(tls.keyFile), ...(tls.caFile ? { caFile: path(tls.caFile) } : {}) } }
        : {}),
    },
  };
}

const program = new Command('hub').description('The fleet hub: MQTT broker, fleet inventory and operator API.');

program
  .command('serve')
  .description('run the hub')
  .requiredOption('-c, --config <file>', 'hub config file (YAML)')
  .action(async (options: { config: string }) => {
    const logger = createLogger({ name: 'hub' });
    const hub = await startHub({ config: readConfig(options.config), logger });
    const stop = () => {
      logger.info('stopping');
      hub.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

const cluster = program.command('cluster').description('manage registered clusters');
cluster
  .command('add <name>')
  .description('register a cluster and print its token (shown only once)')
  .requiredOption('-c, --config <file>', 'hub config file (YAML)')
  .option('-l, --label <key=value...>', 'cluster labels', [])
  .action(async (name: string, options: { config: string; label: string[] }) => {
    const store = new SqliteFleetStore(readConfig(options.config).database);
    try {
      const token = await registerCluster(store, name, parseLabelArgs(options.label), new Date());
      console.log(token);
    } finally {
      store.close();
    }
  });

const token = program.command('token').description('manage operator API tokens');
token
  .command('add <name>')
  .description('create an API token and print it (shown only once): viewers read, operators also act')
  .requiredOption('-c, --config <file>', 'hub config file (YAML)')
  .addOption(new Option('--role <role>', 'what the token may do').choices(['viewer', 'operator']).makeOptionMandatory())
  .action(async (name: string, options: { config: string; role: 'viewer' | 'operator' }) => {
    const db = openHubDatabase(readConfig(options.config).database);
    try {
      console.log(await createApiToken(new SqliteApiTokenStore(db), name, options.role, new Date()));
    } finally {
      db.close();
    }
  });

program
  .command('keygen')
  .description("create the hub's Ed25519 key pair for signing directives: FILE (private, mode 0600) and FILE.pub")
  .option('-c, --config <file>', 'hub config file: write to its signing.keyFile')
  .option('-o, --out <file>', 'private key file to create (default: signing.keyFile of --config, else hub-signing.key)')
  .action((options: { config?: string; out?: string }) => {
    const out = resolve(options.out ?? (options.config ? readConfig(options.config).signing?.keyFile : undefined) ?? 'hub-signing.key');
    const { keyId, publicFile } = writeSigningKeyPair(out);
    console.log(`key ${keyId}\nprivate key: ${out}\npublic key:  ${publicFile} (give it to the agents as hub.trustedKeyFiles)`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`hub: ${describeError(error)}`);
  process.exit(2);
});
