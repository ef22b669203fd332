package chatcluster.node.tasks;

import io.vertx.core.json.JsonObject;

/**
 * A client's recurring API call.
 *
 * @param id            {@code t-…}
 * @param device        the owner: results go to every connection of this device
 * @param path          the API path
 * @param method        the HTTP method
 * @param body          the request body (any JSON value) or null
 * @param headers       the client's headers or null
 * @param interval      seconds between runs
 * @param next          when the next run is due, epoch ms
 * @param lastStatus    the API status of the last run, or null (none yet, or it failed before an answer)
 * @param ownerSeen     when a result last reached a connection of the owner (or creation), epoch ms
 */
public record ScheduledTask(String id, String device, String path, String method, Object body, JsonObject headers,
                            long interval, long next, Integer lastStatus, long ownerSeen) {

  public ScheduledTask afterRun(long now, Integer status, boolean delivered) {
    long due = next + interval * 1000;
    if (due <= now) {
      due = now + interval * 1000; // runs missed while nobody held the task are not made up
    }
    return new ScheduledTask(id, device, path, method, body, headers, interval, due, status,
        delivered ? now : ownerSeen);
  }

  public JsonObject toJson() {
    return new JsonObject().put("task", id).put("device", device).put("path", path).put("method", method)
        .put("body", body).put("headers", headers).put("interval", interval).put("next", next)
        .put("lastStatus", lastStatus).put("ownerSeen", ownerSeen);
  }

  /** The entry of a {@code tasks} answer. */
  public JsonObject summary() {
    return new JsonObject().put("task", id).put("path", path).put("method", method).put("interval", interval)
        .put("next", next).put("lastStatus", lastStatus);
  }

  /** Reads a stored task; fails with IllegalArgumentException naming what is wrong. */
  public static ScheduledTask fromJson(JsonObject j) {
    try {
      String id = require(j.getString("task"), "task");
      String device = require(j.getString("device"), "device");
      String path = require(j.getString("path"), "path");
      String method = require(j.getString("method"), "method");
      Long interval = j.getLong("interval");
      Long next = j.getLong("next");
      if (interval == null || interval <= 0 || next == null) {
        throw new IllegalArgumentException("task " + id + ": interval and next are required");
      }
      return new ScheduledTask(id, device, path, method, j.getValue("body"), j.getJsonObject("headers"), interval,
          next, j.getInteger("lastStatus"), j.getLong("ownerSeen", next));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("a task field has the wrong type: " + e.getMessage());
    }
  }

  private static String require(String v, String field) {
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("a task has no '" + field + "'");
    }
    return v;
  }
}
