/**
 * The peer of the ingest bench: Mosquitto (when installed) with a responder that acknowledges
 * each report at once — the same agents and wire protocol, with neither validation, SQLite nor
 * authentication behind the broker. It bounds what the transport alone costs on this machine.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { parseClusterTopic, topics } from '../shared/src/protocol/topics.js';

export interface MosquittoPeer {
  url: string;
  pid: number;
  close(): Promise<void>;
}

export async function startMosquittoPeer(program: string, dir: string): Promise<MosquittoPeer> {
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  // Errors only: Mosquitto logs every connection otherwise.
  writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\nlog_type error\n`);
  const broker = spawn(program, ['-c', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `mqtt://127.0.0.1:${port}`;
  let responder: MqttClient | undefined;
  try {
    responder = await connectWithRetry(url, broker);
    const client = responder;
    client.on('message', (topic, payload) => {
      const parsed = parseClusterTopic(topic);
      const records = (JSON.parse(payload.toString('utf8')) as { records: { seq: number }[] }).records;
      if (parsed) client.publish(topics.ack(parsed.clusterId), JSON.stringify({ v: 1, upTo: records.at(-1)!.seq }), { qos: 1 });
    });
    await client.subscribeAsync(topics.allClusters('report'), { qos: 1 });
  } catch (error) {
    broker.kill();
    throw error;
  }
  return {
    url,
    pid: broker.pid!,
    async close() {
      await responder?.endAsync(true);
      broker.kill();
    },
  };
}

async function connectWithRetry(url: string, broker: ChildProcess): Promise<MqttClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectAsync(url, { clientId: 'bench-responder', reconnectPeriod: 0, connectTimeout: 2_000 });
    } catch (error) {
      if (attempt === 20 || broker.exitCode !== null) throw error;
      // Mosquitto is starting; it listens within milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
