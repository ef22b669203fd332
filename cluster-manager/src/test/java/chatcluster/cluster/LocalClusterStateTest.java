package chatcluster.cluster;

class LocalClusterStateTest extends ClusterStateContract {
  @Override
  protected ClusterState state() {
    return new LocalClusterState("node-local");
  }
}
