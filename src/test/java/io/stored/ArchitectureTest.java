package io.stored;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core stays plain Java: testable without Quarkus, CDI, Vert.x or Kubernetes. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.stored");

  @Test
  void corePackages_importNoFramework() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.stored.engine..",
            "io.stored.ring..",
            "io.stored.router..",
            "io.stored.replication..",
            "io.stored.auth..",
            "io.stored.common..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.quarkus..",
            "jakarta..",
            "javax.enterprise..",
            "io.vertx..",
            "io.fabric8..",
            "io.netty..",
            "io.smallrye..",
            "io.micrometer..")
        .because(
            "the engine, ring (with the planner and monkey), router and replication are plain"
                + " Java (STYLE.md 1)")
        .check(CLASSES);
  }

  @Test
  void corePackages_doNotReachIntoWiring() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.stored.engine..",
            "io.stored.ring..",
            "io.stored.router..",
            "io.stored.replication..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.stored.api..", "io.stored.node..", "io.stored.store..", "io.stored.cli..")
        .check(CLASSES);
  }

  @Test
  void cli_usesNoServerCode() {
    noClasses()
        .that()
        .resideInAPackage("io.stored.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.stored.engine..",
            "io.stored.api..",
            "io.stored.node..",
            "io.stored.store..",
            "io.quarkus..",
            "jakarta..")
        .check(CLASSES);
  }
}
