package chatcluster.node.auth;

import chatcluster.node.channel.ChannelName;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Who a connection is.
 *
 * @param user      the user id ({@code sub} of a JWT)
 * @param device    the device id ({@code device} claim, {@code ?device=}, or the session id)
 * @param anonymous true when the connection presented no credential
 * @param channels  private channels or {@code prefix*} patterns the holder may join
 * @param claims    the verified claims of a JWT, or an Authenticator's own attributes; empty otherwise
 */
public record Principal(String user, String device, boolean anonymous, List<String> channels, JsonObject claims) {
  public Principal {
    channels = List.copyOf(channels);
    claims = claims == null ? new JsonObject() : claims;
  }

  public static Principal anonymous(String user, String device) {
    return new Principal(user, device, true, List.of(), null);
  }

  public static Principal authenticated(String user, String device, List<String> channels) {
    return new Principal(user, device, false, channels, null);
  }

  /** Whether a {@code channels} grant covers {@code channel}. */
  public boolean grants(String channel) {
    return channels.stream().anyMatch(p -> ChannelName.matches(p, channel));
  }
}
