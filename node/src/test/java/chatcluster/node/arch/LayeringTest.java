package chatcluster.node.arch;

import static com.tngtech.archunit.base.DescribedPredicate.anyElementThat;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's structure as rules over its compiled classes (docs/design.md, "Layers"): no package
 * cycles, no layer reaching up, and the embedding API ({@code ChatNode}) speaking only in the types
 * of the public packages.
 */
class LayeringTest {
  /**
   * The internal packages. The embedding API is the root package and what its methods take and give:
   * config, channel, hooks, auth, protocol (frames and codes) and ops (the node's metrics).
   */
  private static final String[] INTERNAL = {
      "chatcluster.node.admin..", "chatcluster.node.rest..", "chatcluster.node.broker..", "chatcluster.node.cli..",
      "chatcluster.node.cluster..", "chatcluster.node.core..", "chatcluster.node.history..", "chatcluster.node.hub..",
      "chatcluster.node.inbox..",
      "chatcluster.node.presence..", "chatcluster.node.pusher..", "chatcluster.node.redis..",
      "chatcluster.node.relay..", "chatcluster.node.runtime..", "chatcluster.node.services..", "chatcluster.node.session..",
      "chatcluster.node.tasks..", "chatcluster.node.transport.."};

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("chatcluster.node");
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("chatcluster.node.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void noLayerReachesUp() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("Composition").definedBy("chatcluster.node", "chatcluster.node.cli..")
        .layer("Adapters").definedBy("chatcluster.node.session..", "chatcluster.node.pusher..",
            "chatcluster.node.relay..", "chatcluster.node.admin..")
        .layer("Core").definedBy("chatcluster.node.core..", "chatcluster.node.hub..", "chatcluster.node.transport..",
            "chatcluster.node.rest..", "chatcluster.node.services..")
        .layer("Backends").definedBy("chatcluster.node.broker..", "chatcluster.node.history..",
            "chatcluster.node.presence..", "chatcluster.node.cluster..", "chatcluster.node.tasks..")
        .layer("Foundation").definedBy("chatcluster.node.config..", "chatcluster.node.protocol..",
            "chatcluster.node.channel..", "chatcluster.node.runtime..", "chatcluster.node.ops..",
            "chatcluster.node.auth..", "chatcluster.node.hooks..", "chatcluster.node.redis..")
        .whereLayer("Composition").mayNotBeAccessedByAnyLayer()
        .whereLayer("Adapters").mayOnlyBeAccessedByLayers("Composition", "Adapters")
        .whereLayer("Core").mayOnlyBeAccessedByLayers("Composition", "Adapters", "Core")
        .whereLayer("Backends").mayOnlyBeAccessedByLayers("Composition", "Adapters", "Core", "Backends")
        .check(classes);
  }

  /** Every package says which side it is on, as the rules above have it. */
  @Test
  void everyPackageIsDocumentedAsApiOrInternal() throws java.io.IOException {
    java.nio.file.Path root = java.nio.file.Path.of("src/main/java/chatcluster/node");
    java.util.Set<String> internal = java.util.Arrays.stream(INTERNAL)
        .map(p -> p.substring("chatcluster.node.".length(), p.length() - 2)).collect(java.util.stream.Collectors.toSet());
    java.util.List<String> wrong = new java.util.ArrayList<>();
    try (var dirs = java.nio.file.Files.list(root)) {
      for (java.nio.file.Path dir : dirs.filter(java.nio.file.Files::isDirectory).toList()) {
        String name = dir.getFileName().toString();
        java.nio.file.Path info = dir.resolve("package-info.java");
        String expected = internal.contains(name) ? "Internal:" : "Embedding API:";
        if (!java.nio.file.Files.exists(info) || !java.nio.file.Files.readString(info).contains(" * " + expected)) {
          wrong.add(name + " (expected its package-info to say \"" + expected + "\")");
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), wrong);
    org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.readString(root.resolve("package-info.java"))
        .contains("Embedding API"));
  }

  @Test
  void theEmbeddingApiSpeaksInPublicTypes() {
    methods().that().arePublic().and().areDeclaredInClassesThat().resideInAPackage("chatcluster.node")
        .and().areDeclaredInClassesThat().arePublic()
        .should().notHaveRawReturnType(resideInAnyPackage(INTERNAL))
        .andShould().notHaveRawParameterTypes(anyElementThat(resideInAnyPackage(INTERNAL)))
        .check(classes);
  }
}
