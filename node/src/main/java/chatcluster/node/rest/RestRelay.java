package chatcluster.node.rest;

/**
 * The REST relay, when the node has {@code API_BASE_URL}: the outbound proxy that makes clients'
 * calls to the application's API, and the scheduler of the calls that repeat.
 */
public record RestRelay(ApiProxy proxy, TaskScheduler tasks) {}
