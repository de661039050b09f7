package io.stored;

import static io.stored.testing.Requests.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged application (target/stored.jar) as a user runs it, with no configuration: the
 * README's curl example, the {@code bin/store} launcher against it, and the class-data-sharing
 * archive the build writes for it.
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

  @Test
  void aBadHttp2Preface_closesTheConnection_andLeavesNoErrorInTheLog() throws Exception {
    byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    // then a PING frame's header where the SETTINGS frame must come
    byte[] ping = {0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    for (int i = 0; i < 3; i++) {
      try (Socket s = new Socket(root.getHost(), root.getPort())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(preface);
        s.getOutputStream().write(ping);
        s.getOutputStream().flush();
        // read to the end: the server closes the connection (else this times out)
        byte[] reply = s.getInputStream().readAllBytes();
        assertThat(reply.length).as("frames before the close").isGreaterThanOrEqualTo(19);
        assertThat(reply[3]).as("its SETTINGS frame").isEqualTo((byte) 0x4);
        assertThat(reply[9 + reply[2] + 3]).as("then a GOAWAY frame").isEqualTo((byte) 0x7);
      }
    }
    http().get("/default/after-preface/0").then().statusCode(404);
    String log = Files.readString(Path.of("target/quarkus.log"));
    assertThat(log).contains("Listening on");
    assertThat(log)
        .doesNotContain("First received frame was not SETTINGS")
        .doesNotContain("has been already registered")
        .doesNotContain(" ERROR ");
  }

  @Test
  void theClassDataSharingArchive_holdsNearlyEveryClassOfAStart_fromAnyDirectory()
      throws Exception {
    Path jar = Path.of("target/stored.jar").toAbsolutePath();
    Path archive = Path.of("target/stored.jsa").toAbsolutePath();
    Path loaded = Files.createTempFile("stored-class-load", ".txt");
    Path out = Files.createTempFile("stored-out", ".txt");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:on", // the JVM refuses to start when it cannot use the archive
                "-XX:SharedArchiveFile=" + archive,
                "-Xlog:class+load=info:file=" + loaded,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=0",
                "-Dquarkus.management.port=0",
                "-jar",
                jar.toString())
            .directory(out.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      org.awaitility.Awaitility.await("the app started with the archive")
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> Files.readString(out).contains("Listening on") || !p.isAlive());
      assertThat(Files.readString(out)).contains("Listening on");
      List<String> classes = Files.readAllLines(loaded);
      long shared = classes.stream().filter(c -> c.endsWith("source: shared objects file")).count();
      // 5,654 of 5,735 when written: only JDK proxies and method handles' forms are left
      assertThat(shared).as("classes from the archive").isGreaterThan(classes.size() * 95L / 100);
      assertThat(classes)
          // loaded when the server starts, on the class path, linked
          .anyMatch(c -> c.contains("EpollServerSocketChannel source: shared objects file"))
          // a lambda of the app's own
          .anyMatch(c -> c.matches(".*io\\.stored\\..*\\$\\$Lambda.* source: shared objects file"));
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(loaded);
      Files.deleteIfExists(out);
    }
  }

  /**
   * What the container image's build does (src/main/docker/Dockerfile.jvm, not built here): the
   * script writes an archive for the jar where it lies, with the JDK at hand, and needs only bash
   * and a few core utilities (no curl).
   */
  @Test
  void recordArchive_writesAUsableArchiveForTheJarWhereItLies_withOnlyBashAndCoreutils()
      throws Exception {
    Path dir = Files.createTempDirectory("stored-image");
    try {
      Path jar = Files.copy(Path.of("target/stored.jar"), dir.resolve("stored.jar"));
      Path bin = Files.createDirectories(dir.resolve("bin"));
      for (String tool :
          List.of("bash", "basename", "cat", "dirname", "mv", "rm", "sleep", "stat")) {
        Files.createSymbolicLink(bin.resolve(tool), onPath(tool));
      }
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path out = dir.resolve("record.out");
      ProcessBuilder record =
          new ProcessBuilder(
                  bin.resolve("bash").toString(),
                  Path.of("src/main/cds/record-archive").toAbsolutePath().toString(),
                  java,
                  jar.toString())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile());
      record.environment().put("PATH", bin.toString());
      Process p = record.start();
      assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("record-archive finished").isTrue();
      assertThat(Files.readString(out)).contains("stored.jsa written");
      assertThat(dir.resolve("stored.jsa")).isNotEmptyFile();
      assertThat(dir.resolve("stored.classlist")).doesNotExist();

      // -Xshare:on: the JVM refuses to start unless the archive matches this JDK and this jar
      Process cli =
          new ProcessBuilder(
                  java,
                  "-Xshare:on",
                  "-XX:SharedArchiveFile=" + dir.resolve("stored.jsa"),
                  "-Xlog:class+load=info:file=" + dir.resolve("cli-classes.txt"),
                  "-cp",
                  jar.toString(),
                  "io.stored.cli.StoreCli",
                  "--help")
              .redirectErrorStream(true)
              .start();
      String help = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(cli.exitValue()).as(help).isZero();
      assertThat(help).startsWith("Usage: store");
      // the command line's own classes are in it too (bin/store starts in ~0.3 s)
      assertThat(Files.readString(dir.resolve("cli-classes.txt")))
          .contains("io.stored.cli.StoreCli source: shared objects file")
          .contains("picocli.CommandLine source: shared objects file");
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static Path onPath(String tool) {
    for (String d : System.getenv("PATH").split(":")) {
      Path candidate = Path.of(d, tool);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(tool + " is not on the PATH");
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
