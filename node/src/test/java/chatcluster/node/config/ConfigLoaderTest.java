package chatcluster.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatcluster.node.channel.ChannelOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    NodeConfig c = ConfigLoader.load(new String[0], Map.of());
    assertEquals("0.0.0.0", c.host());
    assertEquals(8080, c.port());
    assertEquals(10000, c.maxClients());
    assertEquals(Duration.ofSeconds(30), c.pingInterval());
    assertEquals(65536, c.maxMessageSize());
    assertFalse(c.authEnabled());
    assertEquals(Duration.ofSeconds(10), c.authTimeout());
    assertFalse(c.queryToken());
    assertFalse(c.ssl());
    assertTrue(c.dynamicChannels());
    assertTrue(c.nodeId().startsWith("node-"));
  }

  @Test
  void precedenceIsFileThenEnvironmentThenFlags() throws Exception {
    Path file = yaml("port: 9001\nmaxClients: 7\npingInterval: 12\n");
    String[] withFlag = {"--config", file.toString(), "--port", "9003"};
    Map<String, String> env = Map.of("WEBSOCKET_PORT", "9002", "WEBSOCKET_MAX_CLIENTS", "8");
    assertEquals(9003, ConfigLoader.load(withFlag, env).port());
    assertEquals(9002, ConfigLoader.load(new String[] {"--config", file.toString()}, env).port());
    assertEquals(9001, ConfigLoader.load(new String[] {"--config=" + file}, Map.of()).port());
    NodeConfig mixed = ConfigLoader.load(withFlag, env);
    assertEquals(8, mixed.maxClients(), "environment over file");
    assertEquals(Duration.ofSeconds(12), mixed.pingInterval(), "file over default");
  }

  @Test
  void nestedSectionsAndListsAndBooleanFlags() throws Exception {
    Path file = yaml("""
        auth:
          enabled: true
          token: from-file
          timeout: 2.5
        allowedOrigins: [https://a.example, https://b.example]
        """);
    NodeConfig c = ConfigLoader.load(new String[] {"--config", file.toString(), "--auth-query-token", "--debug"},
        Map.of("TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2"));
    assertTrue(c.authEnabled());
    assertEquals("from-file", c.authToken());
    assertEquals(Duration.ofMillis(2500), c.authTimeout());
    assertEquals(List.of("https://a.example", "https://b.example"), c.allowedOrigins());
    assertEquals(List.of("10.0.0.1", "10.0.0.2"), c.trustedProxies());
    assertTrue(c.queryToken());
    assertTrue(c.debug());
  }

  @Test
  void channelsAreDeclaredInTheFile() throws Exception {
    Path file = yaml("""
        channels:
          - name: "hist-*"
            persistent: true
            historySize: 50
          - name: lobby
            presence: true
            maxClients: 500
            private: true
        """);
    NodeConfig c = ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of());
    assertEquals(2, c.channels().size());
    ChannelOptions hist = c.channels().get(0).options();
    assertEquals("hist-*", c.channels().get(0).pattern());
    assertTrue(hist.persistent());
    assertEquals(50, hist.historySize());
    assertEquals(Duration.ofSeconds(300), hist.historyTtl());
    ChannelOptions lobby = c.channels().get(1).options();
    assertTrue(lobby.presence() && lobby.privateChannel());
    assertEquals(500, lobby.maxClients());
    assertTrue(lobby.clientPublish());
  }

  @Test
  void wrongValuesNameTheOptionAndWhereTheyCameFrom() throws Exception {
    ConfigException env = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[0], Map.of("WEBSOCKET_PORT", "eighty")));
    assertTrue(env.getMessage().contains("'eighty'") && env.getMessage().contains("WEBSOCKET_PORT")
        && env.getMessage().contains("--port") && env.getMessage().contains("environment"), env.getMessage());

    ConfigException flag = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--ping-interval", "-3"}, Map.of()));
    assertTrue(flag.getMessage().contains("pingInterval") && flag.getMessage().contains("flag"), flag.getMessage());

    ConfigException bool = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[0], Map.of("WEBSOCKET_AUTH_ENABLED", "maybe")));
    assertTrue(bool.getMessage().contains("WEBSOCKET_AUTH_ENABLED"), bool.getMessage());

    Path file = yaml("channels:\n  - name: x\n    historySize: lots\n");
    ConfigException channel = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of()));
    assertTrue(channel.getMessage().contains("channels[0].historySize"), channel.getMessage());
  }

  @Test
  void unknownNamesAndBrokenFilesAreRefused() throws Exception {
    assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--prot", "1"}, Map.of()));
    Path typo = yaml("prot: 1\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--config", typo.toString()}, Map.of()));
    assertTrue(e.getMessage().contains("'prot'"), e.getMessage());
    Path broken = yaml("port: [unclosed\n");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", broken.toString()}, Map.of()));
    assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--config", dir.resolve("missing.yaml").toString()}, Map.of()));
  }

  @Test
  void sslNeedsBothFilesAndSecretsAreNotEchoed() throws Exception {
    Path cert = yaml("not really a cert");
    ConfigException half = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[0], Map.of("WEBSOCKET_SSL_CERT_PATH", cert.toString())));
    assertTrue(half.getMessage().contains("WEBSOCKET_SSL_KEY_PATH"), half.getMessage());
    ConfigException missing = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[0], Map.of("WEBSOCKET_JWT_PUBLIC_KEY", "/nonexistent/key.pem")));
    assertTrue(missing.getMessage().contains("readable file"), missing.getMessage());
  }

  @Test
  void apiHeadersComeFromTheEnvironmentOrTheFileAndBadOnesDoNotEchoTheSecret() throws Exception {
    NodeConfig env = ConfigLoader.load(new String[0], Map.of("API_BASE_URL", "https://api.example.com/v2/",
        "API_HEADERS", "X-Api-Key: s3cret-value; X-Tenant: acme"));
    assertEquals(Map.of("X-Api-Key", "s3cret-value", "X-Tenant", "acme"), env.api().headers());
    assertEquals("https://api.example.com/v2", env.api().baseUrl().toString());
    assertTrue(env.api().enabled());
    Path file = yaml("api:\n  baseUrl: http://127.0.0.1:9000\n  headers:\n    Authorization: Bearer abc\n");
    NodeConfig yaml = ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of());
    assertEquals(Map.of("Authorization", "Bearer abc"), yaml.api().headers());
    ConfigException bad = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[0], Map.of("API_HEADERS", "just-a-secret-without-a-name")));
    assertTrue(bad.getMessage().contains("API_HEADERS"), bad.getMessage());
    assertFalse(bad.getMessage().contains("just-a-secret"), "the value is not echoed: " + bad.getMessage());
    assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[0], Map.of("API_BASE_URL", "ftp://x")));
    assertFalse(ConfigLoader.load(new String[0], Map.of()).api().enabled());
  }

  @Test
  void flagNamesAreKebabCaseOfTheKeys() {
    assertEquals("--max-clients", ConfigOption.MAX_CLIENTS.flag());
    assertEquals("--auth-jwt-secret", ConfigOption.JWT_SECRET.flag());
    assertEquals("--ssl-cert", ConfigOption.SSL_CERT.flag());
  }
}
