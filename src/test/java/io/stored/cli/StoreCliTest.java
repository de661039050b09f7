package io.stored.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The {@code store} CLI end to end against a running server. */
@QuarkusTest
class StoreCliTest {
  @TestHTTPResource("/")
  URL root;

  private final String ns = "cli" + UUID.randomUUID().toString().substring(0, 8);

  record Run(int code, byte[] out, String err) {
    String outText() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  private Run run(byte[] stdin, String envUrl, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        StoreCli.run(
            args,
            new ByteArrayInputStream(stdin),
            new PrintStream(out, true),
            new PrintStream(err, true),
            envUrl);
    return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  private Run store(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = args[0];
    all[1] = "--url=" + root;
    all[2] = "-n=" + ns;
    System.arraycopy(args, 1, all, 3, args.length - 1);
    return run(new byte[0], null, all);
  }

  @Test
  void putThenGet_printsTheValue_andCurlSeesTheSameItem() throws Exception {
    assertThat(store("put", "foo", "bar").code()).isZero();
    Run get = store("get", "foo");
    assertThat(get.code()).isZero();
    assertThat(get.outText()).isEqualTo("bar");
    try (var in = new URL(root, "/" + ns + "/foo/0").openStream()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("bar");
    }
    assertThat(store("put", "foo", "baz").outText()).isEqualTo("updated\n");
  }

  @Test
  void put_readsStdinForDash_andGetWritesRawBytes() {
    byte[] binary = new byte[300];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    Run put = run(binary, root.toString(), "put", "-n", ns, "bin", "-");
    assertThat(put.code()).isZero();
    assertThat(run(new byte[0], root.toString(), "get", "-n", ns, "bin").out()).isEqualTo(binary);
  }

  @Test
  void list_printsEveryId_acrossPages_andKeysWithSlashesWork() {
    for (String id : new String[] {"b", "a", "c/d"}) {
      assertThat(store("put", "a/key", "v", "--id", id).code()).isZero();
    }
    Run list = store("list", "a/key");
    assertThat(list.code()).isZero();
    assertThat(list.outText()).isEqualTo("a\nb\nc/d\n");
  }

  @Test
  void delete_thenGet_isNotFound_withExitCode1() {
    store("put", "gone", "x");
    assertThat(store("delete", "gone").code()).isZero();
    Run get = store("get", "gone");
    assertThat(get.code()).isEqualTo(1);
    assertThat(get.err()).contains("404");
    assertThat(store("delete", "gone").code()).isEqualTo(1);
  }

  @Test
  void usageErrors_exitWith2() {
    assertThat(run(new byte[0], null).code()).isEqualTo(2);
    assertThat(run(new byte[0], null, "put", "onlykey").code()).isEqualTo(2);
    assertThat(run(new byte[0], null, "frobnicate").code()).isEqualTo(2);
    assertThat(store("put", "k", "v", "--ttl", "0").code()).as("server says 400").isEqualTo(2);
  }

  @Test
  void connectionErrors_exitWith3_withAClearMessage() {
    Run r = run(new byte[0], "http://127.0.0.1:1", "get", "foo");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains("cannot connect").contains("STORED_URL");
    Run ftp = run(new byte[0], "ftp://127.0.0.1:1", "get", "foo");
    assertThat(ftp.code()).isEqualTo(3);
    assertThat(ftp.err())
        .isEqualTo(
            "store: the server's URL must start with http:// or https://: ftp://127.0.0.1:1\n");
  }

  @Test
  void ttl_option_expiresTheItem() {
    assertThat(store("put", "short", "v", "--ttl", "1").code()).isZero();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(3))
        .until(() -> store("get", "short").code() == 1);
  }
}
