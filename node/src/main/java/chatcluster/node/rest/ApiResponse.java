package chatcluster.node.rest;

import io.vertx.core.json.JsonObject;

/** What the API answered: status, headers (multi-values joined), and body (JSON, or a string). */
public record ApiResponse(int status, JsonObject headers, Object body) {
  public JsonObject toJson() {
    return new JsonObject().put("status", status).put("headers", headers).put("body", body);
  }
}
