package chatcluster.node.deploy;

import chatcluster.node.config.ConfigOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The deployment files as the node sees them: rendered overlays, the node container's environment. */
final class Manifests {
  static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
  static final Path OVERLAYS = DEPLOY.resolve("k8s/overlays");
  static final String NODE_DEPLOYMENT = "chatcluster-node";

  /** Read by the node's process but not node options: the log level (logback.xml) and the JVM's flags. */
  static final Set<String> PROCESS_ENV = Set.of("CHATCLUSTER_LOG_LEVEL", "JAVA_TOOL_OPTIONS");

  private Manifests() {}

  static List<String> overlays() throws IOException {
    try (var dirs = Files.list(OVERLAYS)) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The objects {@code kubectl kustomize} renders for an overlay. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> render(String overlay) throws Exception {
    Process p = new ProcessBuilder("kubectl", "kustomize", OVERLAYS.resolve(overlay).toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("kubectl kustomize " + overlay + " failed");
    }
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object doc : yaml().loadAll(out)) {
      if (doc != null) {
        objects.add((Map<String, Object>) doc);
      }
    }
    return objects;
  }

  static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(map(o, "metadata").get("name")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  /** The node container of the node Deployment. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> nodeContainer(List<Map<String, Object>> objects) {
    Map<String, Object> podSpec = map(map(map(find(objects, "Deployment", NODE_DEPLOYMENT), "spec"), "template"), "spec");
    return ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
  }

  /** Every environment variable name the node container gets: its env entries and its ConfigMaps' keys. */
  @SuppressWarnings("unchecked")
  static Set<String> nodeEnvNames(List<Map<String, Object>> objects) {
    Map<String, Object> container = nodeContainer(objects);
    Set<String> names = new TreeSet<>();
    for (Map<String, Object> e : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
      names.add((String) e.get("name"));
    }
    for (Map<String, Object> from : (List<Map<String, Object>>) container.getOrDefault("envFrom", List.of())) {
      names.addAll(map(find(objects, "ConfigMap", (String) map(from, "configMapRef").get("name")), "data").keySet());
    }
    return names;
  }

  /**
   * The node container's environment with its values: ConfigMap entries, literals, Secret values;
   * {@code fields} stands in for what the downward API gives a pod (by field path).
   */
  @SuppressWarnings("unchecked")
  static Map<String, String> nodeEnv(List<Map<String, Object>> objects, Map<String, String> fields) {
    Map<String, Object> container = nodeContainer(objects);
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> from : (List<Map<String, Object>>) container.getOrDefault("envFrom", List.of())) {
      map(find(objects, "ConfigMap", (String) map(from, "configMapRef").get("name")), "data")
          .forEach((k, v) -> env.put(k, String.valueOf(v)));
    }
    for (Map<String, Object> e : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
      String name = (String) e.get("name");
      Map<String, Object> from = (Map<String, Object>) e.get("valueFrom");
      if (from == null) {
        env.put(name, String.valueOf(e.get("value")));
      } else if (from.containsKey("secretKeyRef")) {
        Map<String, Object> ref = map(from, "secretKeyRef");
        Object value = map(find(objects, "Secret", (String) ref.get("name")), "data").get(ref.get("key"));
        if (value != null) {
          env.put(name, new String(Base64.getDecoder().decode((String) value), StandardCharsets.UTF_8));
        }
      } else {
        String path = (String) map(from, "fieldRef").get("fieldPath");
        env.put(name, fields.get(path));
      }
    }
    return env;
  }

  /** The environment names of the compose file's node services. */
  @SuppressWarnings("unchecked")
  static Set<String> composeNodeEnvNames() throws IOException {
    Map<String, Object> compose = yaml().load(Files.readString(DEPLOY.resolve("compose.yaml")));
    return map(compose, "services").entrySet().stream()
        .filter(s -> s.getKey().startsWith("node-"))
        .flatMap(s -> map((Map<String, Object>) s.getValue(), "environment").keySet().stream())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The names among {@code names} that the node does not read. */
  static Set<String> unknownEnvNames(Set<String> names) {
    Set<String> known = Arrays.stream(ConfigOption.values()).map(ConfigOption::env).collect(Collectors.toSet());
    return names.stream().filter(n -> !known.contains(n) && !PROCESS_ENV.contains(n))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The JVM flags of the image's ENTRYPOINT (between {@code java} and {@code -jar}). */
  @SuppressWarnings("unchecked")
  static List<String> imageJvmFlags() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile")).replaceAll("\\\\\\n\\s*", " ");
    String entrypoint = dockerfile.lines().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow()
        .substring("ENTRYPOINT ".length());
    List<String> args = (List<String>) yaml().load(entrypoint);
    return args.subList(1, args.indexOf("-jar"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    if (!(value instanceof Map)) {
      throw new AssertionError("no " + key + " in " + parent.keySet());
    }
    return (Map<String, Object>) value;
  }
}
