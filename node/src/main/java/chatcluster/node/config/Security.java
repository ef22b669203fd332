package chatcluster.node.config;

import java.time.Duration;
import java.util.List;

/**
 * Who may claim what, and the limits that keep one client from costing the others (SECURITY.md lists
 * each with its default).
 *
 * @param claimedIdentity     development only: connections without a granting credential may pick
 *                            their user and device with {@code ?user=} / {@code ?device=}
 * @param jwtAllowNoExp       accept JWTs without {@code exp}
 * @param jwtIssuer           required {@code iss}, or null
 * @param jwtAudience         required {@code aud}, or null
 * @param jwtLeewaySeconds    clock skew allowed on {@code exp} and {@code nbf}
 * @param ipAllow             addresses allowed to connect (empty: any)
 * @param ipDeny              addresses refused
 * @param maxConnectionsPerIp open connections per client address on a node (0: no cap)
 * @param connectRatePerIp    new connections per second per client address (0: no cap)
 * @param rateLimitGrace      how long a connection may stay over its frame rate before 4029
 * @param maxSubscriptions    channels per connection
 * @param channelPublishRate  client publishes per second per channel on a node (0: no cap)
 */
public record Security(boolean claimedIdentity, boolean jwtAllowNoExp, String jwtIssuer, String jwtAudience,
                       int jwtLeewaySeconds, List<Cidr> ipAllow, List<Cidr> ipDeny, int maxConnectionsPerIp,
                       int connectRatePerIp, Duration rateLimitGrace, int maxSubscriptions, int channelPublishRate) {
  public Security {
    ipAllow = List.copyOf(ipAllow);
    ipDeny = List.copyOf(ipDeny);
  }

  /** Whether a client address may connect at all (allowlist, then denylist). */
  public boolean admits(String address) {
    if (!ipAllow.isEmpty() && ipAllow.stream().noneMatch(c -> c.contains(address))) {
      return false;
    }
    return ipDeny.stream().noneMatch(c -> c.contains(address));
  }
}
