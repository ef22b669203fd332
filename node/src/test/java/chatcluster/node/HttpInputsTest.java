package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.pusher.PusherSigning;
import chatcluster.node.testing.LogCapture;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad HTTP inputs from outside get a clear 4xx and leave no ERROR (nor a stack trace) in the log:
 * broken percent-escapes in a path, numbers JSON cannot carry, Pusher API requests with a signed
 * parameter given twice.
 */
class HttpInputsTest {
  private static final String KEY = "relay-key-for-tests";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.start();
  }

  @AfterEach
  void release() {
    log.close();
  }

  private List<String> errors() {
    return log.errors();
  }

  private HttpResponse<String> get(int port, String rawPath, String auth) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPath))
        .timeout(Duration.ofSeconds(5));
    if (auth != null) {
      b.header("Authorization", "Bearer " + auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aBrokenPercentEscapeIs400WithoutAStackTraceWithOrWithoutTheKey() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.RELAY_API_KEY, KEY))) {
      for (String path : List.of("/api/channels/%ZZ", "/api/channels/%4", "/health/%zz", "/%")) {
        assertEquals(400, rawStatus(node.port(), path, null), path);
        assertEquals(400, rawStatus(node.port(), path, KEY), path);
      }
      assertEquals(200, get(node.port(), "/api/channels/room%2D1", KEY).statusCode(), "a valid escape is decoded");
      assertEquals(List.of(), errors());
    }
  }

  @Test
  void relayDataWithANumberJsonCannotCarryIsRefusedAndNothingIsPublished() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.RELAY_API_KEY, KEY))) {
      WsClient sub = node.open("sub");
      sub.ok(new JsonObject().put("type", "subscribe").put("channel", "n"));
      HttpResponse<String> refused = post(node.port(), "{\"action\":\"sendToChannel\",\"channel\":\"n\",\"data\":1e400}");
      assertEquals(400, refused.statusCode(), refused.body());
      assertEquals("bad_request", new JsonObject(refused.body()).getString("error"));
      HttpResponse<String> ok = post(node.port(), "{\"action\":\"sendToChannel\",\"channel\":\"n\",\"data\":1e300}");
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals(1e300, sub.take("message").getDouble("data"), "the first message the subscriber gets is the valid one");
      assertEquals(List.of(), errors());
    }
  }

  @Test
  void aRelayBodyThatIsNotUtf8JsonIsRefusedAndNothingIsPublished() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.RELAY_API_KEY, KEY))) {
      WsClient sub = node.open("sub");
      sub.ok(new JsonObject().put("type", "subscribe").put("channel", "enc"));
      String action = "{\"action\":\"sendToChannel\",\"channel\":\"enc\",\"data\":\"x\"}";
      byte[] utf8 = action.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] bom = new byte[utf8.length + 3];
      bom[0] = (byte) 0xEF;
      bom[1] = (byte) 0xBB;
      bom[2] = (byte) 0xBF;
      System.arraycopy(utf8, 0, bom, 3, utf8.length);
      for (byte[] body : List.of(bom, action.getBytes(java.nio.charset.StandardCharsets.UTF_16),
          action.getBytes(java.nio.charset.StandardCharsets.UTF_16LE))) {
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                + "/api/relay")).header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("UTF-8"), refused.body());
      }
      sub.assertNone(f -> "message".equals(f.getString("type")), Duration.ofMillis(300));
      assertEquals(200, post(node.port(), action).statusCode(), "the same action in UTF-8 goes through");
      assertEquals("x", sub.take("message").getString("data"));
      assertEquals(List.of(), errors());
    }
  }

  @Test
  void aClientFrameWithANumberJsonCannotCarryIsABadRequest() {
    try (TestNode node = TestNode.start()) {
      WsClient c = node.open();
      c.ok(new JsonObject().put("type", "subscribe").put("channel", "n"));
      c.sendText("{\"type\":\"publish\",\"channel\":\"n\",\"data\":{\"x\":[1,-1e400]},\"id\":7}");
      JsonObject error = c.take("error");
      assertEquals("bad_request", error.getString("code"));
      assertEquals(7, error.getInteger("id"));
    }
  }

  @Test
  void aPusherApiRequestWithASignedParameterGivenTwiceIs400() throws Exception {
    try (TestNode node = TestNode.start(c -> c.set(ConfigOption.PUSHER_APP_ID, "app-1")
        .set(ConfigOption.PUSHER_APP_KEY, "key-1").set(ConfigOption.PUSHER_APP_SECRET, "secret-1"))) {
      String path = "/apps/app-1/channels";
      Map<String, String> params = new TreeMap<>(Map.of("auth_key", "key-1", "auth_timestamp",
          String.valueOf(System.currentTimeMillis() / 1000), "auth_version", "1.0"));
      String signature = PusherSigning.hmacHex("secret-1", PusherSigning.requestStringToSign("GET", path, params));
      StringBuilder query = new StringBuilder();
      params.forEach((k, v) -> query.append(query.length() == 0 ? "" : "&").append(k).append('=').append(v));
      String signed = path + "?" + query + "&auth_signature=" + signature;
      assertEquals(200, get(node.port(), signed, null).statusCode(), "the signed request as the SDK sends it");
      HttpResponse<String> twice = get(node.port(), signed + "&auth_timestamp=1", null);
      assertEquals(400, twice.statusCode());
      assertTrue(twice.body().contains("auth_timestamp given twice"), twice.body());
      assertEquals(List.of(), errors());
    }
  }

  /** The status of a GET sent as raw bytes (Java's HTTP client refuses such paths before sending them). */
  private static int rawStatus(int port, String rawPath, String auth) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      String request = "GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + (auth == null ? "" : "Authorization: Bearer " + auth + "\r\n") + "\r\n";
      s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  private HttpResponse<String> post(int port, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/relay"))
        .header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
