package chatcluster.node.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The admin API's OpenAPI 3 document, {@code chatcluster/admin-openapi.json} in the jar, read once. */
public final class OpenApiDocument {
  private static final String RESOURCE = "/chatcluster/admin-openapi.json";
  private static volatile String text;

  private OpenApiDocument() {}

  public static String text() {
    String t = text;
    if (t == null) {
      try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(RESOURCE + " is missing from the jar");
        }
        t = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      text = t;
    }
    return t;
  }
}
