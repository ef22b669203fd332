package chatcluster.node.hub;

import chatcluster.node.broker.DeviceCommand;
import chatcluster.node.broker.Direct;
import chatcluster.node.channel.Delivery;
import chatcluster.node.transport.FlushBatch;
import io.vertx.core.Context;
import java.util.List;

/**
 * One event loop's end of the fan-out: the hub hands it frames and it writes them to the loop's
 * targets, the channel subscribers ({@link LoopChannels}), every connection (broadcasts) or a user's
 * and a device's connections ({@link LoopRecipients}), flushing each connection written to once per
 * hand-over ({@link FlushBatch}).
 *
 * <p>Threading: confined to its loop's context (the hub calls it there).
 */
public final class LoopFanout implements Hub.Loop {
  private final Context context;
  private final LoopChannels channels;
  private final LoopRecipients recipients = new LoopRecipients();
  private final FlushBatch batch;

  /** On the loop's context; {@code batch} is the loop's, shared with its WebSocket endpoints. */
  public LoopFanout(Context context, Hub hub, int index, FlushBatch batch) {
    this.context = context;
    this.channels = new LoopChannels(hub, index);
    this.batch = batch;
  }

  public LoopChannels channels() {
    return channels;
  }

  @Override
  public LoopRecipients recipients() {
    return recipients;
  }

  @Override
  public Context context() {
    return context;
  }

  @Override
  public void deliver(List<Delivery> deliveries) {
    batch.open();
    try {
      for (int i = 0; i < deliveries.size(); i++) {
        Delivery delivery = deliveries.get(i);
        if (delivery.everyone()) {
          for (Recipient r : recipients.all()) {
            r.sendShared(delivery.frame(), delivery.wire());
          }
        } else {
          channels.deliver(delivery);
        }
      }
    } finally {
      batch.close();
    }
  }

  @Override
  public int deliverDirect(Direct d) {
    int delivered = 0;
    for (Recipient r : d.user() != null ? recipients.byUser(d.user()) : recipients.byDevice(d.device())) {
      if (r.isOpen()) {
        r.sendShared(d.frame(), null);
        delivered++;
      }
    }
    return delivered;
  }

  @Override
  public int apply(DeviceCommand command) {
    int reached = 0;
    for (Recipient r : recipients.byDevice(command.device())) {
      if (r.isOpen()) {
        r.apply(command);
        reached++;
      }
    }
    return reached;
  }

  /** Has every connection write its route and presence entries again (the cluster took the node for dead). */
  public void rejoin() {
    recipients.all().forEach(Recipient::rejoin);
  }
}
