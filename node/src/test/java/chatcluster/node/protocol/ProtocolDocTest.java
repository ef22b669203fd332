package chatcluster.node.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/protocol.md documents every frame the codec knows and exactly the node's error and close codes. */
class ProtocolDocTest {
  private static final Path DOC = Path.of("..", "docs", "protocol.md");
  private static final Path CODEC = Path.of("src", "main", "java", "chatcluster", "node", "protocol", "FrameCodec.java");

  private static String doc() throws Exception {
    return Files.readString(DOC);
  }

  /** The first cells of the rows of the table under {@code heading}. */
  private static Set<String> firstColumn(String doc, String heading) {
    String section = doc.substring(doc.indexOf("## " + heading));
    int next = section.indexOf("\n## ", 3);
    section = next < 0 ? section : section.substring(0, next);
    Set<String> cells = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\| `?([^`|]+?)`?(?: / `([^`|]+)`)? \\|").matcher(section);
    while (m.find()) {
      cells.add(m.group(1).trim());
      if (m.group(2) != null) {
        cells.add(m.group(2).trim());
      }
    }
    cells.removeIf(c -> c.equals("type") || c.equals("code") || c.equals("---"));
    return cells;
  }

  @Test
  void everyClientCommandIsDocumented() throws Exception {
    Set<String> commands = Arrays.stream(ClientFrame.class.getPermittedSubclasses())
        .map(c -> c.getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(commands, firstColumn(doc(), "Commands"));
  }

  @Test
  void everyServerFrameTheCodecWritesIsDocumented() throws Exception {
    String codec = Files.readString(CODEC);
    Set<String> types = new TreeSet<>();
    Matcher m = Pattern.compile("put\\(\"type\", \"(\\w+)\"\\)|presenceChange\\(\"(\\w+)\"").matcher(codec);
    while (m.find()) {
      types.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    assertFalse(types.isEmpty());
    Set<String> documented = firstColumn(doc(), "Server frames");
    assertTrue(documented.containsAll(types), () -> "undocumented: " + types.stream()
        .filter(t -> !documented.contains(t)).toList());
    assertTrue(documented.contains("reset"), "the reset push");
  }

  @Test
  void errorCodesAreExactlyTheEnums() throws Exception {
    Set<String> wire = Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(wire, firstColumn(doc(), "Error codes"));
  }

  @Test
  void closeCodesAreExactlyTheEnumsWithTheirTerminalFlag() throws Exception {
    String doc = doc();
    Set<String> codes = Arrays.stream(CloseCode.values()).map(c -> String.valueOf(c.code()))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(codes, firstColumn(doc, "Close codes"));
    for (CloseCode c : CloseCode.values()) {
      String row = doc.lines().filter(l -> l.startsWith("| " + c.code() + " |")).findFirst().orElseThrow();
      assertEquals(c.terminal(), row.contains("terminal"), row);
    }
  }
}
