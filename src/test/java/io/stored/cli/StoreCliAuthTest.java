package io.stored.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.stored.api.AuthTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The CLI against a server that requires a bearer token. */
@QuarkusTest
@TestProfile(AuthTest.WithTokens.class)
class StoreCliAuthTest {
  @TestHTTPResource("/")
  URL url;

  @Test
  void token_isSentAsBearer_andAMissingOneFailsWithTheServersReason() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = run(err, "put", "cli-auth", "v");
    assertThat(code).isEqualTo(StoreCli.FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("401").contains("bearer token");

    assertThat(run(new ByteArrayOutputStream(), "--token", AuthTest.WRITER, "put", "cli-auth", "v"))
        .isEqualTo(StoreCli.OK);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int got =
        StoreCli.run(
            new String[] {"--url", url.toString(), "--token", AuthTest.READER, "get", "cli-auth"},
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out),
            new PrintStream(new ByteArrayOutputStream()),
            null);
    assertThat(got).isEqualTo(StoreCli.OK);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("v");
  }

  private int run(ByteArrayOutputStream err, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--url";
    all[1] = url.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return StoreCli.run(
        all,
        new ByteArrayInputStream(new byte[0]),
        new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err),
        null);
  }
}
