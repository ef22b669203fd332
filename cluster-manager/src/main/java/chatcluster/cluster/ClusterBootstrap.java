package chatcluster.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** {@link ClusterOptions} to a Hazelcast configuration, a clustered Vert.x, and its {@link ClusterState}. */
public final class ClusterBootstrap {
  /** The member attribute that carries the ChatCluster node id. */
  public static final String NODE_ATTRIBUTE = "chatcluster.node";

  private ClusterBootstrap() {}

  /** A clustered Vert.x and the cluster's shared state, once this member has joined. */
  public record Clustered(Vertx vertx, HazelcastClusterState state) {}

  public static Future<Clustered> start(ClusterOptions options, VertxOptions vertxOptions) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(options));
    VertxOptions vo = new VertxOptions(vertxOptions);
    if (options.host() != null && !options.host().isBlank()) {
      vo.getEventBusOptions().setHost(options.host()).setClusterPublicHost(options.host());
    }
    vo.getEventBusOptions().setPort(0);
    return Vertx.builder().with(vo).withClusterManager(manager).buildClustered()
        .compose(vertx -> HazelcastClusterState.start(vertx, manager.getHazelcastInstance(), options.nodeId())
            .map(state -> new Clustered(vertx, state)));
  }

  /**
   * The Hazelcast configuration: Vert.x's own maps, this cluster's name and port, discovery by the
   * member list (TCP-IP) or by Kubernetes DNS, multicast off, quick failure detection, no phoning home.
   */
  public static Config hazelcastConfig(ClusterOptions options) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(options.name());
    config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, options.nodeId());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.port()).setPortAutoIncrement(true).setPortCount(20);
    if (options.host() != null && !options.host().isBlank()) {
      network.setPublicAddress(options.host());
      network.getInterfaces().setEnabled(true).addInterface(options.host());
      config.setProperty("hazelcast.local.localAddress", options.host());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (options.kubernetesService() != null && !options.kubernetesService().isBlank()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", options.kubernetesService())
          .setProperty("service-port", String.valueOf(options.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(options.members());
    }
    return config;
  }
}
