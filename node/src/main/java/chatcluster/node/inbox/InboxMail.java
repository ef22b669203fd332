package chatcluster.node.inbox;

import chatcluster.cluster.ClusterState;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.channel.Delivery;
import chatcluster.node.config.Ids;
import chatcluster.node.config.InboxSettings;
import chatcluster.node.core.Outbound;
import chatcluster.node.history.HistoryStore;
import chatcluster.node.protocol.FrameCodec;
import chatcluster.node.protocol.Sender;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Sending to a person's inbox and the receipts of what a device acknowledged: the parts that both a
 * client's {@code send} and a backend's relay calls use.
 *
 * <p>A message is stored and delivered in one step: it is published on the inbox (a persistent
 * channel), so every connection reading the inbox gets it live in offset order and a device that
 * connects later reads it from the inbox's history. {@code delivered} is the number of connections
 * reading the inbox when the message went out, cluster-wide.
 */
public final class InboxMail {
  private final Outbound outbound;
  private final ClusterState cluster;
  private final HistoryStore history;
  private final InboxSettings settings;
  private final ChannelOptions options;

  public InboxMail(Outbound outbound, ClusterState cluster, HistoryStore history, InboxSettings settings) {
    this.outbound = outbound;
    this.cluster = cluster;
    this.history = history;
    this.settings = settings;
    this.options = settings.channelOptions();
  }

  /**
   * Stores a direct message in {@code user}'s inbox (or, when user is null, {@code device}'s) and
   * delivers it to the connections reading it: {@code {delivered, stored: true, offset, id}}. Fails
   * with {@code unavailable} when it could not be stored: then nobody got it.
   */
  public Future<JsonObject> send(String user, String device, Object data, Sender from, boolean receipt) {
    String kind = user != null ? Inboxes.USER : Inboxes.DEVICE;
    String inbox = user != null ? Inboxes.ofUser(user) : Inboxes.ofDevice(device);
    String id = "m-" + Ids.random(16);
    Buffer prefix = FrameCodec.directPrefix(kind, id, data, from, System.currentTimeMillis(), receipt);
    return outbound.publishEncoded(inbox, prefix, options).compose(offset -> cluster.count(Inboxes.readers(inbox))
        .map(n -> (Object) n).recover(e -> Future.succeededFuture(null)) // stored; how many got it is not known
        .map(n -> new JsonObject().put("delivered", n).put("stored", true).put("offset", offset).put("id", id)));
  }

  /**
   * The receipts that {@code device}'s acknowledgement of {@code inbox} up to {@code upTo} newly
   * covers ({@code (after, upTo]}): one {@code receipt} in the sender's user inbox for each message
   * that asked for it. Each is published with a key of its message and device, so a retried
   * acknowledgement does not make a second receipt.
   */
  public Future<Void> receipts(String inbox, long after, long upTo, String device) {
    return history.read(inbox, Math.max(0, after), settings.size(), options).compose(page -> {
      List<Future<Long>> sent = new ArrayList<>();
      JsonObject to = inbox.startsWith("inbox/u/") ? new JsonObject().put("user", inbox.substring("inbox/u/".length()))
          : new JsonObject().put("device", inbox.substring("inbox/d/".length()));
      for (Delivery d : page.entries()) {
        if (d.offset() > upTo) {
          break;
        }
        JsonObject frame;
        try {
          frame = new JsonObject(d.frame().toString());
        } catch (DecodeException e) {
          continue;
        }
        JsonObject from = frame.getJsonObject("from");
        String sender = from == null ? null : from.getString("user");
        if (!"direct".equals(frame.getString("type")) || !frame.getBoolean("receipt", false) || sender == null) {
          continue;
        }
        String id = frame.getString("id");
        Buffer receipt = FrameCodec.receiptPrefix(id, to, d.offset(), device, System.currentTimeMillis());
        sent.add(outbound.publishEncodedOnce(Inboxes.ofUser(sender), receipt, options, "receipt:" + id + ":" + device,
            settings.publishKeyTtl()));
      }
      return Future.all(sent).mapEmpty();
    });
  }
}
