package chatcluster.node.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md documents every option with its three spellings and its default; README stays a
 * short entry page that names the test command and whose links, like those of docs/, lead to files that
 * exist.
 */
class ReadmeTest {
  private static final Path ROOT = Path.of("..");
  private static final Path README = ROOT.resolve("README.md");
  private static final Path DOCS = ROOT.resolve("docs");
  /** A Markdown link or image: {@code [text](target)}, the target without a title. */
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

  @Test
  void configurationListsEveryOptionWithItsDefault() throws Exception {
    String table = Files.readString(DOCS.resolve("configuration.md"));
    for (ConfigOption o : ConfigOption.values()) {
      String row = table.lines().filter(l -> l.startsWith("| `" + o.key() + "` |")).findFirst()
          .orElseThrow(() -> new AssertionError("docs/configuration.md has no row for " + o.key()));
      assertTrue(row.contains("`" + o.env() + "`"), row);
      assertTrue(row.contains("`" + o.flag() + "`"), row);
      String dflt = o.defaultValue().isEmpty() ? (o == ConfigOption.NODE_ID ? "node-<random>" : "(none)")
          : o.defaultValue();
      assertTrue(row.contains("`" + dflt + "`"), () -> "default of " + o.key() + " in: " + row);
    }
  }

  @Test
  void readmeGivesTheTestCommandAndStaysShort() throws Exception {
    String readme = Files.readString(README);
    assertTrue(readme.contains("./run-tests.sh"), "CI runs the test command README gives");
    long lines = readme.lines().count();
    assertTrue(lines <= 260, () -> "README.md has " + lines + " lines; reference material goes to docs/");
  }

  @Test
  void everyDocsPageReadmeLinksToExists() throws Exception {
    List<String> docsLinks = links(README).stream().filter(t -> t.startsWith("docs/") && t.contains(".md"))
        .toList();
    assertTrue(docsLinks.contains("docs/configuration.md"), () -> "README links to " + docsLinks);
    for (String target : docsLinks) {
      Path file = ROOT.resolve(stripFragment(target)).normalize();
      assertTrue(Files.isRegularFile(file), () -> "README links to " + target + ", which does not exist");
    }
  }

  @Test
  void relativeLinksInReadmeAndDocsResolve() throws Exception {
    List<Path> pages = new ArrayList<>(List.of(README, ROOT.resolve("js-client").resolve("README.md")));
    try (Stream<Path> docs = Files.list(DOCS)) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      for (String target : links(page)) {
        if (target.startsWith("#") || target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue;                                     // same-page anchors, http:, https:, mailto:
        }
        Path file = page.getParent().resolve(stripFragment(target)).normalize();
        if (!Files.exists(file)) {
          broken.add(ROOT.relativize(page) + " -> " + target);
        }
      }
    }
    assertTrue(broken.isEmpty(), () -> "links to files that do not exist: " + broken);
  }

  /** The link targets of a Markdown file, outside fenced code blocks. */
  private static List<String> links(Path page) throws Exception {
    List<String> targets = new ArrayList<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(page)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher m = LINK.matcher(line);
      while (m.find()) {
        targets.add(m.group(1));
      }
    }
    return targets;
  }

  private static String stripFragment(String target) {
    int hash = target.indexOf('#');
    return hash < 0 ? target : target.substring(0, hash);
  }
}
