package chatcluster.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every value a new user got wrong without being told: each is refused at start with the option's
 * three spellings, where the value came from and what is wrong with it. Also the original server's
 * .env names that users migrating from it set.
 */
class ConfigErrorsTest {
  @TempDir
  Path dir;

  private static String refused(Map<String, String> env, String... args) {
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(args, env)).getMessage();
  }

  private static void namesOptionAndSource(String message, ConfigOption option, String source) {
    assertTrue(message.contains(option.key()) && message.contains(option.env()) && message.contains(option.flag())
        && message.contains(source), message);
  }

  @Test
  void redisUrlWithAPortOutOfRangeIsRefusedWithoutShowingThePassword() {
    String m = refused(Map.of(), "--redis-url", "redis://:pw@127.0.0.1:99999");
    namesOptionAndSource(m, ConfigOption.REDIS_URL, "flag --redis-url");
    assertTrue(m.contains("port 99999 is out of range"), m);
    assertFalse(m.contains("pw"), m);
    assertTrue(refused(Map.of("REDIS_URL", "redis://127.0.0.1:6379/x")).contains("database number"));
  }

  @Test
  void theDeadNodeWindowHasAFloorOfTwoHeartbeats() {
    String m = refused(Map.of("CLUSTER_DEAD_AFTER", "3"));
    namesOptionAndSource(m, ConfigOption.CLUSTER_DEAD_AFTER, "environment CLUSTER_DEAD_AFTER");
    assertTrue(m.contains("at least 4 seconds"), m);
    assertEquals(java.time.Duration.ofSeconds(6), ConfigLoader.load(new String[0], Map.of()).clusterDeadAfter());
    assertEquals(java.time.Duration.ofMillis(4500),
        ConfigLoader.load(new String[0], Map.of("CLUSTER_DEAD_AFTER", "4.5")).clusterDeadAfter());
  }

  @Test
  void trustedProxiesMustBeIpAddresses() {
    String m = refused(Map.of("TRUSTED_PROXIES", "127.0.0.1,notanip"));
    namesOptionAndSource(m, ConfigOption.TRUSTED_PROXIES, "environment TRUSTED_PROXIES");
    assertTrue(m.contains("'notanip' is not one"), m);
    assertEquals(2, ConfigLoader.load(new String[0], Map.of("TRUSTED_PROXIES", "10.0.0.1, ::1")).trustedProxies().size());
  }

  @Test
  void nodeIdWithSpacesIsRefused() {
    String m = refused(Map.of("NODE_ID", "bad id with spaces"));
    namesOptionAndSource(m, ConfigOption.NODE_ID, "environment NODE_ID");
    assertTrue(m.contains("no spaces"), m);
  }

  @Test
  void allowedOriginsMustBeOrigins() {
    String m = refused(Map.of("ALLOWED_ORIGINS", "not-a-url"));
    namesOptionAndSource(m, ConfigOption.ALLOWED_ORIGINS, "environment ALLOWED_ORIGINS");
    assertTrue(refused(Map.of("ALLOWED_ORIGINS", "https://app.example.com/path")).contains("is not one"));
    assertEquals(2, ConfigLoader.load(new String[0], Map.of("ALLOWED_ORIGINS", "https://a.example,http://localhost:3000"))
        .allowedOrigins().size());
  }

  @Test
  void shortHs256SecretIsRefusedWithoutShowingIt() {
    String m = refused(Map.of("WEBSOCKET_JWT_SECRET", "short"));
    namesOptionAndSource(m, ConfigOption.JWT_SECRET, "environment WEBSOCKET_JWT_SECRET");
    assertTrue(m.contains("at least 32 characters") && m.contains("'***'"), m);
  }

  @Test
  void tasksFileWhereNothingCanBeWrittenIsRefused() {
    String m = refused(Map.of("TASKS_FILE", "/proc/nope/tasks.json"));
    namesOptionAndSource(m, ConfigOption.TASKS_FILE, "environment TASKS_FILE");
    String used = refused(Map.of("TASKS_FILE", "/proc/nope/tasks.json", "API_BASE_URL", "http://127.0.0.1:9"));
    assertTrue(used.contains("cannot write in /proc/nope"), used);
  }

  @Test
  void booleansSayWhatTheyAccept() {
    String m = refused(Map.of("WEBSOCKET_DEBUG", "maybe"));
    assertTrue(m.contains("yes/no, on/off and 1/0"), m);
    assertTrue(ConfigLoader.load(new String[0], Map.of("WEBSOCKET_DEBUG", "yes")).debug());
  }

  @Test
  void unreadableConfigFileSaysWhy() {
    String m = refused(Map.of(), "--config", "/nonexistent.yaml");
    assertTrue(m.contains("/nonexistent.yaml") && m.contains("no such file"), m);
  }

  @Test
  void sourcesNameWhereAValueCameFromForProblemsFoundLater() {
    NodeConfig c = ConfigLoader.load(new String[] {"--port", "8081"}, Map.of("WEBSOCKET_AUTH_ENABLED", "true"));
    String m = c.sources().problem(ConfigOption.PORT, "in use").getMessage();
    assertEquals("invalid value '8081' for port (WEBSOCKET_PORT, --port) from flag --port: in use", m);
    assertEquals("environment WEBSOCKET_AUTH_ENABLED", c.sources().of(ConfigOption.AUTH_ENABLED));
    assertEquals("default", c.sources().of(ConfigOption.HOST));
  }

  // ---------------------------------------------------------------- the original server's .env names

  @Test
  void sslCertAndKeyAliasesServeTls() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    NodeConfig c = ConfigLoader.load(new String[0],
        Map.of("WEBSOCKET_SSL_CERT", cert.toString(), "WEBSOCKET_SSL_KEY", key.toString()));
    assertTrue(c.ssl());
    assertEquals(cert, c.sslCert());
    assertEquals("environment WEBSOCKET_SSL_CERT", c.sources().of(ConfigOption.SSL_CERT));
    NodeConfig off = ConfigLoader.load(new String[0],
        Map.of("WEBSOCKET_SSL_CERT", cert.toString(), "WEBSOCKET_SSL_KEY", key.toString(), "WEBSOCKET_SSL", "false"));
    assertFalse(off.ssl());
    String m = refused(Map.of("WEBSOCKET_SSL", "true"));
    namesOptionAndSource(m, ConfigOption.SSL_ENABLED, "environment WEBSOCKET_SSL");
    assertTrue(m.contains("certificate"), m);
  }

  @Test
  void websocketEnabledFalseTurnsTheClientEndpointOff() {
    assertTrue(ConfigLoader.load(new String[0], Map.of()).websocketEnabled());
    assertFalse(ConfigLoader.load(new String[0], Map.of("WEBSOCKET_ENABLED", "false")).websocketEnabled());
  }

  @Test
  void errorLogAndLogChannel() {
    NodeConfig plain = ConfigLoader.load(new String[0], Map.of());
    assertNull(plain.errorLog());
    assertEquals(LogChannel.STDOUT, plain.logChannel());
    Path log = dir.resolve("logs/errors.log");
    NodeConfig daily = ConfigLoader.load(new String[0],
        Map.of("WEBSOCKET_ERROR_LOG", log.toString(), "WEBSOCKET_LOG_CHANNEL", "daily"));
    assertEquals(LogChannel.DAILY, daily.logChannel());
    assertTrue(Files.isDirectory(log.getParent()), "the error log's directory is created");
    assertEquals(LogChannel.STDERR,
        ConfigLoader.load(new String[0], Map.of("WEBSOCKET_LOG_CHANNEL", "stderr")).logChannel());
    assertTrue(refused(Map.of("WEBSOCKET_LOG_CHANNEL", "daily")).contains(ConfigOption.ERROR_LOG.env()));
    assertTrue(refused(Map.of("WEBSOCKET_LOG_CHANNEL", "syslog")).contains("stdout, stderr or daily"));
    String m = refused(Map.of("WEBSOCKET_ERROR_LOG", "/proc/nope/errors.log"));
    namesOptionAndSource(m, ConfigOption.ERROR_LOG, "environment WEBSOCKET_ERROR_LOG");
  }
}
