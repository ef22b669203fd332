package chatcluster.node.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Pusher app: its credentials and options. Channels of different apps never meet: each app's
 * channels live in a namespace of their own ({@link PusherChannel#internal}).
 *
 * @param id             the app id of the HTTP API's paths ({@code /apps/{id}/...})
 * @param key            the public key clients connect with ({@code /app/{key}})
 * @param secret         signs channel authorizations, user sign-ins, API requests and webhooks
 * @param clientEvents   whether clients may send {@code client-*} events on private and presence channels
 * @param maxConnections connections the app may hold over the whole cluster (0: no cap)
 * @param webhooks       where the app's webhooks go
 * @param subscriptionCount whether subscribers of its public and private channels are told the channel's
 *                       subscription count when it changes ({@code pusher:subscription_count}), with its webhook
 * @param watchlistEvents whether signed-in users are told when users of their {@code watchlist} come
 *                       online or go offline ({@code pusher_internal:watchlist_events})
 */
public record PusherApp(String id, String key, String secret, boolean clientEvents, int maxConnections,
                        List<Webhook> webhooks, boolean subscriptionCount, boolean watchlistEvents) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Webhook event names, Pusher's. */
  public static final Set<String> WEBHOOK_EVENTS = Set.of("channel_occupied", "channel_vacated", "member_added",
      "member_removed", "client_event", "cache_miss", "subscription_count");

  /** A webhook target: its URL and the event names it wants (all of them when empty). */
  public record Webhook(String url, Set<String> events) {
    public boolean wants(String event) {
      return events.isEmpty() || events.contains(event);
    }
  }

  public PusherApp {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("id: 1 to 64 characters of A-Z a-z 0-9 _ -, got '" + id + "'");
    }
    if (key == null || !ID.matcher(key).matches()) {
      throw new IllegalArgumentException("key: 1 to 64 characters of A-Z a-z 0-9 _ -");
    }
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("secret: missing");
    }
    if (maxConnections < 0) {
      throw new IllegalArgumentException("maxConnections: must not be negative");
    }
    webhooks = List.copyOf(webhooks);
  }

  /** An app without subscription count and watchlist events. */
  public PusherApp(String id, String key, String secret, boolean clientEvents, int maxConnections,
                   List<Webhook> webhooks) {
    this(id, key, secret, clientEvents, maxConnections, webhooks, false, false);
  }

  /** An app without watchlist events. */
  public PusherApp(String id, String key, String secret, boolean clientEvents, int maxConnections,
                   List<Webhook> webhooks, boolean subscriptionCount) {
    this(id, key, secret, clientEvents, maxConnections, webhooks, subscriptionCount, false);
  }

  /** Webhooks as URLs that want every event. */
  public static List<Webhook> everyEvent(List<String> urls) {
    return urls.stream().map(u -> new Webhook(checkedUrl(u), Set.of())).toList();
  }

  /**
   * One entry of the YAML file's {@code pusher.apps}: {@code id}, {@code key}, {@code secret},
   * optional {@code clientEvents} (true), {@code maxConnections} (0), {@code subscriptionCount} (false),
   * {@code watchlistEvents} (false), {@code webhooks} (URLs, or
   * mappings of {@code url} and {@code events}).
   */
  public static PusherApp fromJson(JsonObject json, String where) {
    try {
      Object id = json.getValue("id");
      List<Webhook> hooks = new ArrayList<>();
      Object raw = json.getValue("webhooks");
      if (raw instanceof JsonArray list) {
        for (Object item : list) {
          if (item instanceof String url) {
            hooks.add(new Webhook(checkedUrl(url), Set.of()));
          } else if (item instanceof JsonObject o) {
            Set<String> events = new LinkedHashSet<>();
            for (Object e : o.getJsonArray("events", new JsonArray())) {
              if (!WEBHOOK_EVENTS.contains(String.valueOf(e))) {
                throw new IllegalArgumentException("webhooks: unknown event '" + e + "' (one of " + WEBHOOK_EVENTS + ")");
              }
              events.add(String.valueOf(e));
            }
            hooks.add(new Webhook(checkedUrl(o.getString("url")), events));
          } else {
            throw new IllegalArgumentException("webhooks: a URL or a mapping of url and events");
          }
        }
      } else if (raw != null) {
        throw new IllegalArgumentException("webhooks: must be a list");
      }
      return new PusherApp(id == null ? null : String.valueOf(id), json.getString("key"), json.getString("secret"),
          json.getBoolean("clientEvents", true), json.getInteger("maxConnections", 0), hooks,
          json.getBoolean("subscriptionCount", false), json.getBoolean("watchlistEvents", false));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(where + ": a value has the wrong type (" + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + "." + e.getMessage());
    }
  }

  private static String checkedUrl(String url) {
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      throw new IllegalArgumentException("webhooks: '" + url + "' is not an http(s) URL");
    }
    return url;
  }

  /** Never print the secret. */
  @Override
  public String toString() {
    return "PusherApp[id=" + id + ", key=" + key + ", clientEvents=" + clientEvents + ", maxConnections="
        + maxConnections + ", webhooks=" + webhooks.size() + "]";
  }
}
