package chatcluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.auth.AuthRequest;
import chatcluster.node.auth.Authenticator;
import chatcluster.node.auth.Principal;
import chatcluster.node.channel.ChannelOptions;
import chatcluster.node.config.ConfigOption;
import chatcluster.node.protocol.ChatException;
import chatcluster.node.protocol.ErrorCode;
import chatcluster.node.testing.Keys;
import chatcluster.node.testing.TestNode;
import chatcluster.node.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four ways to authenticate (PROTOCOL.md section 1), JWTs, refusals, and a custom Authenticator. */
class AuthTest {
  static final String TOKEN = "s3cret-static-token";
  static final String JWT_SECRET = "a-long-enough-hs256-secret-for-tests-0123456789";

  private static JsonObject subscribe(String channel) {
    return new JsonObject().put("type", "subscribe").put("channel", channel);
  }

  @Nested
  class StaticToken {
    static TestNode node;

    @BeforeAll
    static void start() {
      node = TestNode.start(c -> c.set(ConfigOption.AUTH_ENABLED, true).set(ConfigOption.AUTH_TOKEN, TOKEN)
          .set(ConfigOption.AUTH_TIMEOUT, "0.5"));
    }

    @AfterAll
    static void stop() {
      node.close();
    }

    @Test
    void tokenBesideOurSubprotocolIsAcceptedAndOurSubprotocolSelected() {
      WsClient c = node.client().subprotocols("chatcluster.v1", TOKEN).connect();
      c.take("welcome");
      assertEquals("chatcluster.v1", c.subprotocol());
    }

    @Test
    void bareTokenAsOnlySubprotocolIsAcceptedAndEchoed() {
      WsClient c = node.client().subprotocols(TOKEN).connect();
      c.take("welcome");
      assertEquals(TOKEN, c.subprotocol(), "older clients do new WebSocket(url, token)");
    }

    @Test
    void bearerHeaderIsAccepted() {
      node.client().header("Authorization", "Bearer " + TOKEN).open();
    }

    @Test
    void authFrameIsAcceptedAndPipelinedCommandsWait() {
      WsClient c = node.client().uri("/ws?user=frank").connect();
      c.send(new JsonObject().put("type", "auth").put("token", TOKEN).put("device", "laptop").put("id", "a1"));
      c.send(subscribe("after-auth").put("id", "s1"));
      JsonObject welcome = c.take("welcome");
      assertEquals("frank", welcome.getString("user"));
      assertEquals("laptop", welcome.getString("device"));
      assertEquals("a1", c.take("ack").getString("id"));
      assertEquals("s1", c.take("ack").getString("id"));
    }

    @Test
    void commandsBeforeAuthAreRefused() {
      WsClient c = node.client().connect();
      assertEquals("unauthorized", c.errorCode(subscribe("x")));
    }

    @Test
    void noCredentialWithinTheAuthTimeoutClosesWith4001() {
      WsClient c = node.client().connect();
      assertEquals(4001, c.closeCode());
    }

    @Test
    void wrongTokenClosesWith4001InEveryPlace() {
      assertEquals(4001, node.client().subprotocols("chatcluster.v1", "wrong").connect().closeCode());
      assertEquals(4001, node.client().header("Authorization", "Bearer wrong").connect().closeCode());
      WsClient c = node.client().connect();
      c.send(new JsonObject().put("type", "auth").put("token", "wrong"));
      assertEquals(4001, c.closeCode());
    }

    @Test
    void queryTokenIsIgnoredUnlessSwitchedOn() {
      WsClient c = node.client().uri("/ws?token=" + TOKEN).connect();
      assertEquals(4001, c.closeCode(), "?token= is off by default");
      try (TestNode withQuery = TestNode.start(cfg -> cfg.set(ConfigOption.AUTH_ENABLED, true)
          .set(ConfigOption.AUTH_TOKEN, TOKEN).set(ConfigOption.AUTH_QUERY_TOKEN, true))) {
        withQuery.client().uri("/ws?token=" + TOKEN).open();
      }
    }
  }

  @Nested
  class Jwt {
    static TestNode node;

    @BeforeAll
    static void start() {
      node = TestNode.start(c -> c.set(ConfigOption.AUTH_ENABLED, true).set(ConfigOption.JWT_SECRET, JWT_SECRET)
          .channel("private-*", ChannelOptions.builder().privateChannel(true).build()));
    }

    @AfterAll
    static void stop() {
      node.close();
    }

    private String token(JsonObject claims) {
      return Keys.signHs256(node.clientVertx(), JWT_SECRET, claims);
    }

    @Test
    void hs256ClaimsNameUserDeviceAndPrivateChannels() {
      String jwt = token(new JsonObject().put("sub", "u-42").put("device", "d-42")
          .put("channels", new JsonArray().add("private-team-*").add("private-dm-1")));
      WsClient c = node.client().subprotocols("chatcluster.v1", jwt).connect();
      JsonObject w = c.take("welcome");
      assertEquals("u-42", w.getString("user"));
      assertEquals("d-42", w.getString("device"));
      c.ok(subscribe("private-team-blue"));
      c.ok(subscribe("private-dm-1"));
      assertEquals("forbidden", c.errorCode(subscribe("private-dm-2")));
    }

    @Test
    void expiredJwtClosesWith4001() {
      String jwt = token(new JsonObject().put("sub", "old").put("exp", System.currentTimeMillis() / 1000 - 60));
      assertEquals(4001, node.client().header("Authorization", "Bearer " + jwt).connect().closeCode());
    }

    @Test
    void jwtSignedWithAnotherSecretClosesWith4001() {
      String jwt = Keys.signHs256(node.clientVertx(), "another-secret-another-secret-another-secret", new JsonObject()
          .put("sub", "mallory"));
      assertEquals(4001, node.client().header("Authorization", "Bearer " + jwt).connect().closeCode());
    }

    @Test
    void claimingAnotherDeviceThanTheTokenClosesWith4003() {
      String jwt = token(new JsonObject().put("sub", "u-1").put("device", "d-1"));
      WsClient c = node.client().uri("/ws?device=d-2").header("Authorization", "Bearer " + jwt).connect();
      assertEquals(4003, c.closeCode());
      WsClient u = node.client().uri("/ws?user=someone-else").header("Authorization", "Bearer " + jwt).connect();
      assertEquals(4003, u.closeCode());
    }
  }

  @Nested
  class PublicKeys {
    @TempDir
    Path dir;

    @Test
    void rs256PublicKeyVerifiesTokens() throws Exception {
      verifiesWith("RS256", Keys.rsa());
    }

    @Test
    void es256PublicKeyVerifiesTokens() throws Exception {
      verifiesWith("ES256", Keys.ec());
    }

    private void verifiesWith(String algorithm, KeyPair pair) throws Exception {
      Path pem = Keys.publicKeyFile(pair, dir);
      try (TestNode node = TestNode.start(c -> c.set(ConfigOption.AUTH_ENABLED, true)
          .set(ConfigOption.JWT_PUBLIC_KEY, pem.toString()))) {
        String jwt = Keys.sign(node.clientVertx(), algorithm, pair, new JsonObject().put("sub", "pk-user"));
        WsClient c = node.client().header("Authorization", "Bearer " + jwt).connect();
        assertEquals("pk-user", c.take("welcome").getString("user"));
        String forged = Keys.sign(node.clientVertx(), algorithm, "RS256".equals(algorithm) ? Keys.rsa() : Keys.ec(),
            new JsonObject().put("sub", "pk-user"));
        assertEquals(4001, node.client().header("Authorization", "Bearer " + forged).connect().closeCode());
      }
    }
  }

  @Nested
  class CustomAuthenticator {
    @Test
    void authenticatorReplacesTokensAndDecidesPrivateChannels() {
      Authenticator custom = new Authenticator() {
        @Override
        public Future<Principal> authenticate(AuthRequest request) {
          if ("let-me-in".equals(request.token())) {
            return Future.succeededFuture(Principal.authenticated("vip", "vip-device", List.of()));
          }
          if ("banned".equals(request.token())) {
            return Future.failedFuture(ChatException.forbidden("banned"));
          }
          return Future.failedFuture(new ChatException(ErrorCode.UNAUTHORIZED, "who are you"));
        }

        @Override
        public Future<Boolean> canJoinPrivate(Principal principal, String channel) {
          if (channel.equals("private-broken")) {
            return Future.failedFuture(new IllegalStateException("directory down"));
          }
          return Future.succeededFuture(channel.equals("private-vip"));
        }
      };
      try (TestNode node = TestNode.start(c -> c.set(ConfigOption.AUTH_ENABLED, true)
              .set(ConfigOption.AUTH_TOKEN, "static-token-is-replaced")
              .channel("private-*", ChannelOptions.builder().privateChannel(true).build()),
          b -> b.authenticator(custom))) {
        WsClient c = node.client().subprotocols("chatcluster.v1", "let-me-in").connect();
        assertEquals("vip", c.take("welcome").getString("user"));
        c.ok(subscribe("private-vip"));
        assertEquals("forbidden", c.errorCode(subscribe("private-other")));
        assertEquals("internal", c.errorCode(subscribe("private-broken")),
            "an unexpected failure is reported as internal, not leaked");
        assertEquals(4003, node.client().subprotocols("chatcluster.v1", "banned").connect().closeCode());
        assertEquals(4001, node.client().subprotocols("chatcluster.v1", "static-token-is-replaced").connect()
            .closeCode());
      }
    }
  }

  @Nested
  class ThrowingAuthenticator {
    @Test
    void anAuthenticatorThatThrowsOnALaterAuthFrameGetsAnErrorAndTheConnectionStays() {
      Authenticator throwing = request -> {
        if (request.token() == null) {
          return Future.succeededFuture(Principal.anonymous(request.session(), request.session()));
        }
        throw new IllegalStateException("bug in the application's authenticator");
      };
      try (TestNode node = TestNode.start(c -> {}, b -> b.authenticator(throwing))) {
        WsClient c = node.client().connect();
        c.take("welcome");
        JsonObject reply = c.call(new JsonObject().put("type", "auth").put("token", "anything"));
        assertEquals("error", reply.getString("type"));
        assertEquals("internal", reply.getString("code"));
        c.ok(new JsonObject().put("type", "subscribe").put("channel", "still-usable"));
      }
    }
  }

  @Nested
  class Anonymous {
    @Test
    void withoutRequiredAuthAnonymousClientsMayIdentifyLaterByAuthFrame() {
      try (TestNode node = TestNode.start(c -> c.set(ConfigOption.AUTH_TOKEN, TOKEN))) {
        WsClient c = node.client().connect();
        JsonObject anon = c.take("welcome");
        assertEquals(anon.getString("session"), anon.getString("user"));
        c.send(new JsonObject().put("type", "auth").put("token", TOKEN).put("user", "named"));
        assertEquals("named", c.take("welcome").getString("user"));
        assertTrue(c.call(new JsonObject().put("type", "auth").put("token", TOKEN)).getString("message")
            .contains("already"));
        c.assertNone(f -> "welcome".equals(f.getString("type")), Duration.ofMillis(100));
      }
    }
  }
}
