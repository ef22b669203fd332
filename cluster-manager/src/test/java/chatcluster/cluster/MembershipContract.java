package chatcluster.cluster;

import chatcluster.cluster.testing.CallerContext;
import org.junit.jupiter.api.Test;

/**
 * What a {@link ClusterState} that can see other nodes must also do: report them joining and leaving
 * on the context that registered for it. A cluster of one has no such events and does not run this.
 */
public abstract class MembershipContract extends ClusterStateContract {

  /** Makes another node join or leave {@code state}'s cluster; returns the change the handler must see. */
  protected abstract MembershipChange changeMembership(ClusterState state) throws Exception;

  @Test
  void membershipHandlersRunOnTheContextThatRegisteredThem() throws Exception {
    ClusterState s = state();
    CallerContext.Inbox<MembershipChange> changes = caller().inbox("the membership handler");
    caller().run(() -> s.onMembership(changes));
    MembershipChange expected = changeMembership(s);
    changes.await(expected::equals);
  }
}
