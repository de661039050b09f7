package io.stored.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.stored.testing.Requests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Bearer-token access control of the data API, with a tokens file that changes at run time. */
@QuarkusTest
@TestProfile(AuthTest.WithTokens.class)
public class AuthTest {
  @jakarta.inject.Inject AccessControl access;
  public static final String WRITER = "writer-0123456789abcdef";
  public static final String READER = "reader-0123456789abcdef";
  static final String LATE = "late-0123456789abcdef00";
  static final String ADMIN = "admin-0123456789abcdef0";

  public static class WithTokens implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(TokensFile.class));
    }
  }

  /** Writes the tokens file before the application starts and points it there. */
  public static class TokensFile implements QuarkusTestResourceLifecycleManager {
    static Path file;

    @Override
    public Map<String, String> start() {
      try {
        file = Files.createTempFile("stored-tokens", ".txt");
        Files.writeString(
            file, WRITER + " default=write\n" + READER + " default=read\n" + ADMIN + " *=admin\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return Map.of(
          "stored.auth.tokens-file", file.toString(), "stored.auth.reload-interval", "100ms");
    }

    @Override
    public void stop() {}
  }

  @Test
  void withoutAToken_401_withWwwAuthenticate_asProblemJson() {
    Requests.http()
        .get("/default/a/0")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer realm=\"stored\"")
        .contentType("application/problem+json")
        .body("detail", containsString("requires a bearer token"));
    given()
        .spec(Requests.http())
        .header("Authorization", "Bearer not-a-known-token-at-all")
        .get("/default/a/0")
        .then()
        .statusCode(401)
        .body("detail", equalTo("the bearer token is not valid"));
  }

  @Test
  void roles_decidePerNamespace_403WithoutTheRole() {
    as(WRITER).body("v").put("/default/auth-k/0").then().statusCode(201);
    as(READER).get("/default/auth-k/0").then().statusCode(200).body(equalTo("v"));
    as(READER)
        .body("w")
        .put("/default/auth-k/0")
        .then()
        .statusCode(403)
        .body("detail", containsString("write role on namespace 'default'"));
    as(READER).delete("/default/auth-k/0").then().statusCode(403);
    as(WRITER).get("/users/auth-k/0").then().statusCode(403);
    as(READER).get("/default/auth-k/0").then().statusCode(200).body(equalTo("v"));
  }

  @Test
  void aChangedTokensFile_takesEffectWithoutRestart_andABadOneIsRefused() throws Exception {
    as(LATE).get("/default/x/0").then().statusCode(401);
    Files.writeString(
        TokensFile.file,
        WRITER
            + " default=write\n"
            + READER
            + " default=read\n"
            + ADMIN
            + " *=admin\n"
            + LATE
            + " *=read\n");
    Awaitility.await("the new token is accepted")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> as(LATE).get("/default/x/0").statusCode() == 404);
    int refused = access.rejections();
    Files.writeString(TokensFile.file, "garbage line with too many fields\n");
    Awaitility.await("the malformed version is refused")
        .atMost(Duration.ofSeconds(10))
        .until(() -> access.rejections() > refused);
    as(LATE).get("/default/x/0").then().statusCode(404);
    as(WRITER).body("v").put("/default/after-bad/0").then().statusCode(201);
  }

  @Test
  void theRingAndLocate_needAnAdminToken() {
    Requests.management().get("/stored/ring").then().statusCode(401);
    given()
        .spec(Requests.management())
        .header("Authorization", "Bearer " + WRITER)
        .get("/stored/locate/default/k")
        .then()
        .statusCode(403)
        .body("detail", containsString("admin role"));
    given()
        .spec(Requests.management())
        .header("Authorization", "Bearer " + ADMIN)
        .get("/stored/ring")
        .then()
        .statusCode(200)
        .body("epoch", equalTo(1));
    given()
        .spec(Requests.management())
        .header("Authorization", "Bearer " + ADMIN)
        .get("/stored/locate/default/k")
        .then()
        .statusCode(200)
        .body("owners", org.hamcrest.Matchers.hasSize(1));
    // health and metrics stay open to probes and scrapers
    Requests.management().get("/q/health/ready").then().statusCode(200);
  }

  private static io.restassured.specification.RequestSpecification as(String token) {
    return given().spec(Requests.http()).header("Authorization", "Bearer " + token);
  }
}
