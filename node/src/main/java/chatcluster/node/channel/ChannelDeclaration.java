package chatcluster.node.channel;

/** A configured channel: an exact name or a {@code prefix*} pattern, and its options. */
public record ChannelDeclaration(String pattern, ChannelOptions options) {
  public boolean matches(String channel) {
    return ChannelName.matches(pattern, channel);
  }
}
