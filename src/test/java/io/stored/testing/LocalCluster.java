package io.stored.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.certs.PemCertificateFiles;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Stored cluster of separate processes on loopback, started from the packaged application:
 * stores, one endpoint and the monkey, each a JVM with its own ports. Stores can be added, removed
 * through the monkey, killed with SIGKILL, paused with SIGSTOP and restarted. Logs go to {@code
 * target/cluster-it/<name>/}.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Path JAR = Path.of("target/stored.jar");

  /** The build's class-data-sharing archive of the jar: each node is ready sooner with it. */
  private static final Path ARCHIVE = Path.of("target/stored.jsa").toAbsolutePath();

  private static final Duration READY = Duration.ofSeconds(90);

  /** How long the stores remember a delete: short, for a test to see them forget. */
  public static final Duration TOMBSTONE_GRACE = Duration.ofSeconds(5);

  /** This cluster's internal-transport secret, random per cluster. */
  private final String secret = io.stored.transport.ClusterKey.randomSecret();

  private final Path logs;

  /** The certificate every node presents and trusts on the internal transport (mutual TLS). */
  private final PemCertificateFiles transportCertificate;

  private final Map<String, Node> stores = new LinkedHashMap<>();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final String members;
  private final List<String> storeOptions;
  private Node endpoint;
  private Node monkey;

  private record Node(String name, int transport, int http, int management, Process process) {}

  /**
   * Starts {@code n} stores (s1..sn), the monkey and the endpoint, and waits until all are ready.
   */
  public LocalCluster(String test, int n) throws IOException {
    this(test, n, List.of());
  }

  /** The same, with further JVM options ({@code -Dstored...}) for every store. */
  public LocalCluster(String test, int n, List<String> storeOptions) throws IOException {
    this.storeOptions = List.copyOf(storeOptions);
    assertThat(JAR).as("the packaged app (run ./mvnw verify)").exists();
    this.logs = Path.of("target/cluster-it", test);
    Files.createDirectories(logs);
    this.transportCertificate = Certificates.generate(logs.resolve("transport-tls"), "transport");
    StringJoiner list = new StringJoiner(",");
    List<int[]> ports = new ArrayList<>();
    for (int k = 1; k <= n; k++) {
      int[] p = {freePort(), freePort(), freePort()};
      ports.add(p);
      list.add("s" + k + "=127.0.0.1:" + p[0]);
    }
    this.members = list.toString();
    try {
      for (int k = 1; k <= n; k++) {
        int[] p = ports.get(k - 1);
        stores.put("s" + k, launch("s" + k, "store", p[0], p[1], p[2], members));
      }
      monkey = launch("monkey", "monkey", 0, freePort(), freePort(), members);
      endpoint = launch("endpoint", "endpoint", 0, freePort(), freePort(), members);
      for (String s : stores.keySet()) {
        awaitReady(s);
      }
      awaitReady(endpoint);
      awaitReady(monkey);
    } catch (RuntimeException | IOException e) {
      // the caller never gets this object to close: stop what was started
      close();
      throw e;
    }
  }

  /** The endpoint's data API base, e.g. {@code http://127.0.0.1:41234}. */
  public String endpoint() {
    return "http://127.0.0.1:" + endpoint.http();
  }

  /** This cluster's internal-transport secret. */
  public String secret() {
    return secret;
  }

  /** {@code host:port} of {@code store}'s internal transport. */
  public String transportAddress(String store) {
    return "127.0.0.1:" + stores.get(store).transport();
  }

  /** The transport TLS of this cluster's nodes: their certificate, trusting only it. */
  public SSLOptions transportTls() {
    return new SSLOptions()
        .setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertPath(transportCertificate.certFile().toString())
                .setKeyPath(transportCertificate.keyFile().toString()))
        .setTrustOptions(
            new PemTrustOptions().addCertPath(transportCertificate.certFile().toString()));
  }

  public List<String> storeNames() {
    return List.copyOf(stores.keySet());
  }

  /**
   * Starts store {@code name} and asks the monkey to add it; returns once it is ready (in sync).
   */
  public void add(String name) throws IOException {
    int transport = freePort();
    stores.put(
        name,
        launch(
            name,
            "store",
            transport,
            freePort(),
            freePort(),
            members + "," + name + "=127.0.0.1:" + transport));
    int status =
        send(
            HttpRequest.newBuilder(
                    monkeyUri("/stored/members/" + name + "?address=127.0.0.1:" + transport))
                .PUT(HttpRequest.BodyPublishers.noBody()));
    assertThat(status).isEqualTo(202);
    awaitReady(name);
  }

  /** Asks the monkey to remove {@code name}, waits until it left the ring, then stops it. */
  public void remove(String name) {
    assertThat(send(HttpRequest.newBuilder(monkeyUri("/stored/members/" + name)).DELETE()))
        .isEqualTo(202);
    Awaitility.await(name + " leaves the ring")
        .atMost(READY)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !get(monkeyUri("/stored/ring")).contains("\"name\":\"" + name + "\""));
    Node n = stores.remove(name);
    n.process().destroy();
  }

  /**
   * SIGTERM: the store stops as a pod being deleted does, handing its partitions over first;
   * returns once its process has exited.
   */
  public void stop(String name) throws InterruptedException {
    Process p = stores.get(name).process();
    p.destroy();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
        .as("%s exits after handing its partitions over", name)
        .isTrue();
  }

  /** Starts store {@code name} again after {@link #stop} or {@link #kill}, same ports. */
  public void start(String name) throws IOException {
    Node old = stores.get(name);
    stores.put(name, launch(name, "store", old.transport(), old.http(), old.management(), members));
    awaitReady(name);
  }

  /** SIGKILL: the store dies with its memory. */
  public void kill(String name) throws InterruptedException {
    Process p = stores.get(name).process();
    p.destroyForcibly();
    p.waitFor();
  }

  /** Kills {@code name} and starts it again with the same name and ports, memory empty. */
  public void restart(String name) throws Exception {
    kill(name);
    Node old = stores.get(name);
    stores.put(name, launch(name, "store", old.transport(), old.http(), old.management(), members));
    awaitReady(name);
  }

  /** SIGSTOP: the store freezes, keeping its connections, ring and memory. */
  public void pause(String name) throws Exception {
    signal(name, "STOP");
  }

  /** SIGCONT. */
  public void resume(String name) throws Exception {
    signal(name, "CONT");
  }

  /** The monkey's view of its stores ({@code GET /stored/members}). */
  public String members() {
    return get(monkeyUri("/stored/members"));
  }

  /**
   * The value of a gauge without labels in {@code store}'s Prometheus metrics (e.g. {@code
   * stored_tombstones}), awaited as {@link #awaitMetric} does.
   */
  public double metric(String store, String name) {
    return awaitMetric(stores.get(store).management(), name);
  }

  /**
   * The value of the unlabelled sample {@code name} in {@code /q/metrics} of the management port,
   * awaited: a process answers ready before Quarkus has attached its Prometheus registry (that step
   * runs after the sockets open), so for a few hundred milliseconds a scrape can lack meters the
   * app registered at start. Fails, showing the last scrape, if the sample never appears.
   */
  public static double awaitMetric(int managementPort, String name) {
    URI uri = URI.create("http://127.0.0.1:" + managementPort + "/q/metrics");
    String[] last = {""};
    double[] value = {0};
    try {
      Awaitility.await("metric " + name)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                last[0] = get(uri);
                for (String line : last[0].split("\n")) {
                  if (line.startsWith(name + " ")) {
                    value[0] = Double.parseDouble(line.substring(name.length() + 1).trim());
                    return true;
                  }
                }
                return false;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(name + " never appeared; the last scrape:\n" + last[0], e);
    }
    return value[0];
  }

  /** The monkey's ring ({@code GET /stored/ring}). */
  public String ring() {
    return get(monkeyUri("/stored/ring"));
  }

  /** Waits until the monkey reports {@code name} in {@code state} (e.g. down, active). */
  public void awaitState(String name, String state) {
    Awaitility.await(name + " is " + state)
        .atMost(READY)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> stateOf(name).equals(state));
  }

  private String stateOf(String name) {
    String m = members();
    int at = m.indexOf("\"name\":\"" + name + "\"");
    if (at < 0) {
      return "";
    }
    int s = m.indexOf("\"state\":\"", at) + 9;
    return m.substring(s, m.indexOf('"', s));
  }

  /**
   * Waits until the ring has settled: no partition moving, no store joining or leaving (a store
   * that is down stays in the ring as down until it returns or is removed).
   */
  public void awaitSettled() {
    Awaitility.await("the ring settles")
        .atMost(READY)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              String r = ring();
              return r.contains("\"pending\":{}")
                  && !r.contains("\"state\":\"joining\"")
                  && !r.contains("\"state\":\"leaving\"");
            });
  }

  @Override
  public void close() {
    List<Process> all = new ArrayList<>();
    stores.values().forEach(n -> all.add(n.process()));
    if (endpoint != null) {
      all.add(endpoint.process());
    }
    if (monkey != null) {
      all.add(monkey.process());
    }
    for (Process p : all) {
      p.toHandle().children().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private Node launch(
      String name, String roles, int transport, int httpPort, int management, String memberList)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:SharedArchiveFile=" + ARCHIVE,
            "-Dstored.roles=" + roles,
            "-Dstored.node-name=" + name,
            "-Dstored.cluster.members=" + memberList,
            "-Dstored.cluster.host=127.0.0.1",
            "-Dstored.cluster.port=" + transport,
            "-Dstored.cluster.down-after=1s",
            "-Dstored.cluster.peer-timeout=1s",
            "-Dstored.cluster.tombstone-grace=" + TOMBSTONE_GRACE.toMillis() + "ms",
            "-Dstored.cluster.request-timeout=8s",
            "-Dstored.ring.partitions=256",
            "-Dquarkus.http.host=127.0.0.1",
            "-Dquarkus.http.port=" + httpPort,
            "-Dquarkus.management.host=127.0.0.1",
            "-Dquarkus.management.port=" + management,
            // mutual TLS on the transport, as the operator sets it up from a Secret
            "-Dquarkus.tls.transport.key-store.pem.0.cert=" + transportCertificate.certFile(),
            "-Dquarkus.tls.transport.key-store.pem.0.key=" + transportCertificate.keyFile(),
            "-Dquarkus.tls.transport.trust-store.pem.certs=" + transportCertificate.certFile()));
    if (roles.equals("store")) {
      cmd.addAll(storeOptions);
    }
    cmd.addAll(List.of("-jar", JAR.toString()));
    Path log = logs.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(cmd);
    // the cluster's transport secret, as the operator passes it (an environment variable)
    builder.environment().put("STORED_CLUSTER_SECRET", secret);
    Process p =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new Node(name, transport, httpPort, management, p);
  }

  private void awaitReady(String store) {
    awaitReady(stores.get(store));
  }

  private void awaitReady(Node n) {
    URI ready = URI.create("http://127.0.0.1:" + n.management() + "/q/health/ready");
    Awaitility.await(n.name() + " is ready")
        .atMost(READY)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              assertThat(n.process().isAlive())
                  .as("%s is running (see %s)", n.name(), logs.resolve(n.name() + ".log"))
                  .isTrue();
              return send(HttpRequest.newBuilder(ready).GET()) == 200;
            });
  }

  private void signal(String name, String signal) throws Exception {
    long pid = stores.get(name).process().pid();
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    assertThat(kill.waitFor()).isZero();
  }

  private URI monkeyUri(String path) {
    return URI.create("http://127.0.0.1:" + monkey.management() + path);
  }

  private static String get(URI uri) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private int send(HttpRequest.Builder request) {
    try {
      return HTTP.send(
              request.timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Ports handed out by {@link #freePort()} in this JVM. */
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port that is free now, below Linux's ephemeral range (32768 and up): a port the kernel may
   * hand to an outgoing connection meanwhile could be taken before the node binds it. Never one
   * handed out before: a cluster's nodes are given their ports before any of them binds, and two
   * draws of the same free port made one node fail with "Address already in use".
   */
  public static int freePort() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20000 + random.nextInt(12000);
      try (ServerSocket s = new ServerSocket(port)) {
        if (HANDED_OUT.add(port)) {
          return s.getLocalPort();
        }
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port found between 20000 and 32000");
  }
}
