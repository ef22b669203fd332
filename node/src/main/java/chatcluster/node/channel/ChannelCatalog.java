package chatcluster.node.channel;

import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Resolves a channel name to its options. Exact declarations win over patterns; among patterns the
 * longest prefix wins. Declarations may be added at run time through the embedding API.
 */
public final class ChannelCatalog {
  private final List<ChannelDeclaration> declarations = new CopyOnWriteArrayList<>();
  private final boolean dynamicChannels;

  public ChannelCatalog(List<ChannelDeclaration> declarations, boolean dynamicChannels) {
    this.declarations.addAll(declarations);
    this.dynamicChannels = dynamicChannels;
  }

  public void declare(ChannelDeclaration declaration) {
    if (!ChannelName.isValidPattern(declaration.pattern())) {
      throw new IllegalArgumentException("invalid channel name or pattern: " + declaration.pattern());
    }
    declarations.removeIf(d -> d.pattern().equals(declaration.pattern()));
    declarations.add(declaration);
  }

  /**
   * The options of {@code channel}; fails with {@code bad_request} for an invalid name and
   * {@code not_found} for an undeclared channel when dynamic channels are off.
   */
  public ChannelOptions resolve(String channel) {
    if (!ChannelName.isValid(channel)) {
      throw ChatException.badRequest("invalid channel name: 1 to 128 characters of A-Z a-z 0-9 _ - : . @ =");
    }
    ChannelDeclaration best = null;
    for (ChannelDeclaration d : declarations) {
      if (!d.matches(channel)) {
        continue;
      }
      if (!d.pattern().endsWith("*")) {
        return d.options();
      }
      if (best == null || d.pattern().length() > best.pattern().length()) {
        best = d;
      }
    }
    if (best != null) {
      return best.options();
    }
    if (!dynamicChannels) {
      throw new ChatException(ErrorCode.NOT_FOUND, "channel '" + channel + "' is not declared");
    }
    return ChannelOptions.DEFAULTS;
  }
}
