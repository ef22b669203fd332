package chatcluster.node.session;

import chatcluster.node.core.Presence;
import chatcluster.node.presence.PresenceMember;
import chatcluster.node.protocol.FrameCodec;

/**
 * The native protocol's rendering of presence: every connection's join and leave is announced
 * ({@code join} and {@code leave} frames carry the device, so a user's second device is news too).
 */
public final class NativePresence implements Presence.Rendering {
  @Override
  public boolean owns(String channel) {
    return true;
  }

  @Override
  public Presence.Announcement joined(String channel, String session, PresenceMember member, boolean firstOfUser) {
    return new Presence.Announcement(FrameCodec.join(channel, member.user(), member.device()), null);
  }

  @Override
  public Presence.Announcement left(String channel, String session, PresenceMember member, boolean lastOfUser,
                                    boolean lastOfAll) {
    return new Presence.Announcement(FrameCodec.leave(channel, member.user(), member.device()), null);
  }
}
