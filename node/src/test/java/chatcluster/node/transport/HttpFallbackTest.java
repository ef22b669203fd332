package chatcluster.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.config.ConfigOption;
import chatcluster.node.testing.LogCapture;
import chatcluster.node.testing.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP fallback transports as pusher-js's {@code xhr_polling} speaks them, request by request:
 * the session opens, carries Pusher frames both ways, refuses bad input with a 4xx (no ERROR in the
 * log), and a session its client abandons is gone within seconds, its place in the node free again.
 */
class HttpFallbackTest {
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

  private static TestNode pusherNode(int maxClients) {
    return TestNode.start(c -> c.set(ConfigOption.PUSHER_APP_ID, "app-1").set(ConfigOption.PUSHER_APP_KEY, "key-1")
        .set(ConfigOption.PUSHER_APP_SECRET, "secret-1").set(ConfigOption.MAX_CLIENTS, String.valueOf(maxClients)));
  }

  private HttpResponse<String> post(TestNode node, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPollingSessionOpensAndCarriesPusherFramesBothWays() throws Exception {
    try (TestNode node = pusherNode(100)) {
      String session = "/pusher/app/key-1/12/abcdefgh/";
      HttpResponse<String> open = post(node, session + "xhr?protocol=7&client=js&version=8.6.0", "");
      assertEquals(200, open.statusCode());
      assertEquals("o\n", open.body());
      String established = post(node, session + "xhr", "").body();
      assertTrue(established.startsWith("a[\"{\\\"event\\\":\\\"pusher:connection_established\\\""), established);
      assertEquals(204, post(node, session + "xhr_send", "[\"{\\\"event\\\":\\\"pusher:ping\\\",\\\"data\\\":{}}\"]")
          .statusCode());
      String pong = post(node, session + "xhr", "").body();
      assertTrue(pong.contains("pusher:pong"), pong);
      assertEquals(List.of(), errors());
    }
  }

  @Test
  void badRequestsGetA4xxAndNoErrorInTheLog() throws Exception {
    try (TestNode node = pusherNode(100)) {
      assertEquals(404, post(node, "/pusher/app/key-1/1/nosuchsession/xhr_send", "[\"{}\"]").statusCode(),
          "a send to no session");
      assertEquals(404, post(node, "/pusher/app/key-1/x1/abcdefgh/xhr", "").statusCode(), "server part not a number");
      String session = "/pusher/app/key-1/1/brokenjs/";
      post(node, session + "xhr", "");
      for (String bad : List.of("{", "[1]", "{\"a\":1}", "")) {
        HttpResponse<String> r = post(node, session + "xhr_send", bad);
        assertEquals(400, r.statusCode(), bad);
        assertTrue(r.body().contains("JSON array of strings"), r.body());
      }
      // An unknown app key: the session says so with Pusher's error and close code.
      String unknown = "/pusher/app/no-such-key/1/abcdefgh/";
      assertEquals("o\n", post(node, unknown + "xhr", "").body());
      String refused = post(node, unknown + "xhr", "").body();
      if (!refused.contains("c[4001")) {
        refused += post(node, unknown + "xhr", "").body();
      }
      assertTrue(refused.contains("4001") && refused.contains("c[4001,"), refused);
      assertEquals(List.of(), errors());
    }
  }

  @Test
  void anAbandonedSessionIsGoneWithinSecondsAndItsPlaceIsFree() throws Exception {
    try (TestNode node = pusherNode(1)) {
      assertEquals("o\n", post(node, "/pusher/app/key-1/1/first/xhr", "").body());
      assertEquals(503, post(node, "/pusher/app/key-1/1/second/xhr", "").statusCode(), "the node holds one client");
      long start = System.nanoTime();
      int status = 0;
      while (System.nanoTime() - start < Duration.ofSeconds(12).toNanos()) {
        status = post(node, "/pusher/app/key-1/1/third/xhr", "").statusCode();
        if (status == 200) {
          break;
        }
        Thread.sleep(250);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals(200, status, "a place again once the first session was abandoned");
      assertTrue(ms < HttpFallbackSession.DISCONNECT_DELAY_MS + 3000, "freed after " + ms + " ms");
    }
  }

  /** A POST on a TCP connection of its own, from {@code from}: answers {status, body}. */
  private static String[] postAlone(TestNode node, String path, String body, String from) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.port(), java.net.InetAddress.getByName(from), 0)) {
      socket.setSoTimeout(30_000);
      byte[] content = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + content.length + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().write(content);
      String all = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      String status = all.substring(all.indexOf(' ') + 1, all.indexOf(' ') + 4);
      int split = all.indexOf("\r\n\r\n");
      return new String[] {status, split < 0 ? "" : all.substring(split + 4)};
    }
  }

  private static String[] postAlone(TestNode node, String path, String body) throws Exception {
    return postAlone(node, path, body, "127.0.0.1");
  }

  @Test
  void aSessionWhoseRequestsComeOnNewConnectionsEachTimeWorksAndStaysItsClients() throws Exception {
    try (TestNode node = pusherNode(100)) {
      String session = "/pusher/app/key-1/7/spreadxx/";
      assertEquals("o\n", postAlone(node, session + "xhr", "")[1]);
      String established = postAlone(node, session + "xhr", "")[1];
      assertTrue(established.contains("connection_established"), established);
      for (int i = 0; i < 6; i++) {
        assertEquals("204", postAlone(node, session + "xhr_send",
            "[\"{\\\"event\\\":\\\"pusher:ping\\\",\\\"data\\\":{}}\"]")[0]);
        String pong = postAlone(node, session + "xhr", "")[1];
        assertTrue(pong.contains("pusher:pong"), "round " + i + ": " + pong);
      }
      // Another address may not use the session (its path shows in access logs).
      assertEquals("404", postAlone(node, session + "xhr_send", "[\"x\"]", "127.0.0.2")[0]);
      assertEquals("404", postAlone(node, session + "xhr", "", "127.0.0.2")[0]);
      assertEquals(List.of(), errors());
    }
  }
}
