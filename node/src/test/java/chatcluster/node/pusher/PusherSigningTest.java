package chatcluster.node.pusher;

import chatcluster.node.config.PusherApp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Pusher's signatures against the values of Pusher's documentation (its worked examples) and of the
 * {@code pusher} npm server SDK (authorizeChannel, authenticateUser), so that the node and the SDKs
 * agree byte for byte.
 */
class PusherSigningTest {
  private static final PusherApp APP = new PusherApp("3", "278d425bdf160c739803", "7ad3773142a6692b25b8", true, 0,
      List.of());

  @Test
  void privateChannelAuthorizationMatchesPusherDocumentation() {
    String auth = "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
    assertEquals(auth, PusherSigning.channelAuth(APP, "1234.1234", "private-foobar", null));
    assertTrue(PusherSigning.channelAuthValid(APP, "1234.1234", "private-foobar", null, auth));
    assertFalse(PusherSigning.channelAuthValid(APP, "1234.1235", "private-foobar", null, auth), "another socket");
    assertFalse(PusherSigning.channelAuthValid(APP, "1234.1234", "private-foobaz", null, auth), "another channel");
    assertFalse(PusherSigning.channelAuthValid(APP, "1234.1234", "private-foobar", null,
        "otherkey:" + auth.substring(auth.indexOf(':') + 1)), "another key");
    assertFalse(PusherSigning.channelAuthValid(APP, "1234.1234", "private-foobar", null, null));
  }

  @Test
  void presenceAuthorizationCoversChannelDataAsTheSdkSignsIt() {
    String data = "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}";
    String auth = "278d425bdf160c739803:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80";
    assertTrue(PusherSigning.channelAuthValid(APP, "1234.1234", "presence-foobar", data, auth));
    assertFalse(PusherSigning.channelAuthValid(APP, "1234.1234", "presence-foobar",
        data.replace("10", "11"), auth), "a user id the app did not sign");
  }

  @Test
  void signinCoversUserDataAsTheSdkSignsIt() {
    String userData = "{\"id\":\"10\",\"name\":\"Mr. Users\"}";
    String auth = "278d425bdf160c739803:96051e66b9bc24be35cae27a4769742b0038e9802c28d16b05981563729edb1d";
    assertTrue(PusherSigning.userAuthValid(APP, "1234.1234", userData, auth));
    assertFalse(PusherSigning.userAuthValid(APP, "1234.1234", userData.replace("10", "1"), auth));
  }

  @Test
  void apiRequestSignatureMatchesPusherWorkedExample() {
    String body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
    String md5 = PusherSigning.md5Hex(body.getBytes(StandardCharsets.UTF_8));
    assertEquals("ec365a775a4cd0599faeb73354201b6f", md5);
    Map<String, String> params = new TreeMap<>(Map.of("auth_key", "278d425bdf160c739803",
        "auth_timestamp", "1353088179", "auth_version", "1.0", "body_md5", md5));
    assertEquals("POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
        + "&body_md5=ec365a775a4cd0599faeb73354201b6f", PusherSigning.requestStringToSign("post", "/apps/3/events", params));
    String signature = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";
    assertTrue(PusherSigning.requestSignatureValid(APP, "POST", "/apps/3/events", params, signature));
    assertFalse(PusherSigning.requestSignatureValid(APP, "POST", "/apps/4/events", params, signature));
    assertFalse(PusherSigning.requestSignatureValid(APP, "POST", "/apps/3/events", params, null));
  }

  @Test
  void webhookSignatureIsTheBodysHmac() {
    assertEquals(PusherSigning.hmacHex(APP.secret(), "{\"time_ms\":1,\"events\":[]}"),
        PusherSigning.webhookSignature(APP, "{\"time_ms\":1,\"events\":[]}"));
  }

  @Test
  void appsNeverPrintTheirSecret() {
    assertFalse(APP.toString().contains(APP.secret()));
  }
}
