package chatcluster.node.rest;

import chatcluster.node.config.ApiSettings;

import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the configured REST API for clients and scheduled tasks, through Vert.x Web Client (never
 * blocking the event loop). API 4xx/5xx are answers; an API that is unreachable or answers garbage is
 * {@code upstream_error}, a slow one {@code timeout}. At most {@code maxConcurrent} calls are in
 * flight on the node; more are {@code rate_limited}.
 */
public final class ApiProxy {
  private static final Logger log = LoggerFactory.getLogger(ApiProxy.class);

  private final ApiSettings settings;
  private final WebClient client;
  private final String nodeId;
  private final String basePath;
  private int inFlight;

  public ApiProxy(Vertx vertx, ApiSettings settings, String nodeId) {
    this.settings = settings;
    this.nodeId = nodeId;
    boolean tls = "https".equals(settings.baseUrl().getScheme());
    int port = settings.baseUrl().getPort() > 0 ? settings.baseUrl().getPort() : tls ? 443 : 80;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost(settings.baseUrl().getHost())
        .setDefaultPort(port).setSsl(tls).setFollowRedirects(false).setKeepAlive(true)
        .setUserAgent("ChatCluster/1").setConnectTimeout((int) Math.min(Integer.MAX_VALUE,
            settings.timeout().toMillis())));
    String raw = settings.baseUrl().getRawPath();
    this.basePath = raw == null ? "" : raw;
  }

  public ApiSettings settings() {
    return settings;
  }

  /** Checks what a client asks for (path, headers, method); returns the path to send. Fails with bad_request. */
  public String validate(String path, String method, JsonObject clientHeaders) {
    String checked = RequestGuard.path(path);
    RequestGuard.headers(clientHeaders);
    if (!settings.methods().contains(method)) {
      throw ChatException.badRequest("method " + method + " is not allowed (" + settings.methods() + ")");
    }
    return checked;
  }

  /**
   * One call. {@code task} names the scheduled task it runs for, or null for a client's request.
   * Validation failures are {@code bad_request} before anything is sent.
   */
  public Future<ApiResponse> call(String path, String method, Object body, JsonObject clientHeaders, String task) {
    String checkedPath;
    Map<String, String> headers;
    try {
      checkedPath = validate(path, method, clientHeaders);
      headers = RequestGuard.headers(clientHeaders);
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    if (inFlight >= settings.maxConcurrent()) {
      return Future.failedFuture(new ChatException(ErrorCode.RATE_LIMITED, "too many API calls in flight on this node"));
    }
    HttpRequest<Buffer> request = client.request(HttpMethod.valueOf(method), basePath + checkedPath)
        .timeout(settings.timeout().toMillis());
    headers.forEach(request::putHeader);
    settings.headers().forEach(request::putHeader); // the node's own headers win
    request.putHeader("X-ChatCluster-Node", nodeId);
    if (task != null) {
      request.putHeader("X-ChatCluster-Task", task);
    }
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> sent;
    if (body == null || method.equals("GET")) {
      sent = request.send();
    } else if (body instanceof String s) {
      if (!headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("content-type"))) {
        request.putHeader("Content-Type", "text/plain; charset=utf-8");
      }
      sent = request.sendBuffer(Buffer.buffer(s));
    } else {
      request.putHeader("Content-Type", "application/json");
      sent = request.sendBuffer(Buffer.buffer(Json.encode(body)));
    }
    inFlight++;
    return sent.eventually(() -> {
      inFlight--;
      return Future.succeededFuture();
    }).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(translate(ar.cause(), method, checkedPath));
      }
      return response(ar.result());
    });
  }

  private Future<ApiResponse> response(io.vertx.ext.web.client.HttpResponse<Buffer> r) {
    Buffer body = r.body() == null ? Buffer.buffer() : r.body();
    if (body.length() > settings.maxResponse()) {
      return Future.failedFuture(new ChatException(ErrorCode.UPSTREAM_ERROR,
          "API response larger than " + settings.maxResponse() + " bytes"));
    }
    JsonObject headers = new JsonObject();
    MultiMap h = r.headers();
    for (String name : h.names()) {
      headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", h.getAll(name)));
    }
    String type = h.get("Content-Type");
    Object value;
    if (type != null && isJson(type)) {
      if (body.length() == 0) {
        value = null;
      } else {
        try {
          value = Json.decodeValue(body);
        } catch (DecodeException e) {
          return Future.failedFuture(new ChatException(ErrorCode.UPSTREAM_ERROR,
              "API answered " + r.statusCode() + " with invalid JSON"));
        }
      }
    } else {
      value = body.toString();
    }
    return Future.succeededFuture(new ApiResponse(r.statusCode(), headers, value));
  }

  private static boolean isJson(String contentType) {
    String t = contentType.toLowerCase(Locale.ROOT);
    return t.startsWith(HttpHeaderValues.APPLICATION_JSON.toString()) || t.contains("+json");
  }

  private ChatException translate(Throwable cause, String method, String path) {
    if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")
        || String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
      log.info("API call {} {} timed out after {} ms", method, path, settings.timeout().toMillis());
      return new ChatException(ErrorCode.TIMEOUT, "the API did not answer within " + settings.timeout().toMillis()
          + " ms");
    }
    log.info("API call {} {} failed: {}", method, path, cause.toString());
    return new ChatException(ErrorCode.UPSTREAM_ERROR, "the API could not be reached");
  }

  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
