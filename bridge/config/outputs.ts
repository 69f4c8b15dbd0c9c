// Where `bushu run` shows what it does besides delivering: a Prometheus endpoint and an MQTT
// broker (with Home Assistant discovery). Both off unless configured.
import { z } from 'zod';
import { closedObject, integer, mustBe, nonEmptyString } from '../../shared/config-schema.ts';

const TOPIC_PREFIX = /^[^#+\s/][^#+\s]*[^#+\s/]$|^[^#+\s/]$/;
const topicPrefix = () => z.string({ error: mustBe('an MQTT topic without wildcards or spaces') }).regex(TOPIC_PREFIX, { error: mustBe('an MQTT topic without wildcards, spaces or a leading or trailing "/"') });

export const metricsSchema = closedObject({
  /** GET http://host:port/metrics while `bushu run` runs; null: no endpoint. */
  port: integer(0, 65535).nullable().default(null),
  host: nonEmptyString().default('127.0.0.1'),
}).prefault({});
export type MetricsConfig = z.output<typeof metricsSchema>;

export const mqttSchema = closedObject({
  /** mqtt://[user:password@]host[:port] or mqtts://…; null: no publishing. */
  url: z
    .string({ error: mustBe('null or an mqtt:// or mqtts:// URL') })
    .regex(/^mqtts?:\/\/[^\s/]+\/?$/, { error: mustBe('null or an mqtt:// or mqtts:// URL') })
    .nullable()
    .default(null),
  /** State topics: <topicPrefix>/<device>/state. */
  topicPrefix: topicPrefix().default('bushu'),
  /** Home Assistant's discovery prefix; null: publish no discovery messages. */
  discoveryPrefix: topicPrefix().nullable().default('homeassistant'),
}).prefault({});
export type MqttConfig = z.output<typeof mqttSchema>;
