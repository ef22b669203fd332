package chatcluster.node.cli;

import chatcluster.node.config.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code admin <command> --url http://node:8080 --token T [--json]}: the admin API from the command
 * line, answers printed as tables (or as the API's JSON with {@code --json}). The token may come from
 * {@code ADMIN_TOKEN}. Exit status 0, 1 when the node refused or failed, 2 for a usage error.
 */
public final class AdminCommand {
  static final String USAGE = """
      usage: java -jar chatcluster-node.jar admin <command> [--url URL] [--token TOKEN] [--json]
        nodes                                    every node: connections, rates, state
        channels [--prefix P] [--cursor C] [--limit N]
        channel NAME [--history N]               subscribers per node, presence, recent messages
        user ID                                  the user's sessions on every node
        disconnect (--user ID | --session ID) [--code 4003] [--reason TEXT]
        unsubscribe --user ID --channel NAME
        publish CHANNEL JSON                     publish as the server (JSON: any JSON value)
        drain NODE [--window MS]                 close the node's clients with 1012; they reconnect elsewhere
        tasks                                    scheduled REST tasks
        cancel TASK
      --url defaults to http://127.0.0.1:8080; --token to $ADMIN_TOKEN.
      """;
  private static final Set<String> VALUED = Set.of("--url", "--token", "--prefix", "--cursor", "--limit", "--history",
      "--user", "--session", "--code", "--reason", "--channel", "--window");

  public static String usage() {
    return USAGE;
  }

  private final Map<String, String> flags = new HashMap<>();
  private final List<String> words = new ArrayList<>();
  private final PrintStream out;
  private boolean json;

  private AdminCommand(PrintStream out) {
    this.out = out;
  }

  /** Runs the command given by {@code args} (those after {@code admin}); returns the exit status. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    AdminCommand command = new AdminCommand(out);
    try {
      command.parse(args);
      return command.execute(env);
    } catch (ConfigException e) {
      err.println("chatcluster admin: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (Failed e) {
      err.println("chatcluster admin: " + e.getMessage());
      return 1;
    }
  }

  /** The node refused or could not be reached. */
  private static final class Failed extends RuntimeException {
    Failed(String message) {
      super(message);
    }
  }

  private void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--json")) {
        json = true;
      } else if (a.startsWith("--")) {
        String name = a;
        String value = null;
        int eq = a.indexOf('=');
        if (eq > 0) {
          name = a.substring(0, eq);
          value = a.substring(eq + 1);
        }
        if (!VALUED.contains(name)) {
          throw new ConfigException("unknown flag " + name);
        }
        if (value == null) {
          if (++i >= args.length) {
            throw new ConfigException("flag " + name + " needs a value");
          }
          value = args[i];
        }
        flags.put(name, value);
      } else {
        words.add(a);
      }
    }
    if (words.isEmpty()) {
      throw new ConfigException("give a command");
    }
  }

  private String word(int i, String what) {
    if (words.size() <= i) {
      throw new ConfigException(words.get(0) + " needs " + what);
    }
    return words.get(i);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private int execute(Map<String, String> env) {
    String url = flags.getOrDefault("--url", "http://127.0.0.1:8080").replaceAll("/+$", "");
    String token = flags.getOrDefault("--token", env.get("ADMIN_TOKEN"));
    if (token == null || token.isEmpty()) {
      throw new ConfigException("give --token (or set ADMIN_TOKEN)");
    }
    String api = url + "/admin/api";
    String command = words.get(0);
    switch (command) {
      case "nodes" -> nodes(call(token, "GET", api + "/nodes", null));
      case "channels" -> {
        StringBuilder q = new StringBuilder("?limit=" + enc(flags.getOrDefault("--limit", "100")));
        if (flags.containsKey("--prefix")) {
          q.append("&prefix=").append(enc(flags.get("--prefix")));
        }
        if (flags.containsKey("--cursor")) {
          q.append("&cursor=").append(enc(flags.get("--cursor")));
        }
        channels(call(token, "GET", api + "/channels" + q, null));
      }
      case "channel" -> channel(call(token, "GET", api + "/channels/" + enc(word(1, "a channel name")) + "?history="
          + enc(flags.getOrDefault("--history", "20")), null));
      case "user" -> sessions(call(token, "GET", api + "/users/" + enc(word(1, "a user id")), null));
      case "disconnect" -> {
        JsonObject body = new JsonObject();
        if (flags.containsKey("--code")) {
          body.put("code", integer("--code"));
        }
        if (flags.containsKey("--reason")) {
          body.put("reason", flags.get("--reason"));
        }
        String path;
        if (flags.containsKey("--user") == flags.containsKey("--session")) {
          throw new ConfigException("disconnect needs --user or --session (one of them)");
        }
        path = flags.containsKey("--user") ? "/users/" + enc(flags.get("--user")) : "/sessions/" + enc(flags.get("--session"));
        JsonObject a = call(token, "POST", api + path + "/disconnect", body);
        print(a, () -> out.println("closed " + a.getInteger("closed") + " session(s) with " + a.getInteger("code")));
      }
      case "unsubscribe" -> {
        if (!flags.containsKey("--user") || !flags.containsKey("--channel")) {
          throw new ConfigException("unsubscribe needs --user and --channel");
        }
        JsonObject a = call(token, "POST", api + "/users/" + enc(flags.get("--user")) + "/unsubscribe",
            new JsonObject().put("channel", flags.get("--channel")));
        print(a, () -> out.println("unsubscribed " + a.getInteger("reached") + " session(s) from " + a.getString("channel")));
      }
      case "publish" -> {
        String channel = word(1, "a channel and the JSON to publish");
        Object data;
        try {
          data = Json.decodeValue(word(2, "the JSON to publish"));
        } catch (DecodeException e) {
          data = words.get(2); // a bare word is published as a string
        }
        JsonObject a = call(token, "POST", api + "/channels/" + enc(channel) + "/publish", new JsonObject().put("data", data));
        print(a, () -> out.println("published on " + a.getString("channel") + " at offset " + a.getLong("offset")));
      }
      case "drain" -> {
        JsonObject body = new JsonObject();
        if (flags.containsKey("--window")) {
          body.put("window", integer("--window"));
        }
        JsonObject a = call(token, "POST", api + "/nodes/" + enc(word(1, "a node id")) + "/drain", body);
        print(a, () -> out.println("node " + a.getString("node") + " is draining " + a.getInteger("connections")
            + " connection(s)"));
      }
      case "tasks" -> tasks(call(token, "GET", api + "/tasks", null));
      case "cancel" -> {
        JsonObject a = call(token, "DELETE", api + "/tasks/" + enc(word(1, "a task id")), null);
        print(a, () -> out.println("cancelled " + a.getString("task")));
      }
      default -> throw new ConfigException("unknown command '" + command + "'");
    }
    return 0;
  }

  private int integer(String flag) {
    try {
      return Integer.parseInt(flags.get(flag));
    } catch (NumberFormatException e) {
      throw new ConfigException(flag + " must be an integer");
    }
  }

  private JsonObject call(String token, String method, String url, JsonObject body) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
          .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--url '" + url + "' is not a URL");
    }
    HttpResponse<String> response;
    try {
      response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failed("cannot reach " + url + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed("interrupted");
    }
    JsonObject answer;
    try {
      answer = new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      throw new Failed(response.statusCode() + " from " + url + " (not the admin API? is ADMIN_TOKEN set on the node?)");
    }
    if (response.statusCode() != 200) {
      throw new Failed(response.statusCode() + " " + answer.getString("error", "") + ": " + answer.getString("message", ""));
    }
    return answer;
  }

  private void print(JsonObject answer, Runnable table) {
    if (json) {
      out.println(answer.encodePrettily());
    } else {
      table.run();
    }
  }

  // ------------------------------------------------------------------ tables

  private void nodes(JsonObject a) {
    print(a, () -> {
      Table t = new Table("NODE", "ADDRESS", "STATE", "CONNECTIONS", "CHANNELS", "SUBSCRIPTIONS", "IN/S", "OUT/S",
          "LOOPS", "REDIS", "UPTIME", "VERSION");
      for (Object o : a.getJsonArray("nodes")) {
        JsonObject n = (JsonObject) o;
        t.row(n.getString("id"), n.getString("address"), n.getString("state"), n.getValue("connections"),
            n.getValue("channels"), n.getValue("subscriptions"), n.getValue("messagesInPerSecond"),
            n.getValue("messagesOutPerSecond"), n.getValue("eventLoops"), n.getValue("redis"),
            n.getLong("uptimeSeconds") == null ? "" : duration(n.getLong("uptimeSeconds")), n.getValue("version"));
      }
      t.print(out);
      out.println(a.getInteger("connections") + " connection(s) on " + a.getJsonArray("nodes").size() + " node(s)"
          + unreachable(a));
    });
  }

  private void channels(JsonObject a) {
    print(a, () -> {
      Table t = new Table("CHANNEL", "SUBSCRIBERS", "NODES", "PRESENCE", "OFFSET", "PERSISTENT");
      for (Object o : a.getJsonArray("channels")) {
        JsonObject c = (JsonObject) o;
        JsonObject options = c.getJsonObject("options", new JsonObject());
        t.row(c.getString("name"), c.getValue("subscribers"), c.getJsonObject("nodes").size(),
            c.getValue("presence", "-"), c.getValue("offset", ""), options.getValue("persistent", ""));
      }
      t.print(out);
      if (a.getString("next") != null) {
        out.println("more: --cursor " + a.getString("next"));
      }
      String u = unreachable(a);
      if (!u.isEmpty()) {
        out.println(u.trim());
      }
    });
  }

  private void channel(JsonObject a) {
    print(a, () -> {
      out.println("channel " + a.getString("name") + ": " + a.getInteger("subscribers") + " subscriber(s), offset "
          + a.getLong("offset") + " of epoch " + a.getString("epoch"));
      out.println("options " + a.getJsonObject("options").encode());
      Table t = new Table("NODE", "SUBSCRIBERS");
      a.getJsonObject("nodes").forEach(e -> t.row(e.getKey(), e.getValue()));
      t.print(out);
      JsonObject presence = a.getJsonObject("presence");
      if (presence != null) {
        out.println();
        Table p = new Table("USER", "DEVICE", "NODE");
        for (Object o : presence.getJsonArray("members")) {
          JsonObject m = (JsonObject) o;
          p.row(m.getString("user"), m.getString("device"), m.getString("node"));
        }
        p.print(out);
      }
      JsonArray history = a.getJsonArray("history", new JsonArray());
      if (!history.isEmpty()) {
        out.println();
        Table h = new Table("OFFSET", "FROM", "TIME", "DATA");
        for (Object o : history) {
          JsonObject m = (JsonObject) o;
          JsonObject from = m.getJsonObject("from", new JsonObject());
          h.row(m.getValue("offset"), from.getString("user", ""), m.getLong("ts") == null ? ""
              : Instant.ofEpochMilli(m.getLong("ts")).toString(), Json.encode(m.getValue("data")));
        }
        h.print(out);
      }
    });
  }

  private void sessions(JsonObject a) {
    print(a, () -> {
      Table t = new Table("SESSION", "NODE", "DEVICE", "ADDRESS", "PROTOCOL", "CONNECTED SINCE", "SUBSCRIPTIONS");
      for (Object o : a.getJsonArray("sessions")) {
        JsonObject s = (JsonObject) o;
        t.row(s.getString("session"), s.getString("node"), s.getString("device"), s.getString("address"),
            s.getString("protocol"), Instant.ofEpochMilli(s.getLong("connectedSince")).toString(),
            String.join(",", s.getJsonArray("subscriptions").stream().map(Object::toString).toList()));
      }
      t.print(out);
      out.println(a.getJsonArray("sessions").size() + " session(s) of " + a.getString("user") + unreachable(a));
    });
  }

  private void tasks(JsonObject a) {
    print(a, () -> {
      if (!a.getBoolean("enabled")) {
        out.println("no scheduled tasks: the REST relay is off (API_BASE_URL unset)");
        return;
      }
      Table t = new Table("TASK", "DEVICE", "METHOD", "PATH", "INTERVAL", "NEXT", "LAST STATUS");
      for (Object o : a.getJsonArray("tasks")) {
        JsonObject k = (JsonObject) o;
        t.row(k.getString("task"), k.getString("device"), k.getString("method"), k.getString("path"),
            k.getValue("interval"), Instant.ofEpochMilli(k.getLong("next")).toString(), k.getValue("lastStatus", "-"));
      }
      t.print(out);
    });
  }

  private static String unreachable(JsonObject a) {
    JsonArray u = a.getJsonArray("unreachable", new JsonArray());
    return u.isEmpty() ? "" : "; not answering: " + String.join(", ", u.stream().map(Object::toString).toList());
  }

  static String duration(long seconds) {
    if (seconds < 120) {
      return seconds + "s";
    }
    if (seconds < 7200) {
      return seconds / 60 + "m";
    }
    return seconds / 3600 + "h" + (seconds % 3600) / 60 + "m";
  }

  /** Left-aligned columns two spaces apart. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... head) {
      rows.add(head);
    }

    void row(Object... cells) {
      String[] r = new String[cells.length];
      for (int i = 0; i < cells.length; i++) {
        r[i] = cells[i] == null ? "" : cells[i].toString();
      }
      rows.add(r);
    }

    void print(PrintStream out) {
      int[] width = new int[rows.get(0).length];
      for (String[] r : rows) {
        for (int i = 0; i < r.length; i++) {
          width[i] = Math.max(width[i], r[i].length());
        }
      }
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
          line.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
        }
        out.println(line.toString().stripTrailing());
      }
    }
  }
}
