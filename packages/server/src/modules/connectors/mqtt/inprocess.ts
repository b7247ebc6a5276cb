import type { PublishPacket } from 'aedes';
import type { EmbeddedBroker } from './broker.js';
import { TopicIndex } from './topics.js';
import type { MqttTransport } from './transport.js';

/**
 * The embedded broker's messages taken in this process, without a client connection: no
 * second parse over loopback, and a device's QoS 1 PUBACK is sent only after the message's
 * points are stored (EmbeddedBroker.intercept). Wills (Sparkplug NDEATH) come the same way.
 * Connected while the broker runs; there is no session, so a message not stored is left
 * unacknowledged to its publisher, which sends it again.
 */
export function inProcessTransport(broker: EmbeddedBroker): MqttTransport {
  return (events) => {
    const { aedes } = broker;
    let open = true;
    const filters = new Set<string>();
    let index = new TopicIndex<true>();
    const reindex = () => {
      index = new TopicIndex<true>();
      for (const f of filters) index.add(f, true);
    };

    const detach = broker.intercept((topic, payload, _qos, from) =>
      open && index.match(topic).length > 0 ? events.message(topic, payload, from) : null,
    );
    const onClosed = () => {
      if (open) events.down();
    };
    aedes.once('closed', onClosed);
    // After the driver holds the link: up() subscribes through it.
    queueMicrotask(() => {
      if (open && !aedes.closed) events.up(false);
    });

    /** Retained messages on newly subscribed filters, as a broker sends them on SUBSCRIBE. */
    async function deliverRetained(added: string[]) {
      // aedes-persistence, which aedes's types leave out.
      const { persistence } = aedes as unknown as {
        persistence: { createRetainedStreamCombi(patterns: string[]): AsyncIterable<PublishPacket> };
      };
      for await (const packet of persistence.createRetainedStreamCombi(added)) {
        if (!open) return;
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        events.message(packet.topic, payload)?.catch(() => {});
      }
    }

    return {
      get up() {
        return open && !aedes.closed;
      },
      async subscribe(added) {
        for (const f of added) filters.add(f);
        reindex();
        await deliverRetained(added).catch(() => {});
        return [];
      },
      unsubscribe(removed) {
        for (const f of removed) filters.delete(f);
        reindex();
      },
      publish(topic, payload, qos) {
        const packet = { cmd: 'publish', topic, payload, qos, retain: false, dup: false } as PublishPacket;
        return new Promise<void>((resolve, reject) =>
          aedes.publish(packet, (err) => (err ? reject(err) : resolve())),
        );
      },
      redeliver() {
        // Nothing to do: the failed messages were not acknowledged, so their publishers send them again.
      },
      async close() {
        open = false;
        detach();
        aedes.off('closed', onClosed);
      },
    };
  };
}
