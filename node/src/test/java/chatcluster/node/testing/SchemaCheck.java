package chatcluster.node.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A small structural check of a JSON value against an OpenAPI 3 schema: {@code $ref}, {@code type}
 * (with {@code nullable}), {@code required}, {@code properties}, {@code additionalProperties},
 * {@code items} and {@code enum}. Enough to hold answers to their documented shape.
 */
public final class SchemaCheck {
  private final JsonObject document;

  public SchemaCheck(JsonObject document) {
    this.document = document;
  }

  /** What does not match, one line per problem; empty when {@code value} matches. */
  public List<String> problems(Object value, JsonObject schema) {
    List<String> out = new ArrayList<>();
    check("$", value, schema, out);
    return out;
  }

  private JsonObject resolve(JsonObject schema) {
    String ref = schema.getString("$ref");
    if (ref == null) {
      return schema;
    }
    JsonObject at = document;
    for (String part : ref.substring(2).split("/")) {
      at = at.getJsonObject(part);
    }
    return at;
  }

  private void check(String path, Object value, JsonObject raw, List<String> out) {
    JsonObject schema = resolve(raw);
    String type = schema.getString("type");
    if (value == null) {
      if (type != null && !schema.getBoolean("nullable", false)) {
        out.add(path + ": null where " + type + " is documented");
      }
      return;
    }
    if (type != null && !typeMatches(type, value)) {
      out.add(path + ": " + value.getClass().getSimpleName() + " where " + type + " is documented");
      return;
    }
    if (schema.containsKey("enum") && !schema.getJsonArray("enum").contains(value)) {
      out.add(path + ": " + value + " is not one of " + schema.getJsonArray("enum"));
    }
    if (value instanceof JsonObject o) {
      for (Object r : schema.getJsonArray("required", new JsonArray())) {
        if (!o.containsKey((String) r)) {
          out.add(path + ": required field '" + r + "' missing");
        }
      }
      JsonObject props = schema.getJsonObject("properties", new JsonObject());
      for (String field : o.fieldNames()) {
        if (props.containsKey(field)) {
          check(path + "." + field, o.getValue(field), props.getJsonObject(field), out);
        } else if (schema.getValue("additionalProperties") instanceof JsonObject extra) {
          check(path + "." + field, o.getValue(field), extra, out);
        }
      }
    } else if (value instanceof JsonArray a && schema.containsKey("items")) {
      for (int i = 0; i < a.size(); i++) {
        check(path + "[" + i + "]", a.getValue(i), schema.getJsonObject("items"), out);
      }
    }
  }

  private static boolean typeMatches(String type, Object v) {
    return switch (type) {
      case "object" -> v instanceof JsonObject;
      case "array" -> v instanceof JsonArray;
      case "string" -> v instanceof String;
      case "integer" -> v instanceof Integer || v instanceof Long;
      case "number" -> v instanceof Number;
      case "boolean" -> v instanceof Boolean;
      default -> true;
    };
  }
}
