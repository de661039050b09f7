package io.stored;

import static io.stored.testing.Requests.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged application (target/quarkus-app) as a user runs it, with no configuration: the
 * README's curl example, and the {@code bin/store} launcher against it.
 */
@QuarkusIntegrationTest
class PackagedAppIT {
  @TestHTTPResource("/")
  URL root;

  @Test
  void theSeedExample_works() {
    http().body("bar").put("/default/seed/0").then().statusCode(201);
    http().get("/default/seed/0").then().statusCode(200).body(equalTo("bar"));
    http().get("/default/seed").then().statusCode(200).body("ids", equalTo(List.of("0")));
  }

  @Test
  void binStore_putThenGet_printsTheValue() throws Exception {
    assertThat(store("put", "foo", "bar")).isEqualTo(new Result(0, "created\n"));
    assertThat(store("get", "foo")).isEqualTo(new Result(0, "bar"));
    http().get("/default/foo/0").then().statusCode(200).body(equalTo("bar"));
    assertThat(store("get", "missing").code()).isEqualTo(1);
  }

  record Result(int code, String out) {}

  private Result store(String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new java.util.ArrayList<>(List.of(Path.of("bin/store").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("STORED_URL", root.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
