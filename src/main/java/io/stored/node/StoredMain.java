package io.stored.node;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** The process entry point of every role. */
@QuarkusMain
public final class StoredMain {
  /** Quarkus' own request-URI check answers a bare 400 before any route runs. */
  static final String DISABLE_URI_VALIDATION = "vertx.disableURIValidation";

  private StoredMain() {}

  public static void main(String... args) {
    // The data API parses and validates every path itself (ItemPath) and answers malformed
    // ones with a problem+json 400 that says what is wrong; switch off the generic check.
    System.setProperty(DISABLE_URI_VALIDATION, "true");
    Quarkus.run(args);
  }
}
