package chatcluster.node.broker;

import io.vertx.core.buffer.Buffer;

/** A {@code direct} frame for every connection of one user or one device (exactly one is set). */
public record Direct(String user, String device, Buffer frame) {
  public String describe() {
    return user != null ? "user '" + user + "'" : "device '" + device + "'";
  }
}
