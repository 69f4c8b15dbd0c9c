// Steps where home automation already looks: after each sync, `bushu run` publishes each
// device's steps to an MQTT broker (config `mqtt.url` or BUSHU_MQTT_URL), with Home Assistant
// discovery messages so "Steps today" and "Steps last day" sensors appear by themselves.
// Topics (prefix `bushu` by default):
//   <prefix>/<device>/state   retained JSON {date, today, lastDay: {date, steps} | null, user, syncedAt}
//   <prefix>/<device>/day     one JSON {date, steps, closed} per recent day, not retained
//   <discovery>/sensor/bushu_<device>/<today|last_day>/config   retained, once per device and run
// mqtt.js is imported only when a broker is configured. Publishing never blocks syncing: the
// client queues while the broker is away and a failure is logged, not thrown.
import type { MqttClient } from 'mqtt';
import type { MqttConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/store.ts';
import { localDate } from '../shared/days.ts';

export interface StepsPublisher {
  /** Publish a device's steps after it synced (`now`, `offsetMin`: the host clock's). */
  synced(device: string, now: number, offsetMin: number): Promise<void>;
  close(): Promise<void>;
}

export async function connectMqtt(config: MqttConfig, store: Store, log: Logger): Promise<StepsPublisher | undefined> {
  if (config.url === null) return undefined;
  const { connect } = await import('mqtt');
  // connect(), not connectAsync(): the bridge starts even while the broker is away; the client
  // reconnects by itself and keeps QoS 1 messages queued meanwhile.
  const client = connect(config.url, { clientId: `bushu-bridge-${process.pid}-${Date.now().toString(36)}`, reconnectPeriod: 5000, connectTimeout: 10_000 });
  client.on('connect', () => log.info({ broker: config.url!.replace(/\/\/[^@/]*@/, '//…@') }, 'mqtt: connected'));
  client.on('error', (err) => log.warn({ error: err.message }, 'mqtt: broker error'));
  return publisher(client, config, store, log);
}

export function publisher(client: Pick<MqttClient, 'publishAsync' | 'endAsync'>, config: MqttConfig, store: Store, log: Logger): StepsPublisher {
  const announced = new Set<string>();
  const publish = (topic: string, payload: unknown, retain: boolean) => client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain });

  const announce = async (device: string, source: string, user: string | null) => {
    if (config.discoveryPrefix === null || announced.has(device)) return;
    const state = `${config.topicPrefix}/${device}/state`;
    const common = {
      state_topic: state,
      unit_of_measurement: 'steps',
      icon: 'mdi:walk',
      device: { identifiers: [`bushu_${device}`], name: `bushu ${user ?? device}`, manufacturer: 'bushu', model: source },
    };
    await publish(`${config.discoveryPrefix}/sensor/bushu_${device}/today/config`, {
      ...common, name: 'Steps today', unique_id: `bushu_${device}_today`, value_template: '{{ value_json.today }}', state_class: 'total_increasing',
    }, true);
    await publish(`${config.discoveryPrefix}/sensor/bushu_${device}/last_day/config`, {
      ...common, name: 'Steps last day', unique_id: `bushu_${device}_last_day`, value_template: '{{ value_json.lastDay.steps if value_json.lastDay else 0 }}', state_class: 'measurement',
    }, true);
    announced.add(device);
  };

  return {
    async synced(device, now, offsetMin) {
      try {
        const info = store.devices().find((d) => d.id === device);
        const days = store.days({ devices: [device] });
        const date = localDate(now, offsetMin);
        const today = days.find((d) => d.date === date)?.steps ?? 0;
        const last = days.filter((d) => d.closed && d.date < date).at(-1);
        await announce(device, info?.source ?? 'bushu', info?.user ?? null);
        await publish(`${config.topicPrefix}/${device}/state`, {
          date, today, lastDay: last ? { date: last.date, steps: last.steps } : null, user: info?.user ?? null, syncedAt: new Date(info?.lastSyncAt ?? now).toISOString(),
        }, true);
        for (const d of days.slice(-2)) await publish(`${config.topicPrefix}/${device}/day`, { date: d.date, steps: d.steps, closed: d.closed }, false);
      } catch (err) {
        log.warn({ device, error: (err as Error).message }, 'mqtt: could not publish');
      }
    },
    close: async () => {
      await client.endAsync();
    },
  };
}
