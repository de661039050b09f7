package io.stored.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * The {@code store} command line: put, get, delete and list items of a Stored server over its HTTP
 * API. Exit codes: 0 ok, 1 not found, 2 usage error, 3 server or connection error.
 */
@Command(
    name = "store",
    mixinStandardHelpOptions = true,
    version = "store 0.1.0",
    description = "Reads and writes items of a Stored server.",
    subcommands = {
      StoreCli.Put.class,
      StoreCli.Get.class,
      StoreCli.Delete.class,
      StoreCli.ListIds.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:not found", "2:usage error", "3:server or connection error"})
public final class StoreCli {
  static final int OK = 0;
  static final int NOT_FOUND = 1;
  static final int USAGE = 2;
  static final int FAILED = 3;

  @Option(
      names = "--url",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description = "Base URL of the server (default: $STORED_URL, else http://localhost:8080).")
  String url;

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      paramLabel = "TOKEN",
      defaultValue = "${env:STORED_TOKEN}",
      description = "Bearer token, when the server requires one (default: $STORED_TOKEN).")
  String token;

  @Option(
      names = {"-n", "--namespace"},
      scope = ScopeType.INHERIT,
      defaultValue = "default",
      description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--id",
      scope = ScopeType.INHERIT,
      defaultValue = "0",
      description = "Id under the key (default: ${DEFAULT-VALUE}).")
  String id;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;
  private final String envUrl;

  StoreCli(InputStream stdin, PrintStream stdout, PrintStream stderr, String envUrl) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.envUrl = envUrl;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err, System.getenv("STORED_URL")));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  static int run(String[] args, InputStream in, PrintStream out, PrintStream err, String envUrl) {
    CommandLine cl = new CommandLine(new StoreCli(in, out, err, envUrl));
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setExecutionExceptionHandler(
        (ex, line, parsed) -> {
          err.println("store: " + ex.getMessage());
          return FAILED;
        });
    return cl.execute(args);
  }

  @Command(name = "put", description = "Stores VALUE under KEY (VALUE - reads standard input).")
  static final class Put implements Callable<Integer> {
    @CommandLine.ParentCommand StoreCli cli;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(
        index = "1",
        paramLabel = "VALUE",
        description = "The value, or - to read it from standard input.")
    String value;

    @Option(
        names = "--ttl",
        paramLabel = "SECONDS",
        description = "Expire the item after this many seconds.")
    Long ttl;

    @Option(
        names = "--content-type",
        paramLabel = "TYPE",
        description = "Content-Type to store with the value.")
    String contentType;

    @Override
    public Integer call() throws IOException {
      byte[] body =
          "-".equals(value) ? cli.stdin.readAllBytes() : value.getBytes(StandardCharsets.UTF_8);
      String query = ttl == null ? "" : "?ttl=" + ttl;
      Reply resp = cli.send("PUT", cli.itemPath(key) + query, body, contentType);
      if (resp.status() == 201 || resp.status() == 200) {
        cli.stdout.println(resp.status() == 201 ? "created" : "updated");
        return OK;
      }
      return cli.problem(resp);
    }
  }

  @Command(
      name = "get",
      description = "Writes the value under KEY to standard output, byte for byte.")
  static final class Get implements Callable<Integer> {
    @CommandLine.ParentCommand StoreCli cli;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Override
    public Integer call() throws IOException {
      Reply resp = cli.send("GET", cli.itemPath(key), null, null);
      if (resp.status() == 200) {
        cli.stdout.write(resp.body());
        cli.stdout.flush();
        return OK;
      }
      return cli.problem(resp);
    }
  }

  @Command(name = "delete", description = "Deletes the item under KEY.")
  static final class Delete implements Callable<Integer> {
    @CommandLine.ParentCommand StoreCli cli;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Override
    public Integer call() throws IOException {
      Reply resp = cli.send("DELETE", cli.itemPath(key), null, null);
      if (resp.status() == 200) {
        cli.stdout.println("deleted");
        return OK;
      }
      return cli.problem(resp);
    }
  }

  @Command(name = "list", description = "Prints the ids under KEY, one per line, in order.")
  static final class ListIds implements Callable<Integer> {
    @CommandLine.ParentCommand StoreCli cli;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Override
    public Integer call() throws IOException {
      String after = null;
      do {
        String path =
            "/"
                + encode(cli.namespace)
                + "/"
                + encode(key)
                + (after == null ? "" : "?after=" + encode(after));
        Reply resp = cli.send("GET", path, null, null);
        if (resp.status() != 200) {
          return cli.problem(resp);
        }
        JsonNode page = new ObjectMapper().readTree(resp.body());
        for (JsonNode idNode : page.path("ids")) {
          cli.stdout.println(idNode.asText());
        }
        after = page.path("next").isTextual() ? page.path("next").asText() : null;
      } while (after != null);
      return OK;
    }
  }

  String itemPath(String key) {
    return "/" + encode(namespace) + "/" + encode(key) + "/" + encode(id);
  }

  /** A server's answer: its status and body. */
  record Reply(int status, byte[] body) {}

  /**
   * Sends one request and reads the whole answer. {@link HttpURLConnection} rather than {@code
   * java.net.http.HttpClient}: a command line is a new JVM each time, and the latter's first
   * request cost ~0.7 s of set-up (its executor, selector thread and a TLS context even for {@code
   * http:}), against ~0.1 s.
   */
  Reply send(String method, String pathAndQuery, byte[] body, String contentType)
      throws IOException {
    String base =
        url != null ? url : envUrl != null && !envUrl.isBlank() ? envUrl : "http://localhost:8080";
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI uri = URI.create(base + pathAndQuery);
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IOException("the server's URL must start with http:// or https://: " + base);
    }
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    try {
      c.setRequestMethod(method);
      c.setConnectTimeout(5_000);
      c.setReadTimeout(30_000);
      c.setUseCaches(false);
      c.setInstanceFollowRedirects(false);
      if (token != null && !token.isBlank()) {
        c.setRequestProperty("Authorization", "Bearer " + token.strip());
      }
      if (body != null) {
        c.setDoOutput(true);
        // Not in streaming mode: in it, a 401's body (the server's reason) cannot be read. The
        // body is buffered instead; it is resent only when a reused connection fails, and none
        // is reused (disconnect() below closes each).
        if (contentType != null) {
          c.setRequestProperty("Content-Type", contentType);
        }
        try (OutputStream out = c.getOutputStream()) {
          out.write(body);
        }
      }
      int status = c.getResponseCode();
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        return new Reply(status, in == null ? new byte[0] : in.readAllBytes());
      }
    } catch (ConnectException e) {
      throw new IOException(
          "cannot connect to "
              + uri.getScheme()
              + "://"
              + uri.getAuthority()
              + " (is Stored running? set --url or STORED_URL)",
          e);
    } finally {
      c.disconnect();
    }
  }

  /** Reports a non-2xx answer on stderr; returns the exit code it maps to. */
  int problem(Reply resp) {
    String detail = new String(resp.body(), StandardCharsets.UTF_8);
    try {
      JsonNode p = new ObjectMapper().readTree(resp.body());
      if (p != null && p.has("title")) {
        detail =
            p.path("title").asText() + (p.has("detail") ? ": " + p.path("detail").asText() : "");
      }
    } catch (IOException e) {
      // not problem+json: report the raw body
    }
    stderr.println("store: " + resp.status() + " " + detail);
    return resp.status() == 404 ? NOT_FOUND : resp.status() == 400 ? USAGE : FAILED;
  }

  /** Percent-encodes every byte of the UTF-8 form except RFC 3986 unreserved characters. */
  static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xFF;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        b.append((char) c);
      } else {
        b.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return b.toString();
  }
}
