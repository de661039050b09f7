package io.stored.api;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.stored.auth.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Bearer-token access control of the data API, on when {@code stored.auth.tokens-file} is set (off
 * by default, for the single-process dev default). The file (see {@link Tokens}; on Kubernetes a
 * mounted Secret) is read at start, where a malformed file stops the process, and re-read when it
 * changes; a malformed new version is refused with a log line and the previous tokens stay.
 */
// @Singleton, not @ApplicationScoped: called on every request, and a call through a client
// proxy looks the instance up first (2.5 % of a GET's samples for the two proxies).
@Singleton
public class AccessControl {
  private static final Logger LOG = Logger.getLogger(AccessControl.class);
  private static final String BEARER = "Bearer ";

  /** Access control settings. */
  @ConfigMapping(prefix = "stored.auth")
  public interface AuthConfig {
    /** File of bearer tokens and their roles per namespace; unset: no authentication. */
    Optional<Path> tokensFile();

    /** How often the tokens file is checked for changes. */
    @WithDefault("2s")
    Duration reloadInterval();
  }

  private final AuthConfig config;
  private final Vertx vertx;
  private volatile Tokens tokens;
  private volatile String loadedVersion;
  private volatile String rejectedVersion;

  /** The version seen at the last check: a new one is loaded only once it stays for a check. */
  private String seenVersion;

  private final AtomicInteger rejections = new AtomicInteger();

  AccessControl(AuthConfig config, Vertx vertx) {
    this.config = config;
    this.vertx = vertx;
  }

  void onStart(@Observes StartupEvent event) {
    if (config.tokensFile().isEmpty()) {
      return;
    }
    Path file = config.tokensFile().get();
    try {
      load(file);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "stored.auth.tokens-file " + file + " cannot be used: " + e.getMessage(), e);
    }
    vertx.setPeriodic(Math.max(100, config.reloadInterval().toMillis()), t -> reload(file));
  }

  /** Whether requests must carry a token. */
  public boolean enabled() {
    return tokens != null;
  }

  /**
   * Throws 401 (no or unknown token) or 403 (missing role) unless the request may act as {@code
   * needed} on {@code namespace}.
   */
  public void require(HttpServerRequest req, String namespace, Tokens.Role needed) {
    if (tokens != null) {
      require(req.getHeader(HttpHeaders.AUTHORIZATION), namespace, needed);
    }
  }

  /**
   * As {@link #require(HttpServerRequest, String, Tokens.Role)}, given the Authorization header.
   */
  void require(String header, String namespace, Tokens.Role needed) {
    Tokens t = tokens;
    if (t == null) {
      return;
    }
    String token =
        header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? header.substring(BEARER.length()).trim()
            : null;
    switch (t.check(token, namespace, needed)) {
      case UNAUTHENTICATED ->
          throw ApiException.unauthorized(
              token == null
                  ? "this server requires a bearer token (Authorization: Bearer <token>)"
                  : "the bearer token is not valid");
      case FORBIDDEN ->
          throw ApiException.forbidden(
              "the token lacks the "
                  + needed.name().toLowerCase()
                  + " role on namespace '"
                  + namespace
                  + "'");
      case ALLOWED -> {}
    }
  }

  private void reload(Path file) {
    String version = null;
    try {
      version = version(file);
      if (!version.equals(seenVersion)) {
        // Changed since the last check: a writer that truncates and then writes (an editor, a
        // script) may be half done, and an empty file is a valid one that locks everyone out.
        // Load it once it has stayed the same for one interval.
        seenVersion = version;
        return;
      }
      if (!version.equals(loadedVersion) && !version.equals(rejectedVersion)) {
        load(file);
      }
    } catch (IOException | IllegalArgumentException e) {
      // once per version of the file, not at every check
      if (version == null || !version.equals(rejectedVersion)) {
        rejectedVersion = version;
        rejections.incrementAndGet();
        LOG.errorf(
            "the tokens file %s was not reloaded (the previous tokens stay): %s",
            file, e.getMessage());
      }
    }
  }

  /** Versions of the tokens file refused so far. */
  int rejections() {
    return rejections.get();
  }

  private void load(Path file) throws IOException {
    String version = version(file);
    Tokens t = Tokens.parse(Files.readString(file, StandardCharsets.UTF_8));
    tokens = t;
    loadedVersion = version;
    LOG.infof("loaded %d tokens from %s", t.size(), file);
  }

  /** What identifies a version of the file: modification time and size (of the link target). */
  private static String version(Path file) throws IOException {
    Path real = file.toRealPath();
    return Files.getLastModifiedTime(real).toMillis() + ":" + Files.size(real) + ":" + real;
  }
}
